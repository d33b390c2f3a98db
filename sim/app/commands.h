#pragma once
// The commands of the frugal executable (sim/app/cli.cpp dispatches to them), one file each, and
// what they share: option parsing with one-line errors, warnings, provenance of config files.

#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/graph.h"

namespace frugal::sim {

int command_run(const std::vector<std::string>& args, const std::string& command_line);
int command_sweep(const std::vector<std::string>& args, const std::string& command_line);
int command_merge(const std::vector<std::string>& args);
int command_export(const std::vector<std::string>& args);
int command_report(const std::vector<std::string>& args);
int command_describe(const std::vector<std::string>& args);
int command_models(const std::vector<std::string>& args);
int command_validate(const std::vector<std::string>& args);
int command_presets(const std::vector<std::string>& args);
int command_calibrate(const std::vector<std::string>& args);

// A run is a sweep of one scenario: `outcome` written to `out` in the same file layout.
struct ScenarioOutcome;
void write_run_file(const std::string& out, bool force, const ScenarioOutcome& outcome,
                    const std::string& command_line, const std::string& config_files);
// frugal describe --json for a model spec (and a rule's training step when `rule` is given).
std::string describe_model_json(const std::string& model, const std::string& rule, int64_t batch,
                                const std::string& optimizer);

// Parses `args` against `options`. Throws InputError with Boost's message, and for an unknown
// option the closest known one.
boost::program_options::variables_map parse(
    const std::vector<std::string>& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional = {});
// Stores parsed values into their variables; throws InputError.
void notify_options(boost::program_options::variables_map& vm);
// The model builder's warnings (skipped ONNX ops), on stderr.
void print_warnings(const workloads::Graph& graph);
// Each config file's text for provenance: "# FILE" then its content.
std::string config_texts(const std::vector<std::string>& paths);

}  // namespace frugal::sim
