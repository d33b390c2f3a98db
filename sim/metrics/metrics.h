#pragma once
// The results of a scenario, declared once: each metric is a /scenarios column (name, type,
// unit, description), how it is computed from the outcome, and how the summaries show it. The
// HDF5 table writer (result_tables.h), the JSON summary and the text summary (sim/app/report.h)
// all walk this list, so a new metric is one entry: its column, its summary line and its JSON
// key follow.

#include <functional>
#include <string>
#include <vector>

#include "hw_models/preset.h"
#include "results/files/json.h"
#include "results/files/table.h"
#include "sim/scenario/run_scenario.h"

namespace frugal::sim {

struct Metric {
  // Where the summaries put it: the scenario's description (JSON "scenario", the text header),
  // a figure of the scenario, or one part of the step's energy by component or by phase (JSON
  // objects energy_by_component_j and energy_by_phase_j, text tables).
  enum class Group { scenario, figure, component, phase };
  results::ColumnSpec column;
  std::function<results::Cell(const ScenarioOutcome&)> value;
  Group group = Group::figure;
  // The value known from the settings alone, for the row of a scenario that did not finish
  // (`preset` may be null); empty: NaN, -1 or "" there.
  std::function<results::Cell(const Scenario&, const hw::Preset* preset)> before_run;
  // The text summary's line, "label  text" without indentation; empty function or text: none.
  std::function<std::string(const ScenarioOutcome&)> summary;
  // The JSON summary's entry when it is not "name": value (an object): writes key and value.
  std::function<void(results::JsonWriter&, const ScenarioOutcome&)> json;
  // A device kind's own column (hw::DeviceKind::columns): the device's value, or NaN / "".
  bool device = false;
};

// Every metric, in /scenarios column order (after scenario_id, point and replicate; before
// status and error).
const std::vector<Metric>& metrics();

// A summary line: `label` padded to the figures' column, then `text`.
std::string summary_line(const std::string& label, const std::string& text);

// The step's memory as a JSON object "memory_bytes" (weights, gradients, ..., total).
void write_memory_json(results::JsonWriter& json, const algorithms::MemoryFootprint& memory);

}  // namespace frugal::sim
