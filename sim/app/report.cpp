#include "sim/app/report.h"

#include <cmath>
#include <cstdio>
#include <iomanip>

#include "algorithms/learning_rule.h"
#include "results/core/build_info.h"
#include "results/core/units.h"
#include "results/files/json.h"
#include "sim/metrics/figures.h"
#include "sim/metrics/metrics.h"

namespace frugal::sim {

using results::JsonWriter;
using units::Dimension;
using units::format_si;
using units::group_digits;
using Group = Metric::Group;

namespace {

std::vector<std::string> assumed_params(const hw::Preset& preset) {
  std::vector<std::string> names;
  for (const hw::PresetParam& p : preset.params())
    if (p.assumed()) names.push_back(p.spec.name);
  return names;
}

std::string percent(double part, double total) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%5.1f%%", total > 0 ? 100.0 * part / total : 0.0);
  return buffer;
}

// The network trained (or deployed) by --train: its epochs and what became of it.
void print_training(std::ostream& out, const ScenarioOutcome& o) {
  const algorithms::TrainResult& t = *o.training;
  const bool deployed = !std::isnan(t.deployed_accuracy);
  out << "\n  trained (functional face, "
      << (deployed ? algorithms::rule_info(o.scenario.rule).trained_by + " in fp32, then deployed"
          : o.device_learner
              ? "as spikes on " + o.preset.name() + ", by the chip's own " + o.scenario.rule
          : o.device_numerics ? "in " + o.preset.name() + "'s own numerics"
                              : o.scenario.precision)
      << "): " << t.epochs.size() << " epoch" << (t.epochs.size() == 1 ? "" : "s") << " on "
      << o.scenario.dataset << " (" << group_digits(t.train_samples) << " training images), batch "
      << o.scenario.batch << ", lr " << o.scenario.learning_rate << " (" << o.scenario.lr_schedule
      << "), momentum " << o.scenario.momentum << "\n";
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
  char line[320];
  if (deployed) {
    std::snprintf(line, sizeof line,
                  "    deployed to %s: %.2f%% (accuracy loss %.2f points against the trained "
                  "network's %.2f%%)\n",
                  o.preset.name().c_str(), 100 * t.deployed_accuracy, 100 * t.accuracy_loss(),
                  100 * t.fp32_accuracy);
    out << line;
  } else if (o.scenario.precision != "fp32" || t.fp32_accuracy != t.final_test_accuracy()) {
    std::snprintf(line, sizeof line,
                  o.device_learner
                      ? "    the same rule in ideal fp32, not spiking: %.2f%% (accuracy loss %.2f "
                        "points)\n"
                      : "    the same training in ideal fp32: %.2f%% (accuracy loss %.2f points)\n",
                  100 * t.fp32_accuracy, 100 * t.accuracy_loss());
    out << line;
  }
  if (o.scenario.warm_started()) {
    std::snprintf(line, sizeof line,
                  "    warm start from %s (trained %lld epochs to %.2f%%; its %s of training is "
                  "not in this job)\n",
                  o.scenario.warm_start.c_str(), static_cast<long long>(o.warm_start_epochs),
                  100 * o.warm_start_accuracy,
                  format_si(o.warm_start_energy_j, Dimension::energy).c_str());
    out << line;
  }
  if (o.scenario.early_stop > 0) {
    std::snprintf(line, sizeof line,
                  "    early stopping (patience %lld, a tenth of the training set held out): %zu "
                  "of %lld epochs, %s saved, %.2f points given up (the whole schedule: %.2f%%)\n",
                  static_cast<long long>(o.scenario.early_stop), t.epochs.size(),
                  static_cast<long long>(t.scheduled_epochs),
                  format_si(early_stop_energy_saved_j(o), Dimension::energy).c_str(),
                  100 * early_stop_accuracy_given_up(o), 100 * o.full_schedule_accuracy);
    out << line;
  }
  if (!std::isnan(t.pruned_accuracy)) {
    std::snprintf(line, sizeof line,
                  "    pruned to %.3g%% zero weights (by magnitude): %.2f%% (%.2f%% before: %.2f "
                  "points given up)\n",
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
      std::snprintf(point, sizeof point, " %s %.2f%%;", units::format_duration(d.time_s).c_str(),
                    100 * d.accuracy);
      out << point;
    }
    out << "\n";
  }
  if (!deployed) {  // a deployed network was trained off the device
    const auto epochs = static_cast<int64_t>(t.epochs.size());
    out << "    simulated training cost: "
        << format_si(training_energy_j(o, epochs), Dimension::energy) << ", "
        << format_si(training_time_s(o, epochs), Dimension::time) << " on " << o.preset.name()
        << "\n";
  }
}

// A group of the step's energy (by component, by phase) as a table of its nonzero parts.
void print_energy_parts(std::ostream& out, const ScenarioOutcome& o, Group group) {
  const double total = step_energy_j(o);
  const bool phases = group == Group::phase;
  out << (phases ? "\n  energy by phase                                   MACs\n"
                 : "\n  energy by component\n");
  int index = 0;
  for (const Metric& m : metrics()) {
    if (m.group != group) continue;
    const double j = std::get<double>(m.value(o));
    const int i = index++;
    if (j == 0.0) continue;
    // energy_<part>_j
    const std::string part = m.column.name.substr(7, m.column.name.size() - 9);
    out << "    " << std::left << std::setw(16) << part << std::right << std::setw(12)
        << format_si(j, Dimension::energy) << "  " << percent(j, total);
    if (phases)
      out << std::setw(22) << group_digits(o.step.graph.macs(workloads::phase_from_index(i)));
    out << "\n";
  }
}

void write_cell(JsonWriter& j, const results::Cell& cell) {
  if (const auto* i = std::get_if<int64_t>(&cell))
    j.value(*i);
  else if (const auto* d = std::get_if<double>(&cell))
    j.value(*d);
  else
    j.value(std::get<std::string>(cell));
}

}  // namespace

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
  out << "frugal " << version() << ": " << o.scenario.model << ", rule " << o.step.rule;
  if (o.step.optimizer != "none") out << " (" << o.step.optimizer << ")";
  out << ", on " << o.preset.name() << ", batch " << o.scenario.batch << "\n";
  if (o.scenario.devices > 1) {
    const algorithms::Parallelism& p = o.step.parallelism;
    out << "  devices             " << p.devices << " = " << p.data() << " data x " << p.tensor
        << " tensor x " << p.pipeline << " pipeline parallel (" << o.scenario.batch / p.data()
        << " samples per replica" << (p.shard_optimizer ? ", optimizer sharded" : "")
        << "); energy and power are all devices'\n";
  }
  out << "\n";
  bool device_figures = false;
  for (const Metric& m : metrics()) {
    if (m.device && !device_figures) {  // where the device kinds' own columns are
      device_figures = true;
      for (const auto& [label, text] : o.device_summary.figures)
        out << "  " << summary_line(label, text) << "\n";
    }
    if (!m.summary) continue;
    const std::string line = m.summary(o);
    if (!line.empty()) out << "  " << line << "\n";
  }
  print_energy_parts(out, o, Group::component);
  print_energy_parts(out, o, Group::phase);
  if (o.training) print_training(out, o);

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
  JsonWriter j;
  j.begin_object();
  j.key("frugal_version").value(version());
  j.key("scenario").begin_object();
  for (const Metric& m : metrics())
    if (m.group == Group::scenario) write_cell(j.key(m.column.name), m.value(o));
  j.end_object();
  for (const Metric& m : metrics()) {
    if (m.group != Group::figure) continue;
    if (m.json)
      m.json(j, o);
    else
      write_cell(j.key(m.column.name), m.value(o));
  }
  for (const Group group : {Group::component, Group::phase}) {
    j.key(group == Group::component ? "energy_by_component_j" : "energy_by_phase_j").begin_object();
    for (const Metric& m : metrics())
      if (m.group == group)  // energy_<part>_j
        write_cell(j.key(m.column.name.substr(7, m.column.name.size() - 9)), m.value(o));
    j.end_object();
  }
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

}  // namespace frugal::sim
