#pragma once
// The result tables of frugal's HDF5 files (docs/results-schema.md): /scenarios, one row per
// scenario; /ops, the per-op trace; /epochs, training curves; /drift, accuracy against time after
// programming; /power and /power_samples, power over time. Every table is keyed by scenario_id.

#include <cstdint>
#include <string>
#include <vector>

#include "results/files/table.h"
#include "sim/scenario/options.h"
#include "sim/scenario/run_scenario.h"

namespace frugal::sim {

// A /scenarios column for a swept key that is not a standard column: hw.NAME (the parameter's
// SI value, float64 with its unit), another scenario option (its value, typed as the option is:
// float64, int64, or a string for text; flags are 0 or 1) or the sweep file's part.
struct ExtraColumn {
  std::string key;
  bool hw_param = false;
  results::ColumnSpec spec;
};
// The column of a swept key: the key with '_' for '-' and '.', so that every /scenarios column is
// one snake_case identifier (train-subset gives train_subset, hw.clock gives hw_clock).
std::string swept_column_name(const std::string& key);
// Throws InputError for hw.NAME when no device kind declares a parameter NAME.
std::vector<ExtraColumn> extra_columns(const std::vector<std::string>& keys);

struct ResultTables {
  results::Table scenarios, ops, epochs, power, power_samples, drift;
  std::vector<results::Table> devices;  // the device kinds' own tables (hw::device_tables)
  std::vector<results::Table*> all() {
    std::vector<results::Table*> tables = {&scenarios, &ops,           &epochs,
                                           &power,     &power_samples, &drift};
    for (results::Table& t : devices) tables.push_back(&t);
    return tables;
  }
  // A device kind's table by name (std::logic_error if no kind declares it).
  results::Table& device(const std::string& name);
  void clear_rows();
  size_t scenario_rows() const { return scenarios.rows(); }
};

// Empty tables with every column (the same for a given list of extra columns).
ResultTables make_result_tables(const std::vector<ExtraColumn>& extra);

// Which scenario of a sweep a row belongs to.
struct ScenarioKey {
  int64_t id = 0;
  int64_t point = 0;
  int64_t replicate = 0;
  std::vector<Setting> settings;  // swept keys and their values
};

// Appends a finished scenario: its /scenarios row, ops, and power trace (power `offset` is left
// 0: the writer sets it where the samples land in /power_samples).
void append_outcome(ResultTables& tables, const ScenarioKey& key, const ScenarioOutcome& outcome,
                    const std::vector<ExtraColumn>& extra);
// Appends a scenario that did not finish: parameters, NaN results, `status` and `error`.
// `preset` (may be null) gives the preset name, device and hw.NAME values.
void append_failure(ResultTables& tables, const ScenarioKey& key, const Scenario& scenario,
                    const hw::Preset* preset, const std::string& status, const std::string& error,
                    const std::vector<ExtraColumn>& extra);

// Power over one step, from the op trace: each op's energy spread evenly over its interval, in
// `samples` equal bins; sum(power_w) * dt_s equals the step's energy.
struct PowerTrace {
  double t0_s = 0.0, dt_s = 0.0;
  std::vector<double> power_w;
};
PowerTrace power_trace(const hw::Cost& cost, int samples = 100);

// One scenario's tables as bytes (results::encode of each table), to pass between processes and
// to journal; decode_tables checks them against `schema` (std::runtime_error if they differ).
std::string encode_tables(ResultTables& tables);
ResultTables decode_tables(const std::string& encoded, const ResultTables& schema);

// Names of the tables in the order they are written.
const std::vector<std::string>& table_names();
// The dimension scale column of a table ("" for a row index).
std::string scale_column(const std::string& table);

}  // namespace frugal::sim
