#include "sim/result_tables.h"

#include <string>

namespace frugal::sim {

using results::Cell;
using results::ColumnType;
using results::Table;

namespace {

std::string component_column(int k) {
  return "energy_" + std::string(hw::to_string(hw::component_from_index(k))) + "_j";
}

std::string phase_column(int p) {
  return "energy_" + std::string(workloads::to_string(workloads::phase_from_index(p))) + "_j";
}

}  // namespace

Table make_scenarios_table() {
  Table t("scenarios", "one row per scenario: its parameters and scalar results");
  t.add_column({"scenario_id", ColumnType::int64, "1", "index of the scenario in this file"});
  t.add_column({"model", ColumnType::string, "", "model spec"});
  t.add_column({"rule", ColumnType::string, "", "learning rule"});
  t.add_column({"optimizer", ColumnType::string, "", "optimizer (none for inference)"});
  t.add_column({"hw", ColumnType::string, "", "hardware preset name"});
  t.add_column({"device", ColumnType::string, "", "device kind of the preset"});
  t.add_column({"batch", ColumnType::int64, "1", "samples per step"});
  t.add_column({"seed", ColumnType::int64, "1", "seed of the scenario's random draws"});
  t.add_column({"params", ColumnType::int64, "1", "trainable parameters of the model"});
  t.add_column({"macs", ColumnType::int64, "1", "multiply-accumulates per step"});
  t.add_column({"other_ops", ColumnType::int64, "1", "other arithmetic operations per step"});
  t.add_column({"memory_bytes", ColumnType::int64, "B",
                "memory the step holds: weights, gradients, optimizer state, peak activations"});
  t.add_column({"activations_held_bytes", ColumnType::int64, "B",
                "activations stored by the forward pass for later phases"});
  t.add_column({"energy_j", ColumnType::float64, "J", "energy of one step"});
  for (int k = 0; k < hw::kComponentCount; ++k)
    t.add_column(
        {component_column(k), ColumnType::float64, "J",
         "energy of one step spent in " + std::string(hw::to_string(hw::component_from_index(k)))});
  for (int p = 0; p < workloads::kPhaseCount; ++p)
    t.add_column({phase_column(p), ColumnType::float64, "J",
                  "energy of one step spent in phase " +
                      std::string(workloads::to_string(workloads::phase_from_index(p)))});
  t.add_column({"latency_s", ColumnType::float64, "s", "time of one step"});
  t.add_column({"energy_per_sample_j", ColumnType::float64, "J", "energy_j / batch"});
  t.add_column({"average_power_w", ColumnType::float64, "W", "energy_j / latency_s"});
  t.add_column({"status", ColumnType::string, "", "ok, or failed"});
  t.add_column({"error", ColumnType::string, "", "why the scenario failed (empty when ok)"});
  return t;
}

Table make_ops_table() {
  Table t("ops", "per-op trace of each scenario's step, in execution order");
  t.add_column({"scenario_id", ColumnType::int64, "1", "scenario the op belongs to"});
  t.add_column({"op_index", ColumnType::int64, "1", "position of the op in the step"});
  t.add_column({"name", ColumnType::string, "", "op name"});
  t.add_column({"kind", ColumnType::string, "", "op kind (dense, activation, ...)"});
  t.add_column({"phase", ColumnType::string, "", "training-step phase"});
  t.add_column({"layer", ColumnType::int64, "1", "1-based layer index (0: none)"});
  t.add_column({"macs", ColumnType::int64, "1", "multiply-accumulates"});
  t.add_column({"other_ops", ColumnType::int64, "1", "other arithmetic operations"});
  t.add_column({"params", ColumnType::int64, "1", "parameters of the layer the op involves"});
  t.add_column({"bytes_read", ColumnType::int64, "B", "tensor bytes the op reads"});
  t.add_column({"bytes_written", ColumnType::int64, "B", "tensor bytes the op writes"});
  t.add_column({"sram_bytes", ColumnType::int64, "B", "on-chip memory traffic"});
  t.add_column({"dram_bytes", ColumnType::int64, "B", "off-chip memory traffic"});
  t.add_column({"start_s", ColumnType::float64, "s", "start time from the start of the step"});
  t.add_column({"latency_s", ColumnType::float64, "s", "duration of the op"});
  t.add_column({"energy_j", ColumnType::float64, "J", "energy of the op"});
  for (int k = 0; k < hw::kComponentCount; ++k)
    t.add_column(
        {component_column(k), ColumnType::float64, "J",
         "energy of the op spent in " + std::string(hw::to_string(hw::component_from_index(k)))});
  return t;
}

void append_scenario(Table& t, int64_t scenario_id, const ScenarioOutcome& o) {
  const hw::EnergyLedger& ledger = o.cost.ledger;
  const workloads::Graph& g = o.step.graph;
  std::vector<std::pair<std::string, Cell>> row = {
      {"scenario_id", scenario_id},
      {"model", o.scenario.model},
      {"rule", o.step.rule},
      {"optimizer", o.step.optimizer},
      {"hw", o.preset.name()},
      {"device", o.preset.device()},
      {"batch", o.scenario.batch},
      {"seed", o.scenario.seed},
      {"params", g.params()},
      {"macs", g.macs()},
      {"other_ops", g.other_ops()},
      {"memory_bytes", o.step.memory.total_bytes()},
      {"activations_held_bytes", o.step.memory.activations_bytes},
      {"energy_j", ledger.total()},
      {"latency_s", o.cost.latency_s},
      {"energy_per_sample_j", o.energy_per_sample_j()},
      {"average_power_w", o.cost.latency_s > 0 ? ledger.total() / o.cost.latency_s : 0.0},
      {"status", std::string("ok")},
      {"error", std::string()},
  };
  for (int k = 0; k < hw::kComponentCount; ++k)
    row.emplace_back(component_column(k), ledger.component(hw::component_from_index(k)));
  for (int p = 0; p < workloads::kPhaseCount; ++p)
    row.emplace_back(phase_column(p), ledger.phase(workloads::phase_from_index(p)));
  t.append_row(row);
}

void append_ops(Table& t, int64_t scenario_id, const ScenarioOutcome& o) {
  const auto& ops = o.step.graph.ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    const workloads::Op& op = ops[i];
    const hw::OpCost& c = o.cost.ops.at(i);
    std::vector<std::pair<std::string, Cell>> row = {
        {"scenario_id", scenario_id},
        {"op_index", static_cast<int64_t>(i)},
        {"name", op.name},
        {"kind", std::string(workloads::to_string(op.kind))},
        {"phase", std::string(workloads::to_string(op.phase))},
        {"layer", static_cast<int64_t>(op.layer)},
        {"macs", op.macs},
        {"other_ops", op.other_ops},
        {"params", op.params},
        {"bytes_read", op.bytes_read()},
        {"bytes_written", op.bytes_written()},
        {"sram_bytes", c.sram_bytes},
        {"dram_bytes", c.dram_bytes},
        {"start_s", c.start_s},
        {"latency_s", c.latency_s},
        {"energy_j", c.energy_total_j()},
    };
    for (int k = 0; k < hw::kComponentCount; ++k)
      row.emplace_back(component_column(k), c.energy_j[static_cast<size_t>(k)]);
    t.append_row(row);
  }
}

}  // namespace frugal::sim
