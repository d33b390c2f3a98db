#include "sim/report.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "results/json.h"
#include "results/units.h"
#include "sim/build_info.h"

namespace frugal::sim {

using results::JsonWriter;
using units::Dimension;
using units::format_si;

namespace {

// Schema of the result files (docs/results-schema.md); bump on any change to groups or columns.
constexpr const char* kSchemaVersion = "0.12.0";

std::vector<std::string> assumed_params(const hw::Preset& preset) {
  std::vector<std::string> names;
  for (const hw::PresetParam& p : preset.params())
    if (p.assumed()) names.push_back(p.spec.name);
  return names;
}

// Seconds as a reader thinks of times after programming: "1 s", "1 h", "30 d", "1 y".
std::string human_time(double seconds) {
  struct Unit {
    const char* name;
    double seconds;
  };
  static const Unit units[] = {{"y", 31536000.0}, {"d", 86400.0}, {"h", 3600.0}, {"min", 60.0}};
  char text[32];
  for (const Unit& u : units)
    if (seconds >= u.seconds) {
      std::snprintf(text, sizeof text, "%.3g %s", seconds / u.seconds, u.name);
      return text;
    }
  std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

std::string percent(double part, double total) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%5.1f%%", total > 0 ? 100.0 * part / total : 0.0);
  return buffer;
}

}  // namespace

std::string group_digits(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<size_t>(i), ",");
  return value < 0 ? "-" + digits : digits;
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_=.,:/+@%") == std::string::npos;
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (const char c : arg) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

void print_summary(std::ostream& out, const ScenarioOutcome& o, const std::string& out_path) {
  const hw::EnergyLedger& ledger = o.cost.ledger;
  const double total = ledger.total();
  const workloads::Graph& g = o.step.graph;
  const algorithms::MemoryFootprint& m = o.step.memory;
  out << "frugal " << version() << ": " << o.scenario.model << ", rule " << o.step.rule;
  if (o.step.optimizer != "none") out << " (" << o.step.optimizer << ")";
  out << ", on " << o.preset.name() << ", batch " << o.scenario.batch << "\n\n";

  out << "  parameters          " << group_digits(g.params()) << "\n";
  const bool replicas = o.scenario.devices > 1;
  out << (replicas ? "  MACs per device     " : "  MACs per step       ") << group_digits(g.macs())
      << "\n";
  out << (replicas ? "  memory per device   " : "  memory held         ")
      << format_si(static_cast<double>(m.total_bytes()), Dimension::bytes) << " (weights "
      << format_si(static_cast<double>(m.weights_bytes), Dimension::bytes) << ", gradients "
      << format_si(static_cast<double>(m.gradients_bytes), Dimension::bytes) << ", optimizer "
      << format_si(static_cast<double>(m.optimizer_state_bytes), Dimension::bytes)
      << ", peak activations "
      << format_si(static_cast<double>(m.peak_activation_bytes), Dimension::bytes) << ")\n";
  out << "  latency per step    " << format_si(o.cost.latency_s, Dimension::time) << "\n";
  out << "  energy per step     " << format_si(total, Dimension::energy) << "\n";
  out << "  energy per sample   " << format_si(o.energy_per_sample_j(), Dimension::energy) << "\n";
  if (o.cost.latency_s > 0)
    out << "  average power       " << format_si(total / o.cost.latency_s, Dimension::power)
        << "\n";
  for (const auto& [label, text] : o.device_summary.figures)
    out << "  " << std::left << std::setw(20) << label << std::right << text << "\n";
  if (o.scenario.devices > 1) {
    const algorithms::Parallelism& p = o.step.parallelism;
    out << "  devices             " << p.devices << " = " << p.data() << " data x " << p.tensor
        << " tensor x " << p.pipeline << " pipeline parallel (" << o.scenario.batch / p.data()
        << " samples per replica" << (p.shard_optimizer ? ", optimizer sharded" : "")
        << "); energy and power are all devices'\n";
  }
  if (const int64_t steps = o.job_steps(); steps > 0)
    out << "  whole job           " << group_digits(steps)
        << " steps: " << format_si(o.job_energy_j(), Dimension::energy) << " ("
        << format_si(o.job_energy_j() / 3.6e9, Dimension::dimensionless) << " MWh), "
        << format_si(o.job_time_s(), Dimension::time) << " ("
        << format_si(o.job_time_s() / 86400.0, Dimension::dimensionless) << " days)\n";
  if (o.cost.setup_energy_j > 0 || o.cost.setup_latency_s > 0)
    out << "  programming         " << format_si(o.cost.setup_energy_j, Dimension::energy)
        << " and " << format_si(o.cost.setup_latency_s, Dimension::time)
        << " once, to write the weights ("
        << group_digits(static_cast<int64_t>(o.cost.setup_writes_per_device))
        << " pulses per device; in the whole job, not in the step)\n";
  if (o.cost.endurance > 0 && (o.cost.writes_per_device_per_step > 0 || o.job_steps() > 0))
    out << "  device wear         " << o.cost.writes_per_device_per_step
        << " writes per device per step; "
        << (o.job_steps() > 0
                ? format_si(o.job_writes_per_device(), Dimension::dimensionless) +
                      " over the job, " +
                      format_si(100.0 * o.endurance_used(), Dimension::dimensionless) +
                      "% of the endurance (" +
                      format_si(o.cost.endurance, Dimension::dimensionless) + ")"
                : std::string("endurance ") + format_si(o.cost.endurance, Dimension::dimensionless))
        << "\n";
  if (o.job_steps() > 0 && (o.job_host_energy_j() > 0 || o.scenario.pue != 1.0))
    out << "  with the facility   "
        << format_si(o.job_host_energy_j() / 3.6e9, Dimension::dimensionless)
        << " MWh more for the servers (" << format_si(o.cost.host_power_w, Dimension::power)
        << " per device), x PUE " << o.scenario.pue << ": "
        << format_si(o.job_facility_energy_j() / 3.6e9, Dimension::dimensionless) << " MWh\n";
  if (o.job_steps() > 0) {
    char line[240];
    std::snprintf(
        line, sizeof line,
        "  carbon              %.4g kg CO2e: %.4g operational (%.4g gCO2e/kWh, %s), "
        "%.4g embodied\n",
        o.co2e_kg(), o.co2e_operational_kg(), o.grid_g_per_kwh,
        o.scenario.grid_g_per_kwh >= 0 ? "--grid-gco2-per-kwh" : o.scenario.region.c_str(),
        o.co2e_embodied_kg());
    out << line;
  }
  {
    char line[320];
    std::snprintf(line, sizeof line,
                  "  inefficiency        %s per MAC: %.3g x the Landauer limit, %.3g x the brain's "
                  "10 fJ per synaptic event; step / inference step %.3g",
                  format_si(o.energy_per_mac_j(), Dimension::energy).c_str(), o.landauer_factor(),
                  o.brain_factor(), o.training_to_inference());
    out << line;
    if (!std::isnan(o.rule_to_bp())) {
      char ratio[32];
      std::snprintf(ratio, sizeof ratio, ", / bp step %.3g", o.rule_to_bp());
      out << ratio;
    }
    out << "\n";
  }
  if (o.scenario.trials > 1 || o.scenario.inference_requests > 0) {
    const double training = o.trials_energy_j(), inference = o.inference_energy_j();
    char line[320];
    std::snprintf(line, sizeof line,
                  "  whole project       training %s (%lld trial%s, %.4g kg CO2e), inference of "
                  "%.4g requests %s (%.4g kg CO2e): %s dominates (%.0f%% of the energy)\n",
                  format_si(training, Dimension::energy).c_str(),
                  static_cast<long long>(o.scenario.trials), o.scenario.trials == 1 ? "" : "s",
                  o.trials_co2e_kg(), o.scenario.inference_requests,
                  format_si(inference, Dimension::energy).c_str(), o.inference_co2e_kg(),
                  inference > training ? "inference" : "training",
                  100 * std::max(training, inference) / std::max(1e-300, training + inference));
    out << line;
  }
  if (o.scenario.utilization > 0)
    out << "  calibrated          matrix products stretched to a model-FLOP utilization of "
        << o.scenario.utilization << " (--utilization)\n";

  out << "\n  energy by component\n";
  for (int k = 0; k < hw::kComponentCount; ++k) {
    const hw::Component c = hw::component_from_index(k);
    const double j = ledger.component(c);
    if (j == 0.0) continue;
    out << "    " << std::left << std::setw(16) << hw::to_string(c) << std::right << std::setw(12)
        << format_si(j, Dimension::energy) << "  " << percent(j, total) << "\n";
  }
  out << "\n  energy by phase                                   MACs\n";
  for (int p = 0; p < workloads::kPhaseCount; ++p) {
    const workloads::Phase phase = workloads::phase_from_index(p);
    const double j = ledger.phase(phase);
    if (j == 0.0) continue;
    out << "    " << std::left << std::setw(16) << workloads::to_string(phase) << std::right
        << std::setw(12) << format_si(j, Dimension::energy) << "  " << percent(j, total)
        << std::setw(22) << group_digits(g.macs(phase)) << "\n";
  }

  if (o.training) {
    const algorithms::TrainResult& t = *o.training;
    const bool deployed = !std::isnan(t.deployed_accuracy);
    out << "\n  trained (functional face, "
        << (deployed            ? std::string("bp in fp32, then deployed")
            : o.device_numerics ? "in " + o.preset.name() + "'s analog numerics"
                                : o.scenario.precision)
        << "): " << t.epochs.size() << " epoch" << (t.epochs.size() == 1 ? "" : "s") << " on "
        << o.scenario.dataset << " (" << group_digits(t.train_samples)
        << " training images), batch " << o.scenario.batch << ", lr " << o.scenario.learning_rate
        << " (" << o.scenario.lr_schedule << "), momentum " << o.scenario.momentum << "\n";
    out << "    epoch   train loss   train acc   test acc\n";
    for (const algorithms::EpochStats& e : t.epochs) {
      char line[96];
      char train_accuracy[16] = "      n/a";  // ff's steps do not predict
      if (!std::isnan(e.train_accuracy))
        std::snprintf(train_accuracy, sizeof train_accuracy, "%8.2f%%", 100 * e.train_accuracy);
      std::snprintf(line, sizeof line, "    %5lld   %10.4f   %s   %7.2f%%\n",
                    static_cast<long long>(e.epoch), e.train_loss, train_accuracy,
                    100 * e.test_accuracy);
      out << line;
    }
    if (deployed) {
      char line[160];
      std::snprintf(line, sizeof line,
                    "    deployed to %s: %.2f%% (accuracy loss %.2f points against the trained "
                    "network's %.2f%%)\n",
                    o.preset.name().c_str(), 100 * t.deployed_accuracy, 100 * t.accuracy_loss(),
                    100 * t.fp32_accuracy);
      out << line;
    } else if (o.scenario.precision != "fp32" || t.fp32_accuracy != t.final_test_accuracy()) {
      char line[128];
      std::snprintf(line, sizeof line,
                    "    the same training in ideal fp32: %.2f%% (accuracy loss %.2f points)\n",
                    100 * t.fp32_accuracy, 100 * t.accuracy_loss());
      out << line;
    }
    if (o.scenario.warm_started()) {
      char line[320];
      std::snprintf(line, sizeof line,
                    "    warm start from %s (trained %lld epochs to %.2f%%; its %s of training "
                    "is not in this job)\n",
                    o.scenario.warm_start.c_str(), static_cast<long long>(o.warm_start_epochs),
                    100 * o.warm_start_accuracy,
                    format_si(o.warm_start_energy_j, Dimension::energy).c_str());
      out << line;
    }
    if (o.scenario.early_stop > 0) {
      char line[240];
      std::snprintf(line, sizeof line,
                    "    early stopping (patience %lld, a tenth of the training set held out): "
                    "%zu of %lld epochs, %s saved, %.2f points given up (the whole schedule: "
                    "%.2f%%)\n",
                    static_cast<long long>(o.scenario.early_stop), t.epochs.size(),
                    static_cast<long long>(t.scheduled_epochs),
                    format_si(o.early_stop_energy_saved_j(), Dimension::energy).c_str(),
                    100 * o.early_stop_accuracy_given_up(), 100 * o.full_schedule_accuracy);
      out << line;
    }
    if (!std::isnan(t.pruned_accuracy)) {
      char line[160];
      std::snprintf(line, sizeof line,
                    "    pruned to %.3g%% zero weights (by magnitude): %.2f%% (%.2f%% before: "
                    "%.2f points given up)\n",
                    100 * o.scenario.sparsity, 100 * t.pruned_accuracy,
                    100 * t.trained_test_accuracy(),
                    100 * (t.trained_test_accuracy() - t.pruned_accuracy));
      out << line;
    }
    for (const std::string& note : o.device_summary.notes) out << "    " << note << "\n";
    if (!t.drift.empty()) {
      out << "    accuracy after programming (drift):";
      for (const algorithms::DriftPoint& d : t.drift) {
        char point[64];
        std::snprintf(point, sizeof point, " %s %.2f%%;", human_time(d.time_s).c_str(),
                      100 * d.accuracy);
        out << point;
      }
      out << "\n";
    }
    const double steps =
        std::ceil(static_cast<double>(t.train_samples) / static_cast<double>(o.scenario.batch)) *
        static_cast<double>(t.epochs.size());
    if (!deployed)  // a deployed network was trained off the device
      out << "    simulated training cost: " << format_si(steps * total, Dimension::energy) << ", "
          << format_si(steps * o.cost.latency_s, Dimension::time) << " on " << o.preset.name()
          << "\n";
  }

  const std::vector<std::string> assumed = assumed_params(o.preset);
  out << "\n  measured or published: preset " << o.preset.name() << " ("
      << o.preset.params().size() - assumed.size() << " parameters with sources; frugal presets "
      << "show " << o.preset.name() << ")\n";
  if (!assumed.empty()) {
    out << "  assumed:";
    for (size_t i = 0; i < assumed.size(); ++i) out << (i ? ", " : " ") << assumed[i];
    out << "\n";
  }
  if (!out_path.empty()) out << "\n  results written to " << out_path << "\n";
}

std::string summary_json(const ScenarioOutcome& o, const std::string& out_path) {
  const hw::EnergyLedger& ledger = o.cost.ledger;
  const algorithms::MemoryFootprint& m = o.step.memory;
  JsonWriter j;
  j.begin_object();
  j.key("frugal_version").value(version());
  j.key("scenario").begin_object();
  j.key("model").value(o.scenario.model);
  j.key("rule").value(o.step.rule);
  j.key("optimizer").value(o.step.optimizer);
  j.key("hw").value(o.preset.name());
  j.key("device").value(o.preset.device());
  j.key("batch").value(o.scenario.batch);
  j.key("seed").value(o.scenario.seed);
  j.end_object();
  j.key("params").value(o.step.graph.params());
  j.key("macs").value(o.step.graph.macs());
  write_memory_json(j, m);
  j.key("latency_s").value(o.cost.latency_s);
  j.key("energy_j").value(ledger.total());
  j.key("energy_per_sample_j").value(o.energy_per_sample_j());
  j.key("job_steps").value(o.job_steps());
  j.key("job_energy_j").value(o.job_energy_j());
  j.key("job_time_s").value(o.job_time_s());
  j.key("setup_energy_j").value(o.cost.setup_energy_j);
  j.key("setup_time_s").value(o.cost.setup_latency_s);
  j.key("writes_per_device").value(o.job_writes_per_device());
  j.key("endurance_used").value(o.endurance_used());
  j.key("job_host_energy_j").value(o.job_host_energy_j());
  j.key("co2e_operational_kg").value(o.co2e_operational_kg());
  j.key("co2e_embodied_kg").value(o.co2e_embodied_kg());
  j.key("co2e_kg").value(o.co2e_kg());
  j.key("trials_energy_j").value(o.trials_energy_j());
  j.key("inference_energy_j").value(o.inference_energy_j());
  j.key("job_facility_energy_j").value(o.job_facility_energy_j());
  j.key("energy_by_component_j").begin_object();
  for (int k = 0; k < hw::kComponentCount; ++k) {
    const hw::Component c = hw::component_from_index(k);
    j.key(std::string(hw::to_string(c))).value(ledger.component(c));
  }
  j.end_object();
  j.key("energy_by_phase_j").begin_object();
  for (int p = 0; p < workloads::kPhaseCount; ++p) {
    const workloads::Phase phase = workloads::phase_from_index(p);
    j.key(std::string(workloads::to_string(phase))).value(ledger.phase(phase));
  }
  j.end_object();
  j.key("macs_by_phase").begin_object();
  for (int p = 0; p < workloads::kPhaseCount; ++p) {
    const workloads::Phase phase = workloads::phase_from_index(p);
    j.key(std::string(workloads::to_string(phase))).value(o.step.graph.macs(phase));
  }
  j.end_object();
  if (o.training) {
    j.key("training").begin_object();
    j.key("dataset").value(o.scenario.dataset);
    j.key("train_samples").value(o.training->train_samples);
    j.key("accuracy").value(o.training->final_test_accuracy());
    j.key("macs_per_sample").value(o.training->macs_per_sample);
    j.key("epochs").begin_array();
    for (const algorithms::EpochStats& e : o.training->epochs) {
      j.begin_object();
      j.key("epoch").value(e.epoch);
      j.key("train_loss").value(e.train_loss);
      j.key("train_accuracy").value(e.train_accuracy);
      j.key("test_accuracy").value(e.test_accuracy);
      j.end_object();
    }
    j.end_array();
    j.key("drift").begin_array();
    for (const algorithms::DriftPoint& d : o.training->drift) {
      j.begin_object();
      j.key("time_s").value(d.time_s);
      j.key("accuracy").value(d.accuracy);
      j.end_object();
    }
    j.end_array();
    j.end_object();
  }
  j.key("assumed_parameters").begin_array();
  for (const std::string& name : assumed_params(o.preset)) j.value(name);
  j.end_array();
  j.key("out");
  if (out_path.empty())
    j.null();
  else
    j.value(out_path);
  j.end_object();
  return j.str();
}

void write_memory_json(JsonWriter& j, const algorithms::MemoryFootprint& m) {
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

std::vector<results::Attribute> root_attributes() {
  return {{"schema", std::string("frugal-results")},
          {"schema_version", std::string(kSchemaVersion)}};
}

std::string utc_now() {
  char created[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return created;
}

std::vector<results::Attribute> provenance(const Provenance& p) {
  return {
      {"frugal_version", version()},    {"git_sha", git_sha()},
      {"command_line", p.command_line}, {"created_utc", utc_now()},
      {"sweep_spec", p.sweep_spec},     {"config_files", p.config_files},
      {"hw_presets", p.hw_presets},     {"scenario_count", p.scenario_count},
      {"shard_index", p.shard_index},   {"shard_count", p.shard_count},
  };
}

}  // namespace frugal::sim
