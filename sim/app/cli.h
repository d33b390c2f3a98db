#pragma once
// The frugal command line: `frugal <command> [options]`. Returns the process exit code:
// 0 success, 2 bad input (one-line message on stderr), 1 internal error.

namespace frugal::sim {

int run_cli(int argc, char* argv[]);

}  // namespace frugal::sim
