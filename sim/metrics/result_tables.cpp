#include "sim/metrics/result_tables.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hw_models/device.h"
#include "results/core/error.h"
#include "results/core/units.h"
#include "sim/metrics/figures.h"
#include "sim/metrics/metrics.h"
#include "sim/scenario/options.h"

namespace frugal::sim {

using hw::Row;
using results::Cell;
using results::Column;
using results::ColumnType;
using results::Table;

namespace {

std::string component_column(int k) {
  return "energy_" + std::string(hw::to_string(hw::component_from_index(k))) + "_j";
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Table make_scenarios_table(const std::vector<ExtraColumn>& extra) {
  Table t("scenarios", "one row per scenario: its parameters and scalar results");
  t.add_column({"scenario_id", ColumnType::int64, "1",
                "index of the scenario in its sweep (dimension scale)"});
  t.add_column({"point", ColumnType::int64, "1",
                "parameter point of the sweep (replicates of a point share it)"});
  t.add_column({"replicate", ColumnType::int64, "1", "replicate of the point (--seeds), from 0"});
  for (const Metric& m : metrics()) t.add_column(m.column);
  t.add_column({"status", ColumnType::string, "", "ok, failed, crashed or timeout"});
  t.add_column(
      {"error", ColumnType::string, "", "why the scenario did not finish (empty when ok)"});
  for (const ExtraColumn& e : extra) t.add_column(e.spec);
  return t;
}

Table make_epochs_table() {
  Table t("epochs", "training curves: one row per scenario and epoch of a functional run");
  t.add_column({"scenario_id", ColumnType::int64, "1", "scenario the epoch belongs to"});
  t.add_column({"epoch", ColumnType::int64, "1", "epoch, from 1"});
  t.add_column({"train_loss", ColumnType::float64, "1", "mean training loss over the epoch"});
  t.add_column({"train_accuracy", ColumnType::float64, "1", "training accuracy (fraction)"});
  t.add_column({"test_accuracy", ColumnType::float64, "1", "test accuracy after the epoch"});
  t.add_column({"energy_j", ColumnType::float64, "J", "simulated energy up to the epoch's end"});
  t.add_column({"time_s", ColumnType::float64, "s", "simulated time up to the epoch's end"});
  return t;
}

Table make_drift_table() {
  Table t("drift",
          "accuracy against time after the weights were programmed (--drift-times): one row per "
          "scenario and time");
  t.add_column({"scenario_id", ColumnType::int64, "1", "scenario the point belongs to"});
  t.add_column({"time_s", ColumnType::float64, "s", "time since programming"});
  t.add_column({"accuracy", ColumnType::float64, "1", "test accuracy at that time (fraction)"});
  return t;
}

Table make_power_table() {
  Table t("power",
          "power over time of each scenario's step: samples offset..offset+count-1 of "
          "/power_samples, sample i covering t0_s + i*dt_s to t0_s + (i+1)*dt_s");
  t.add_column({"scenario_id", ColumnType::int64, "1", "scenario of the trace (dimension scale)"});
  t.add_column({"t0_s", ColumnType::float64, "s", "time of the first sample from the step start"});
  t.add_column({"dt_s", ColumnType::float64, "s", "sampling interval"});
  t.add_column({"offset", ColumnType::int64, "1", "first row of the trace in /power_samples"});
  t.add_column({"count", ColumnType::int64, "1", "number of samples"});
  return t;
}

Table make_power_samples_table() {
  Table t("power_samples", "power samples of every trace listed in /power, one after another");
  t.add_column({"power_w", ColumnType::float64, "W", "average power over the sample interval"});
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
  t.add_column(
      {"latency_s", ColumnType::float64, "s",
       "duration of the op (GPU, --runtime eager: with its wait for the host's dispatch)"});
  t.add_column({"energy_j", ColumnType::float64, "J", "energy of the op"});
  for (int k = 0; k < hw::kComponentCount; ++k)
    t.add_column(
        {component_column(k), ColumnType::float64, "J",
         "energy of the op spent in " + std::string(hw::to_string(hw::component_from_index(k)))});
  return t;
}

// The swept keys' cells: a preset parameter's SI value, an option's typed value, the part's name.
void add_extra_cells(Row& row, const ScenarioKey& key, const Scenario& scenario,
                     const hw::Preset* preset, const std::vector<ExtraColumn>& extra) {
  for (const ExtraColumn& e : extra) {
    if (e.hw_param) {
      const std::string name = e.key.substr(std::string(kHwParamPrefix).size());
      row.emplace_back(e.spec.name, preset && preset->has(name) ? preset->get(name) : kNaN);
    } else if (const ScenarioOption* o = find_option(e.key)) {
      row.emplace_back(e.spec.name, o->cell(scenario));
    } else {
      std::string value;
      for (const Setting& setting : key.settings)
        if (setting.first == e.key) value = setting.second;
      row.emplace_back(e.spec.name, value);
    }
  }
}

void append_scenario(Table& t, const ScenarioKey& key, const ScenarioOutcome& o,
                     const std::vector<ExtraColumn>& extra) {
  Row row = {{"scenario_id", key.id}, {"point", key.point}, {"replicate", key.replicate}};
  for (const Metric& m : metrics()) row.emplace_back(m.column.name, m.value(o));
  row.emplace_back("status", std::string("ok"));
  row.emplace_back("error", std::string());
  add_extra_cells(row, key, o.scenario, &o.preset, extra);
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

}  // namespace

std::string swept_column_name(const std::string& key) {
  std::string name = key;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return c == '-' || c == '.'; }, '_');
  return name;
}

std::vector<ExtraColumn> extra_columns(const std::vector<std::string>& keys) {
  const Table standard = make_scenarios_table({});
  std::vector<ExtraColumn> extra;
  for (const std::string& key : keys) {
    if (standard.has_column(swept_column_name(key))) continue;
    ExtraColumn e;
    e.key = key;
    if (key.rfind(kHwParamPrefix, 0) == 0) {
      const std::string name = key.substr(std::string(kHwParamPrefix).size());
      const hw::ParamSpec* spec = nullptr;
      std::string known;
      for (const hw::DeviceKind& kind : hw::device_kinds())
        for (const hw::ParamSpec& p : kind.params) {
          if (p.name == name && !spec) spec = &p;
          known += (known.empty() ? "" : ", ") + p.name;
        }
      if (!spec)
        throw InputError("unknown preset parameter '" + key + "' (known: " + known +
                         "; frugal presets show NAME lists a preset's parameters)");
      e.hw_param = true;
      e.spec = {swept_column_name(key), ColumnType::float64,
                std::string(units::symbol(spec->dimension)),
                "swept preset parameter " + key + ": " + spec->description};
    } else if (const ScenarioOption* o = find_option(key)) {
      e.spec = {o->column_name(), o->column_type(), o->unit,
                "swept option --" + key + ": " + o->help};
    } else {  // part
      e.spec = {key, ColumnType::string, "", "the sweep file's section ([NAME]) of the scenario"};
    }
    extra.push_back(std::move(e));
  }
  return extra;
}

void ResultTables::clear_rows() {
  for (Table* t : all()) t->clear_rows();
}

ResultTables make_result_tables(const std::vector<ExtraColumn>& extra) {
  ResultTables tables{make_scenarios_table(extra),
                      make_ops_table(),
                      make_epochs_table(),
                      make_power_table(),
                      make_power_samples_table(),
                      make_drift_table(),
                      {}};
  for (const hw::DeviceTable& d : hw::device_tables()) {
    Table t(d.name, d.description);
    for (const results::ColumnSpec& c : d.columns) t.add_column(c);
    tables.devices.push_back(std::move(t));
  }
  return tables;
}

Table& ResultTables::device(const std::string& name) {
  for (Table& t : devices)
    if (t.name() == name) return t;
  throw std::logic_error("no device kind declares a table '" + name + "'");
}

PowerTrace power_trace(const hw::Cost& cost, int samples) {
  PowerTrace trace;
  if (cost.latency_s <= 0 || samples < 1) return trace;
  trace.dt_s = cost.latency_s / samples;
  std::vector<double> energy(static_cast<size_t>(samples), 0.0);
  auto bin_of = [&](double t) {
    return std::clamp(static_cast<int>(std::floor(t / trace.dt_s)), 0, samples - 1);
  };
  for (const hw::OpCost& op : cost.ops) {
    const double e = op.energy_total_j();
    if (op.latency_s <= 0) {
      energy[static_cast<size_t>(bin_of(op.start_s))] += e;
      continue;
    }
    const double end = op.start_s + op.latency_s;
    for (int b = bin_of(op.start_s); b <= bin_of(end); ++b) {
      const double lo = std::max(op.start_s, b * trace.dt_s);
      const double hi = b == samples - 1 ? end : std::min(end, (b + 1) * trace.dt_s);
      if (hi > lo) energy[static_cast<size_t>(b)] += e * (hi - lo) / op.latency_s;
    }
  }
  for (double e : energy) trace.power_w.push_back(e / trace.dt_s);
  return trace;
}

void append_outcome(ResultTables& tables, const ScenarioKey& key, const ScenarioOutcome& outcome,
                    const std::vector<ExtraColumn>& extra) {
  append_scenario(tables.scenarios, key, outcome, extra);
  append_ops(tables.ops, key.id, outcome);
  const PowerTrace trace = power_trace(outcome.cost);
  tables.power.append_row({{"scenario_id", key.id},
                           {"t0_s", trace.t0_s},
                           {"dt_s", trace.dt_s},
                           {"offset", int64_t{0}},
                           {"count", static_cast<int64_t>(trace.power_w.size())}});
  for (double p : trace.power_w) tables.power_samples.append_row({{"power_w", p}});
  if (outcome.training) {
    // The simulated hardware's energy and time up to each epoch's end: steps × one step's cost.
    for (const algorithms::EpochStats& e : outcome.training->epochs)
      tables.epochs.append_row({{"scenario_id", key.id},
                                {"epoch", e.epoch},
                                {"train_loss", e.train_loss},
                                {"train_accuracy", e.train_accuracy},
                                {"test_accuracy", e.test_accuracy},
                                {"energy_j", training_energy_j(outcome, e.epoch)},
                                {"time_s", training_time_s(outcome, e.epoch)}});
    const auto& t = *outcome.training;
    for (const algorithms::DriftPoint& d : t.drift)
      tables.drift.append_row(
          {{"scenario_id", key.id}, {"time_s", d.time_s}, {"accuracy", d.accuracy}});
  }
  if (outcome.device_run)
    for (const auto& [name, rows] : outcome.device_run->tables) {
      results::Table& table = tables.device(name);
      for (hw::Row row : rows) {
        row.insert(row.begin(), {"scenario_id", key.id});
        table.append_row(row);
      }
    }
}

void append_failure(ResultTables& tables, const ScenarioKey& key, const Scenario& s,
                    const hw::Preset* preset, const std::string& status, const std::string& error,
                    const std::vector<ExtraColumn>& extra) {
  Row row = {{"scenario_id", key.id}, {"point", key.point}, {"replicate", key.replicate}};
  for (const Metric& m : metrics()) {
    if (m.before_run) {
      row.emplace_back(m.column.name, m.before_run(s, preset));
      continue;
    }
    // Counts are unknown (-1); energies and times are NaN; text is empty.
    if (m.column.type == ColumnType::int64)
      row.emplace_back(m.column.name, int64_t{-1});
    else if (m.column.type == ColumnType::string)
      row.emplace_back(m.column.name, std::string());
    else
      row.emplace_back(m.column.name, kNaN);
  }
  row.emplace_back("status", status);
  row.emplace_back("error", error);
  add_extra_cells(row, key, s, preset, extra);
  tables.scenarios.append_row(row);
  // Every scenario has a /power row; one that did not finish has no samples.
  tables.power.append_row({{"scenario_id", key.id},
                           {"t0_s", 0.0},
                           {"dt_s", kNaN},
                           {"offset", int64_t{0}},
                           {"count", int64_t{0}}});
}

std::string encode_tables(ResultTables& tables) {
  std::string encoded;
  for (const Table* t : tables.all()) results::encode(*t, encoded);
  return encoded;
}

ResultTables decode_tables(const std::string& encoded, const ResultTables& schema) {
  ResultTables tables = schema;
  size_t offset = 0;
  for (Table* t : tables.all()) {
    Table decoded = results::decode(encoded, offset);
    if (!decoded.same_schema(*t)) throw std::runtime_error("scenario result has other columns");
    *t = std::move(decoded);
  }
  if (offset != encoded.size()) throw std::runtime_error("scenario result has trailing bytes");
  return tables;
}

const std::vector<std::string>& table_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list = {"scenarios", "ops",           "epochs",
                                     "power",     "power_samples", "drift"};
    for (const hw::DeviceTable& d : hw::device_tables()) list.push_back(d.name);
    return list;
  }();
  return names;
}

std::string scale_column(const std::string& table) {
  return table == "scenarios" || table == "power" ? "scenario_id" : "";
}

}  // namespace frugal::sim
