#pragma once
// What `frugal run` prints: a readable summary, or (--json) the same figures as one JSON object;
// and the provenance attributes stored in result files.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "results/hdf5_file.h"
#include "results/json.h"
#include "sim/run_scenario.h"

namespace frugal::sim {

void print_summary(std::ostream& out, const ScenarioOutcome& outcome, const std::string& out_path);
std::string summary_json(const ScenarioOutcome& outcome, const std::string& out_path);
// Writes the footprint as a "memory_bytes" object (weights, gradients, ..., total).
void write_memory_json(results::JsonWriter& json, const algorithms::MemoryFootprint& memory);

// Root attributes of a result file: schema and frugal versions, git commit, command line, seed,
// creation time (UTC, ISO 8601), the resolved scenario configuration and the hardware preset as
// used (every value with its unit and source).
std::vector<results::Attribute> provenance(const std::string& command_line, int64_t seed,
                                           const std::string& config, const std::string& preset);

std::string shell_quote(const std::vector<std::string>& argv);
std::string group_digits(int64_t value);  // 1234567 -> "1,234,567"

}  // namespace frugal::sim
