#pragma once
// What `frugal run` prints: a readable summary, or (--json) the same figures as one JSON object.
// Both walk the metric list (sim/metrics/metrics.h), so every result column is in both.

#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario/run_scenario.h"

namespace frugal::sim {

void print_summary(std::ostream& out, const ScenarioOutcome& outcome, const std::string& out_path);
std::string summary_json(const ScenarioOutcome& outcome, const std::string& out_path);

// A command line as the shell would take it back (arguments quoted where needed).
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace frugal::sim
