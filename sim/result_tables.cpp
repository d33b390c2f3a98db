#include "sim/result_tables.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hw_models/device.h"
#include "results/error.h"
#include "results/units.h"

namespace frugal::sim {

using results::Cell;
using results::Column;
using results::ColumnType;
using results::Table;

namespace {

std::string component_column(int k) {
  return "energy_" + std::string(hw::to_string(hw::component_from_index(k))) + "_j";
}

std::string phase_column(int p) {
  return "energy_" + std::string(workloads::to_string(workloads::phase_from_index(p))) + "_j";
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Table make_scenarios_table(const std::vector<ExtraColumn>& extra) {
  Table t("scenarios", "one row per scenario: its parameters and scalar results");
  t.add_column({"scenario_id", ColumnType::int64, "1",
                "index of the scenario in its sweep (dimension scale)"});
  t.add_column({"point", ColumnType::int64, "1",
                "parameter point of the sweep (replicates of a point share it)"});
  t.add_column({"replicate", ColumnType::int64, "1", "replicate of the point (--seeds), from 0"});
  t.add_column({"model", ColumnType::string, "", "model spec"});
  t.add_column({"rule", ColumnType::string, "", "learning rule"});
  t.add_column({"optimizer", ColumnType::string, "", "optimizer (none for inference)"});
  t.add_column({"hw", ColumnType::string, "", "hardware preset name"});
  t.add_column({"device", ColumnType::string, "", "device kind of the preset"});
  t.add_column({"batch", ColumnType::int64, "1", "samples per step"});
  t.add_column({"seed", ColumnType::int64, "1", "seed of the scenario's random draws"});
  t.add_column(
      {"precision", ColumnType::string, "", "number format of the functional run (--precision)"});
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
  t.add_column({"job_steps", ColumnType::int64, "1",
                "steps of the whole job (--tokens, --samples-per-epoch x --epochs, or --train; 0: "
                "not given)"});
  t.add_column({"job_energy_j", ColumnType::float64, "J",
                "energy of the whole job: job_steps x energy_j + setup_energy_j (0: no job)"});
  t.add_column({"job_time_s", ColumnType::float64, "s",
                "duration of the whole job: job_steps x latency_s + setup_time_s (0: no job)"});
  t.add_column({"setup_energy_j", ColumnType::float64, "J",
                "one-time work before the first step, outside energy_j: an analog chip "
                "programming its weights (write-verify); 0 for other devices"});
  t.add_column({"setup_time_s", ColumnType::float64, "s", "duration of that setup"});
  t.add_column({"writes_per_device", ColumnType::float64, "1",
                "programming pulses the most-written memory device takes over the job (setup and "
                "updates; analog)"});
  t.add_column({"endurance_used", ColumnType::float64, "1",
                "writes_per_device over the preset's endurance (0 when the device does not wear); "
                "above 1 the job wears the devices out"});
  for (const results::ColumnSpec& c : hw::device_columns()) t.add_column(c);
  t.add_column({"utilization", ColumnType::float64, "1",
                "--utilization: the model-FLOP utilization the GPU step was calibrated to (0: as "
                "modelled)"});
  t.add_column({"job_host_energy_j", ColumnType::float64, "J",
                "energy of the servers around the devices over the whole job: the preset's "
                "host_power x devices x job_time_s (0 for devices without one)"});
  t.add_column({"pue", ColumnType::float64, "1", "--pue: data-centre power usage effectiveness"});
  t.add_column({"job_facility_energy_j", ColumnType::float64, "J",
                "what the data centre draws for the whole job: (job_energy_j + "
                "job_host_energy_j) x pue"});
  t.add_column({"grid_gco2_per_kwh", ColumnType::float64, "g/kWh",
                "grid carbon intensity used (--region or --grid-gco2-per-kwh), gCO2e per kWh"});
  t.add_column({"co2e_operational_kg", ColumnType::float64, "kg",
                "job_facility_energy_j x grid intensity, kg CO2e"});
  t.add_column({"co2e_embodied_kg", ColumnType::float64, "kg",
                "the devices' and their servers' manufacture, amortized over the time the job "
                "holds them (the preset's embodied_co2e, host_embodied_co2e, lifetime_years, "
                "lifetime_utilization), kg CO2e"});
  t.add_column({"co2e_kg", ColumnType::float64, "kg", "co2e_operational_kg + co2e_embodied_kg"});
  t.add_column({"early_stop_energy_saved_j", ColumnType::float64, "J",
                "--early-stop: energy of the epochs not run (0 without)"});
  t.add_column({"early_stop_accuracy_given_up", ColumnType::float64, "1",
                "--early-stop: the whole schedule's test accuracy minus this one's (NaN without)"});
  t.add_column({"warm_start", ColumnType::string, "",
                "--warm-start: the model file training started from (empty: from scratch)"});
  t.add_column({"warm_start_epochs", ColumnType::int64, "1",
                "--warm-start: epochs the start model had been trained (0 without)"});
  t.add_column({"warm_start_energy_j", ColumnType::float64, "J",
                "--warm-start: the device energy of the job that trained the start model, as its "
                "file records it; not part of this job (0 without, or not costed)"});
  t.add_column({"trials", ColumnType::int64, "1", "--trials: hyper-parameter trials of the job"});
  t.add_column({"trials_energy_j", ColumnType::float64, "J",
                "the facility energy of all trials: job_facility_energy_j x trials (Schwartz et "
                "al.'s E.D.H: energy_per_sample_j x samples x epochs x trials, with servers and "
                "PUE)"});
  t.add_column({"trials_co2e_kg", ColumnType::float64, "kg", "co2e_kg x trials"});
  t.add_column({"inference_requests", ColumnType::float64, "1",
                "--inference-requests over the model's life"});
  t.add_column({"inference_energy_j", ColumnType::float64, "J",
                "facility energy of the inference requests on the same device (the inference "
                "step's energy per sample, servers, PUE)"});
  t.add_column({"inference_co2e_kg", ColumnType::float64, "kg",
                "operational and embodied carbon of the inference requests"});
  t.add_column({"energy_per_mac_j", ColumnType::float64, "J", "energy_j / macs"});
  t.add_column({"landauer_factor", ColumnType::float64, "1",
                "energy_per_mac_j over the Landauer limit k.T.ln2 at 300 K (2.871e-21 J): the "
                "physical inefficiency"});
  t.add_column(
      {"brain_factor", ColumnType::float64, "1",
       "energy_per_mac_j over the brain's ~10 fJ per synaptic event (Harris et al. 2012)"});
  t.add_column({"training_to_inference", ColumnType::float64, "1",
                "the step's energy over the same model's inference step on the same device (1 "
                "for inference): the cost of learning"});
  t.add_column({"rule_to_bp", ColumnType::float64, "1",
                "the step's energy over bp's on the same device and model (NaN for inference): "
                "the algorithmic inefficiency against backprop"});
  t.add_column({"epochs", ColumnType::int64, "1", "training epochs run (0: cost only)"});
  t.add_column({"accuracy", ColumnType::float64, "1",
                "test accuracy after training (fraction; NaN without --train)"});
  t.add_column({"accuracy_loss", ColumnType::float64, "1",
                "test accuracy of the same scenario trained in ideal fp32 minus this one's (0 "
                "for fp32; NaN without --train)"});
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
  t.add_column({"latency_s", ColumnType::float64, "s", "duration of the op"});
  t.add_column({"energy_j", ColumnType::float64, "J", "energy of the op"});
  for (int k = 0; k < hw::kComponentCount; ++k)
    t.add_column(
        {component_column(k), ColumnType::float64, "J",
         "energy of the op spent in " + std::string(hw::to_string(hw::component_from_index(k)))});
  return t;
}

void add_extra_cells(std::vector<std::pair<std::string, Cell>>& row, const ScenarioKey& key,
                     const hw::Preset* preset, const std::vector<ExtraColumn>& extra) {
  for (const ExtraColumn& e : extra) {
    if (e.hw_param) {
      const std::string name = e.key.substr(std::string(kHwParamPrefix).size());
      row.emplace_back(e.spec.name, preset && preset->has(name) ? preset->get(name) : kNaN);
      continue;
    }
    std::string value;
    for (const Setting& s : key.settings)
      if (s.first == e.key) value = s.second;
    row.emplace_back(e.spec.name, value);
  }
}

void append_scenario(Table& t, const ScenarioKey& key, const ScenarioOutcome& o,
                     const std::vector<ExtraColumn>& extra) {
  const hw::EnergyLedger& ledger = o.cost.ledger;
  const workloads::Graph& g = o.step.graph;
  std::vector<std::pair<std::string, Cell>> row = {
      {"scenario_id", key.id},
      {"point", key.point},
      {"replicate", key.replicate},
      {"model", o.scenario.model},
      {"rule", o.step.rule},
      {"optimizer", o.step.optimizer},
      {"hw", o.preset.name()},
      {"device", o.preset.device()},
      {"batch", o.scenario.batch},
      {"seed", o.scenario.seed},
      {"precision", o.scenario.precision},
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
      {"job_steps", o.job_steps()},
      {"job_energy_j", o.job_energy_j()},
      {"job_time_s", o.job_time_s()},
      {"setup_energy_j", o.cost.setup_energy_j},
      {"setup_time_s", o.cost.setup_latency_s},
      {"writes_per_device", o.job_writes_per_device()},
      {"endurance_used", o.endurance_used()},
      {"utilization", o.scenario.utilization},
      {"job_host_energy_j", o.job_host_energy_j()},
      {"pue", o.scenario.pue},
      {"job_facility_energy_j", o.job_facility_energy_j()},
      {"grid_gco2_per_kwh", o.grid_g_per_kwh},
      {"co2e_operational_kg", o.co2e_operational_kg()},
      {"co2e_embodied_kg", o.co2e_embodied_kg()},
      {"co2e_kg", o.co2e_kg()},
      {"energy_per_mac_j", o.energy_per_mac_j()},
      {"landauer_factor", o.landauer_factor()},
      {"brain_factor", o.brain_factor()},
      {"training_to_inference", o.training_to_inference()},
      {"rule_to_bp", o.rule_to_bp()},
      {"early_stop_energy_saved_j", o.early_stop_energy_saved_j()},
      {"early_stop_accuracy_given_up", o.early_stop_accuracy_given_up()},
      {"warm_start", o.scenario.warm_started() ? o.scenario.warm_start : std::string()},
      {"warm_start_epochs", o.warm_start_epochs},
      {"warm_start_energy_j", o.warm_start_energy_j},
      {"trials", o.scenario.trials},
      {"trials_energy_j", o.trials_energy_j()},
      {"trials_co2e_kg", o.trials_co2e_kg()},
      {"inference_requests", o.scenario.inference_requests},
      {"inference_energy_j", o.inference_energy_j()},
      {"inference_co2e_kg", o.inference_co2e_kg()},
      {"epochs", o.training ? static_cast<int64_t>(o.training->epochs.size()) : int64_t{0}},
      {"accuracy", o.training ? o.training->final_test_accuracy() : kNaN},
      {"accuracy_loss", o.training ? o.training->accuracy_loss() : kNaN},
  };
  for (int k = 0; k < hw::kComponentCount; ++k)
    row.emplace_back(component_column(k), ledger.component(hw::component_from_index(k)));
  for (int p = 0; p < workloads::kPhaseCount; ++p)
    row.emplace_back(phase_column(p), ledger.phase(workloads::phase_from_index(p)));
  // The device kinds' own columns: this device's values, NaN or empty for the others'.
  for (const results::ColumnSpec& c : hw::device_columns()) {
    const auto given = std::find_if(o.device_columns.begin(), o.device_columns.end(),
                                    [&](const auto& cell) { return cell.first == c.name; });
    if (given != o.device_columns.end())
      row.push_back(*given);
    else
      row.emplace_back(c.name, c.type == ColumnType::string ? Cell(std::string()) : Cell(kNaN));
  }
  add_extra_cells(row, key, &o.preset, extra);
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

std::vector<ExtraColumn> extra_columns(const std::vector<std::string>& keys) {
  const Table standard = make_scenarios_table({});
  std::vector<ExtraColumn> extra;
  for (const std::string& key : keys) {
    if (standard.has_column(key)) continue;
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
      e.spec = {key, ColumnType::float64, std::string(units::symbol(spec->dimension)),
                "swept preset parameter: " + spec->description};
    } else if (key == "part") {
      e.spec = {key, ColumnType::string, "", "the sweep file's section ([NAME]) of the scenario"};
    } else {
      e.spec = {key, ColumnType::string, "", "swept option " + key + ", as given"};
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
    const auto& t = *outcome.training;
    const int64_t batch = outcome.scenario.batch;
    const int64_t steps_per_epoch = (t.train_samples + batch - 1) / batch;
    for (const algorithms::EpochStats& e : t.epochs) {
      const auto steps = static_cast<double>(steps_per_epoch * e.epoch);
      tables.epochs.append_row({{"scenario_id", key.id},
                                {"epoch", e.epoch},
                                {"train_loss", e.train_loss},
                                {"train_accuracy", e.train_accuracy},
                                {"test_accuracy", e.test_accuracy},
                                {"energy_j", steps * outcome.cost.ledger.total()},
                                {"time_s", steps * outcome.cost.latency_s}});
    }
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
  std::vector<std::pair<std::string, Cell>> row = {
      {"scenario_id", key.id},
      {"point", key.point},
      {"replicate", key.replicate},
      {"model", s.model},
      {"rule", s.rule},
      {"optimizer", s.optimizer},
      {"hw", preset ? preset->name() : s.hw},
      {"device", preset ? preset->device() : std::string()},
      {"batch", s.batch},
      {"seed", s.seed},
      {"precision", s.precision},
      {"status", status},
      {"error", error},
  };
  for (const Column& c : tables.scenarios.columns()) {
    const std::string& name = c.spec().name;
    const bool given =
        std::any_of(row.begin(), row.end(), [&](const auto& r) { return r.first == name; });
    const bool is_extra =
        std::any_of(extra.begin(), extra.end(), [&](const auto& e) { return e.spec.name == name; });
    if (given || is_extra) continue;
    // Counts are unknown (-1); energies and times are NaN; text is empty.
    if (c.spec().type == ColumnType::int64)
      row.emplace_back(name, int64_t{-1});
    else if (c.spec().type == ColumnType::string)
      row.emplace_back(name, std::string());
    else
      row.emplace_back(name, kNaN);
  }
  add_extra_cells(row, key, preset, extra);
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
