#pragma once
// Runs a measuring script built into frugal (hw_models/calibration/*.py) with Debian's Python,
// /usr/bin/python3, or $FRUGAL_PYTHON: the probes of `frugal calibrate gpu|cpu --measure`.

#include <string>
#include <vector>

namespace frugal::sim {

struct ScriptRun {
  std::string python;      // the interpreter it ran with
  int spawn_error = 0;     // errno when the interpreter could not be started (0: it ran)
  bool succeeded = false;  // exited with status 0
  std::string out;         // its stdout, when captured
  std::string errors;      // its stderr
};

// Runs the built-in script `name` with `args`; its stdout goes to the terminal, or into
// ScriptRun::out with `capture_stdout`. Throws IoError when the script cannot be written to /tmp.
ScriptRun run_calibration_script(const std::string& name, const std::vector<std::string>& args,
                                 bool capture_stdout);

// The built-in script `name`'s text.
const std::string& calibration_script(const std::string& name);

// The last line of `text` that is not blank ("" if none).
std::string last_line(const std::string& text);

}  // namespace frugal::sim
