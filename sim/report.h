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

// Root attributes of every result file: schema name and schema_version.
std::vector<results::Attribute> root_attributes();

// What /provenance records: the build (version, git commit), the command line, the creation time
// (UTC, ISO 8601), the resolved sweep specification (a single run is a sweep of one), the text of
// the config files read, the hardware presets as used (every value with its unit and source), and
// which shard of how many scenarios the file holds.
struct Provenance {
  std::string command_line;
  std::string sweep_spec;
  std::string config_files;
  std::string hw_presets;
  int64_t scenario_count = 0;
  int64_t shard_index = 0;
  int64_t shard_count = 1;
};
std::vector<results::Attribute> provenance(const Provenance& p);
std::string utc_now();

std::string shell_quote(const std::vector<std::string>& argv);
std::string group_digits(int64_t value);  // 1234567 -> "1,234,567"

}  // namespace frugal::sim
