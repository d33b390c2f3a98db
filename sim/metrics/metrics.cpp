#include "sim/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <sstream>

#include "hw_models/device.h"
#include "results/core/units.h"
#include "sim/metrics/figures.h"
#include "sim/scenario/options.h"

namespace frugal::sim {
namespace {

using results::Cell;
using results::ColumnSpec;
using results::ColumnType;
using units::Dimension;
using units::format_si;
using units::group_digits;
using Group = Metric::Group;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string printf_text(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_text(const char* format, ...) {
  char text[400];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return text;
}

Metric metric(ColumnSpec column, std::function<Cell(const ScenarioOutcome&)> value,
              std::function<std::string(const ScenarioOutcome&)> summary = {}) {
  Metric m;
  m.column = std::move(column);
  m.value = std::move(value);
  m.summary = std::move(summary);
  return m;
}

// A metric that describes the scenario (JSON "scenario"; known before it runs).
Metric described(ColumnSpec column, std::function<Cell(const ScenarioOutcome&)> value,
                 std::function<Cell(const Scenario&, const hw::Preset*)> before_run) {
  Metric m = metric(std::move(column), std::move(value));
  m.group = Group::scenario;
  m.before_run = std::move(before_run);
  return m;
}

// A scenario option's own column (sim/scenario/options.h): its declaration and its value.
Metric input(const std::string& key, Group group = Group::figure,
             std::function<std::string(const ScenarioOutcome&)> summary = {}) {
  const ScenarioOption& o = *find_option(key);
  Metric m = metric(
      o.column_spec(), [&o](const ScenarioOutcome& out) { return o.cell(out.scenario); },
      std::move(summary));
  m.group = group;
  m.before_run = [&o](const Scenario& s, const hw::Preset*) { return o.cell(s); };
  return m;
}

std::string energy(double j) { return format_si(j, Dimension::energy); }
std::string bytes(int64_t b) { return format_si(static_cast<double>(b), Dimension::bytes); }
std::string plain(double v) { return format_si(v, Dimension::dimensionless); }
std::string mass(double kg) { return format_si(kg, Dimension::mass); }
// Joules, with MWh beside them where those read better (from 0.01 MWh: a large job).
std::string energy_mwh(double j) {
  const double mwh = j / kJoulesPerMwh;
  return energy(j) + (mwh >= 0.01 ? " (" + plain(mwh) + " MWh)" : "");
}

std::vector<Metric> make_metrics() {
  const ColumnType i64 = ColumnType::int64, f64 = ColumnType::float64, text = ColumnType::string;
  std::vector<Metric> list;
  const auto add = [&list](Metric m) { list.push_back(std::move(m)); };

  add(input("model", Group::scenario));
  add(described(
      {"rule", text, "", "learning rule"}, [](const ScenarioOutcome& o) { return o.step.rule; },
      [](const Scenario& s, const hw::Preset*) { return s.rule; }));
  add(described(
      {"optimizer", text, "", "optimizer (none for inference)"},
      [](const ScenarioOutcome& o) { return o.step.optimizer; },
      [](const Scenario& s, const hw::Preset*) { return s.optimizer; }));
  add(described(
      {"hw", text, "", "hardware preset name"},
      [](const ScenarioOutcome& o) { return o.preset.name(); },
      [](const Scenario& s, const hw::Preset* p) { return p ? p->name() : s.hw; }));
  add(described(
      {"device", text, "", "device kind of the preset"},
      [](const ScenarioOutcome& o) { return o.preset.device(); },
      [](const Scenario&, const hw::Preset* p) { return p ? p->device() : std::string(); }));
  add(input("batch", Group::scenario));
  add(input("seed", Group::scenario));
  add(input("precision", Group::scenario));

  add(metric(
      {"params", i64, "1", "trainable parameters of the model"},
      [](const ScenarioOutcome& o) { return o.step.graph.params(); },
      [](const ScenarioOutcome& o) {
        return summary_line("parameters", group_digits(o.step.graph.params()));
      }));
  add(metric(
      {"macs", i64, "1", "multiply-accumulates per step"},
      [](const ScenarioOutcome& o) { return o.step.graph.macs(); },
      [](const ScenarioOutcome& o) {
        return summary_line(o.scenario.devices > 1 ? "MACs per device" : "MACs per step",
                            group_digits(o.step.graph.macs()));
      }));
  add(metric({"other_ops", i64, "1", "other arithmetic operations per step"},
             [](const ScenarioOutcome& o) { return o.step.graph.other_ops(); }));
  Metric memory = metric(
      {"memory_bytes", i64, "B",
       "memory the step holds: weights, gradients, optimizer state, peak activations"},
      [](const ScenarioOutcome& o) { return o.step.memory.total_bytes(); },
      [](const ScenarioOutcome& o) {
        const algorithms::MemoryFootprint& m = o.step.memory;
        return summary_line(o.scenario.devices > 1 ? "memory per device" : "memory held",
                            bytes(m.total_bytes()) + " (weights " + bytes(m.weights_bytes) +
                                ", gradients " + bytes(m.gradients_bytes) + ", optimizer " +
                                bytes(m.optimizer_state_bytes) + ", peak activations " +
                                bytes(m.peak_activation_bytes) + ")");
      });
  memory.json = [](results::JsonWriter& j, const ScenarioOutcome& o) {
    write_memory_json(j, o.step.memory);  // the breakdown, its total included
  };
  add(memory);
  add(metric({"activations_held_bytes", i64, "B",
              "activations stored by the forward pass for later phases"},
             [](const ScenarioOutcome& o) { return o.step.memory.activations_bytes; }));
  add(metric(
      {"energy_j", f64, "J", "energy of one step"},
      [](const ScenarioOutcome& o) { return step_energy_j(o); },
      [](const ScenarioOutcome& o) {
        return summary_line("energy per step", energy(step_energy_j(o)));
      }));
  for (int k = 0; k < hw::kComponentCount; ++k) {
    const hw::Component c = hw::component_from_index(k);
    Metric m = metric({"energy_" + std::string(hw::to_string(c)) + "_j", f64, "J",
                       "energy of one step spent in " + std::string(hw::to_string(c))},
                      [c](const ScenarioOutcome& o) { return o.cost.ledger.component(c); });
    m.group = Group::component;
    add(m);
  }
  for (int p = 0; p < workloads::kPhaseCount; ++p) {
    const workloads::Phase phase = workloads::phase_from_index(p);
    Metric m =
        metric({"energy_" + std::string(workloads::to_string(phase)) + "_j", f64, "J",
                "energy of one step spent in phase " + std::string(workloads::to_string(phase))},
               [phase](const ScenarioOutcome& o) { return o.cost.ledger.phase(phase); });
    m.group = Group::phase;
    add(m);
  }
  add(metric(
      {"latency_s", f64, "s", "time of one step"},
      [](const ScenarioOutcome& o) { return o.cost.latency_s; },
      [](const ScenarioOutcome& o) {
        return summary_line("latency per step", format_si(o.cost.latency_s, Dimension::time));
      }));
  add(metric(
      {"sample_latency_s", f64, "s",
       "time from one sample's input to its output: latency_s where the batch is computed "
       "together; on a spiking chip, which pipelines the batch's samples, one sample's timesteps "
       "and the layers' delays"},
      [](const ScenarioOutcome& o) { return sample_latency_s(o); },
      [](const ScenarioOutcome& o) -> std::string {
        if (o.cost.sample_latency_s <= 0) return "";
        return summary_line(
            "latency per sample",
            format_si(sample_latency_s(o), Dimension::time) + ", " + plain(throughput_sps(o)) +
                " samples/s at batch " + std::to_string(o.scenario.batch) +
                (o.step.inference ? " (pipelined)" : " (one sample after another, each learned)"));
      }));
  add(metric({"throughput_sps", f64, "1/s",
              "samples per second the device sustains at this batch: batch / latency_s"},
             [](const ScenarioOutcome& o) { return throughput_sps(o); }));
  add(metric(
      {"energy_per_sample_j", f64, "J", "energy_j / batch"},
      [](const ScenarioOutcome& o) { return energy_per_sample_j(o); },
      [](const ScenarioOutcome& o) {
        return summary_line("energy per sample", energy(energy_per_sample_j(o)));
      }));
  add(metric(
      {"average_power_w", f64, "W", "energy_j / latency_s"},
      [](const ScenarioOutcome& o) { return average_power_w(o); },
      [](const ScenarioOutcome& o) {
        return o.cost.latency_s > 0
                   ? summary_line("average power", format_si(average_power_w(o), Dimension::power))
                   : "";
      }));
  add(metric(
      {"job_steps", i64, "1",
       "steps of the whole job (--tokens, --samples-per-epoch x --epochs, or --train; 0: "
       "not given)"},
      [](const ScenarioOutcome& o) { return job_steps(o); },
      [](const ScenarioOutcome& o) -> std::string {
        if (job_steps(o) == 0) return "";
        // MWh beside the joules, and minutes to years beside the seconds, where they read
        // better (a large job).
        const double seconds = job_time_s(o);
        return summary_line(
            "whole job", group_digits(job_steps(o)) + " steps: " + energy_mwh(job_energy_j(o)) +
                             ", " + format_si(seconds, Dimension::time) +
                             (seconds >= 60 ? " (" + units::format_duration(seconds) + ")" : ""));
      }));
  add(metric({"job_energy_j", f64, "J",
              "energy of the whole job: job_steps x energy_j + setup_energy_j (0: no job)"},
             [](const ScenarioOutcome& o) { return job_energy_j(o); }));
  add(metric({"job_time_s", f64, "s",
              "duration of the whole job: job_steps x latency_s + setup_time_s (0: no job)"},
             [](const ScenarioOutcome& o) { return job_time_s(o); }));
  add(metric(
      {"setup_energy_j", f64, "J",
       "one-time work before the first step, outside energy_j: an analog chip "
       "programming its weights (write-verify); 0 for other devices"},
      [](const ScenarioOutcome& o) { return o.cost.setup_energy_j; },
      [](const ScenarioOutcome& o) -> std::string {
        if (o.cost.setup_energy_j <= 0 && o.cost.setup_latency_s <= 0) return "";
        return summary_line("programming",
                            energy(o.cost.setup_energy_j) + " and " +
                                format_si(o.cost.setup_latency_s, Dimension::time) +
                                " once, to write the weights (" +
                                group_digits(static_cast<int64_t>(o.cost.setup_writes_per_device)) +
                                " pulses per device; in the whole job, not in the step)");
      }));
  add(metric({"setup_time_s", f64, "s", "duration of that setup"},
             [](const ScenarioOutcome& o) { return o.cost.setup_latency_s; }));
  add(metric({"writes_per_device", f64, "1",
              "programming pulses the most-written memory device takes over the job (setup and "
              "updates; analog)"},
             [](const ScenarioOutcome& o) { return job_writes_per_device(o); }));
  add(metric(
      {"endurance_used", f64, "1",
       "writes_per_device over the preset's endurance (0 when the device does not wear); "
       "above 1 the job wears the devices out"},
      [](const ScenarioOutcome& o) { return endurance_used(o); },
      [](const ScenarioOutcome& o) -> std::string {
        const hw::Cost& c = o.cost;
        if (c.endurance <= 0 || (c.writes_per_device_per_step <= 0 && job_steps(o) == 0)) return "";
        std::ostringstream wear;
        wear << c.writes_per_device_per_step << " writes per device per step; "
             << (job_steps(o) > 0 ? plain(job_writes_per_device(o)) + " over the job, " +
                                        plain(100.0 * endurance_used(o)) + "% of the endurance (" +
                                        plain(c.endurance) + ")"
                                  : "endurance " + plain(c.endurance));
        return summary_line("device wear", wear.str());
      }));
  // The device kinds' own columns: this device's values, NaN or empty for the others'.
  for (const ColumnSpec& c : hw::device_columns()) {
    Metric m = metric(c, [c](const ScenarioOutcome& o) -> Cell {
      for (const auto& [name, value] : o.device_columns)
        if (name == c.name) return value;
      return c.type == ColumnType::string ? Cell(std::string()) : Cell(kNaN);
    });
    m.device = true;
    add(m);
  }
  add(input("utilization", Group::figure, [](const ScenarioOutcome& o) -> std::string {
    if (o.scenario.utilization <= 0) return "";
    std::ostringstream line;
    line << "matrix products stretched to a model-FLOP utilization of " << o.scenario.utilization
         << " (--utilization)";
    return summary_line("calibrated", line.str());
  }));
  add(metric({"job_host_energy_j", f64, "J",
              "energy of the servers around the devices over the whole job: the preset's "
              "host_power x devices x job_time_s (0 for devices without one)"},
             [](const ScenarioOutcome& o) { return job_host_energy_j(o); }));
  add(input("pue"));
  add(metric(
      {"job_facility_energy_j", f64, "J",
       "what the data centre draws for the whole job: (job_energy_j + "
       "job_host_energy_j) x pue"},
      [](const ScenarioOutcome& o) { return job_facility_energy_j(o); },
      [](const ScenarioOutcome& o) -> std::string {
        if (job_steps(o) == 0 || (job_host_energy_j(o) <= 0 && o.scenario.pue == 1.0)) return "";
        std::ostringstream line;
        line << energy_mwh(job_host_energy_j(o)) << " more for the servers ("
             << format_si(o.cost.host_power_w, Dimension::power) << " per device), x PUE "
             << o.scenario.pue << ": " << energy_mwh(job_facility_energy_j(o));
        return summary_line("with the facility", line.str());
      }));
  add(metric({"grid_gco2_per_kwh", f64, "g/kWh",
              "grid carbon intensity used (--region or --grid-gco2-per-kwh), gCO2e per kWh"},
             [](const ScenarioOutcome& o) { return grid_g_per_kwh(o); }));
  add(metric({"co2e_operational_kg", f64, "kg", "job_facility_energy_j x grid intensity, kg CO2e"},
             [](const ScenarioOutcome& o) { return co2e_operational_kg(o); }));
  add(metric({"co2e_embodied_kg", f64, "kg",
              "the devices' and their servers' manufacture, amortized over the time the job "
              "holds them (the preset's embodied_co2e, host_embodied_co2e, lifetime_years, "
              "lifetime_utilization), kg CO2e"},
             [](const ScenarioOutcome& o) { return co2e_embodied_kg(o); }));
  add(metric(
      {"co2e_kg", f64, "kg", "co2e_operational_kg + co2e_embodied_kg"},
      [](const ScenarioOutcome& o) { return co2e_kg(o); },
      [](const ScenarioOutcome& o) -> std::string {
        if (job_steps(o) == 0) return "";
        return summary_line(
            "carbon",
            printf_text(
                "%s CO2e: %s operational (%.4g gCO2e/kWh, %s), %s embodied",
                mass(co2e_kg(o)).c_str(), mass(co2e_operational_kg(o)).c_str(), grid_g_per_kwh(o),
                o.scenario.grid_g_per_kwh >= 0 ? "--grid-gco2-per-kwh" : o.scenario.region.c_str(),
                mass(co2e_embodied_kg(o)).c_str()));
      }));
  add(metric({"early_stop_energy_saved_j", f64, "J",
              "--early-stop: energy of the epochs not run (0 without)"},
             [](const ScenarioOutcome& o) { return early_stop_energy_saved_j(o); }));
  add(metric({"early_stop_accuracy_given_up", f64, "1",
              "--early-stop: the whole schedule's test accuracy minus this one's (NaN without)"},
             [](const ScenarioOutcome& o) { return early_stop_accuracy_given_up(o); }));
  add(input("target-accuracy", Group::figure, [](const ScenarioOutcome& o) -> std::string {
    if (!o.training || o.scenario.target_accuracy <= 0) return "";
    const std::string target = printf_text("%.4g%%", 100 * o.scenario.target_accuracy);
    if (epochs_to_target(o) == 0)
      return summary_line("to target", target + " not reached in " +
                                           std::to_string(o.training->epochs.size()) + " epochs");
    return summary_line("to target", target + " after " + std::to_string(epochs_to_target(o)) +
                                         " epochs: " + energy(energy_to_target_j(o)) + ", " +
                                         format_si(time_to_target_s(o), Dimension::time));
  }));
  add(metric({"epochs_to_target", i64, "1",
              "--target-accuracy: the first epoch whose test accuracy reaches it (0: none given, "
              "or not reached)"},
             [](const ScenarioOutcome& o) { return epochs_to_target(o); }));
  add(metric({"energy_to_target_j", f64, "J",
              "--target-accuracy: the device's energy to the end of that epoch, setup included "
              "(NaN: not reached)"},
             [](const ScenarioOutcome& o) { return energy_to_target_j(o); }));
  add(metric({"time_to_target_s", f64, "s",
              "--target-accuracy: the device's time to the end of that epoch, setup included "
              "(NaN: not reached)"},
             [](const ScenarioOutcome& o) { return time_to_target_s(o); }));
  add(input("warm-start"));
  add(metric({"warm_start_epochs", i64, "1",
              "--warm-start: epochs the start model had been trained (0 without)"},
             [](const ScenarioOutcome& o) { return o.warm_start_epochs; }));
  add(metric({"warm_start_energy_j", f64, "J",
              "--warm-start: the device energy of the job that trained the start model, as its "
              "file records it; not part of this job (0 without, or not costed)"},
             [](const ScenarioOutcome& o) { return o.warm_start_energy_j; }));
  add(input("trials"));
  add(metric(
      {"trials_energy_j", f64, "J",
       "the facility energy of all trials: job_facility_energy_j x trials (Schwartz et "
       "al.'s E.D.H: energy_per_sample_j x samples x epochs x trials, with servers and "
       "PUE)"},
      [](const ScenarioOutcome& o) { return trials_energy_j(o); },
      [](const ScenarioOutcome& o) -> std::string {
        const Scenario& s = o.scenario;
        if (s.trials <= 1 && s.inference_requests <= 0) return "";
        const double training = trials_energy_j(o), inference = inference_energy_j(o);
        return summary_line(
            "whole project",
            printf_text(
                "training %s (%lld trial%s, %s CO2e), inference of %.4g "
                "requests %s (%s CO2e): %s dominates (%.0f%% of the energy)",
                energy(training).c_str(), static_cast<long long>(s.trials),
                s.trials == 1 ? "" : "s", mass(trials_co2e_kg(o)).c_str(), s.inference_requests,
                energy(inference).c_str(), mass(inference_co2e_kg(o)).c_str(),
                inference > training ? "inference" : "training",
                100 * std::max(training, inference) / std::max(1e-300, training + inference)));
      }));
  add(metric({"trials_co2e_kg", f64, "kg", "co2e_kg x trials"},
             [](const ScenarioOutcome& o) { return trials_co2e_kg(o); }));
  add(input("inference-requests"));
  add(metric({"inference_energy_j", f64, "J",
              "facility energy of the inference requests on the same device (the inference "
              "step's energy per sample, servers, PUE)"},
             [](const ScenarioOutcome& o) { return inference_energy_j(o); }));
  add(metric(
      {"inference_co2e_kg", f64, "kg", "operational and embodied carbon of the inference requests"},
      [](const ScenarioOutcome& o) { return inference_co2e_kg(o); }));
  add(metric(
      {"energy_per_mac_j", f64, "J", "energy_j / macs"},
      [](const ScenarioOutcome& o) { return energy_per_mac_j(o); },
      [](const ScenarioOutcome& o) {
        std::string line = printf_text(
            "%s per MAC: %.3g x the Landauer limit, %.3g x the brain's 10 fJ per synaptic "
            "event; step / inference step %.3g",
            energy(energy_per_mac_j(o)).c_str(), landauer_factor(o), brain_factor(o),
            training_to_inference(o));
        if (!std::isnan(rule_to_bp(o))) line += printf_text(", / bp step %.3g", rule_to_bp(o));
        return summary_line("inefficiency", line);
      }));
  add(metric({"landauer_factor", f64, "1",
              "energy_per_mac_j over the Landauer limit k.T.ln2 at 300 K (2.871e-21 J): the "
              "physical inefficiency"},
             [](const ScenarioOutcome& o) { return landauer_factor(o); }));
  add(metric({"brain_factor", f64, "1",
              "energy_per_mac_j over the brain's ~10 fJ per synaptic event (Harris et al. 2012)"},
             [](const ScenarioOutcome& o) { return brain_factor(o); }));
  add(metric({"training_to_inference", f64, "1",
              "the step's energy over the same model's inference step on the same device (1 "
              "for inference): the cost of learning"},
             [](const ScenarioOutcome& o) { return training_to_inference(o); }));
  add(metric({"rule_to_bp", f64, "1",
              "the step's energy over bp's on the same device and model (NaN for inference): "
              "the algorithmic inefficiency against backprop"},
             [](const ScenarioOutcome& o) { return rule_to_bp(o); }));
  add(metric({"epochs", i64, "1", "training epochs run (0: cost only)"},
             [](const ScenarioOutcome& o) { return epochs_run(o); }));
  add(metric({"accuracy", f64, "1", "test accuracy after training (fraction; NaN without --train)"},
             [](const ScenarioOutcome& o) { return accuracy(o); }));
  add(metric({"accuracy_loss", f64, "1",
              "test accuracy of the same scenario trained in ideal fp32 minus this one's (0 "
              "for fp32; NaN without --train)"},
             [](const ScenarioOutcome& o) { return accuracy_loss(o); }));
  // Options declared with a column and not placed above: at the end, in the table's order.
  for (const ScenarioOption& o : scenario_options()) {
    const bool placed = std::any_of(list.begin(), list.end(), [&](const Metric& m) {
      return m.column.name == o.column_name();
    });
    if (!o.column.empty() && !placed) add(input(o.key));
  }
  return list;
}

}  // namespace

std::string summary_line(const std::string& label, const std::string& text) {
  std::ostringstream line;
  line << std::left << std::setw(20) << label << text;
  return line.str();
}

void write_memory_json(results::JsonWriter& j, const algorithms::MemoryFootprint& m) {
  j.key("memory_bytes").begin_object();
  j.key("weights").value(m.weights_bytes);
  j.key("gradients").value(m.gradients_bytes);
  j.key("optimizer_state").value(m.optimizer_state_bytes);
  j.key("feedback").value(m.feedback_bytes);
  j.key("activations_held").value(m.activations_bytes);
  j.key("peak_activations").value(m.peak_activation_bytes);
  j.key("total").value(m.total_bytes());
  j.end_object();
}

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> list = make_metrics();
  return list;
}

}  // namespace frugal::sim
