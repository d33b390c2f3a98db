#pragma once
// The result tables of frugal's HDF5 files (docs/results-format.md): /scenarios, one row per
// scenario, and /ops, the per-op trace keyed by scenario_id.

#include <cstdint>

#include "results/table.h"
#include "sim/run_scenario.h"

namespace frugal::sim {

results::Table make_scenarios_table();
results::Table make_ops_table();

void append_scenario(results::Table& scenarios, int64_t scenario_id,
                     const ScenarioOutcome& outcome);
void append_ops(results::Table& ops, int64_t scenario_id, const ScenarioOutcome& outcome);

}  // namespace frugal::sim
