#include "sim/metrics/figures.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "algorithms/learning_rule.h"
#include "workloads/graph.h"

namespace frugal::sim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

int64_t steps_per_epoch(int64_t samples, int64_t batch) { return (samples + batch - 1) / batch; }

int64_t job_steps(const ScenarioOutcome& o) {
  const Scenario& s = o.scenario;
  if (s.tokens > 0)
    return static_cast<int64_t>(
        std::ceil(s.tokens / (static_cast<double>(s.batch) *
                              static_cast<double>(std::max<int64_t>(1, o.input_per_sample)))));
  if (s.samples_per_epoch > 0)
    return workloads::checked_mul(steps_per_epoch(s.samples_per_epoch, s.batch), s.epochs);
  // A deployed network's training happened off the device: no job of inference steps.
  if (o.training && !o.step.inference)
    return workloads::checked_mul(steps_per_epoch(o.training->train_samples, s.batch),
                                  epochs_run(o));
  return 0;
}

double energy_per_mac_j(const ScenarioOutcome& o) {
  const auto macs = static_cast<double>(o.step.graph.macs());
  return macs > 0 ? o.cost.ledger.total() / macs : kNaN;
}

double training_to_inference(const ScenarioOutcome& o) {
  return o.inference_step_energy_j > 0 ? o.cost.ledger.total() / o.inference_step_energy_j : kNaN;
}

double rule_to_bp(const ScenarioOutcome& o) {
  return o.reference_step_energy_j > 0 ? o.cost.ledger.total() / o.reference_step_energy_j : kNaN;
}

int64_t epochs_run(const ScenarioOutcome& o) {
  return o.training ? static_cast<int64_t>(o.training->epochs.size()) : 0;
}

int64_t epochs_saved(const ScenarioOutcome& o) {
  return o.training && o.scenario.early_stop > 0 ? o.scenario.epochs - epochs_run(o) : 0;
}

double early_stop_energy_saved_j(const ScenarioOutcome& o) {
  return o.training && epochs_saved(o) > 0 ? training_energy_j(o, epochs_saved(o)) : 0.0;
}

double early_stop_accuracy_given_up(const ScenarioOutcome& o) {
  return o.training ? o.full_schedule_accuracy - o.training->final_test_accuracy() : kNaN;
}

int64_t epochs_to_target(const ScenarioOutcome& o) {
  if (!o.training || o.scenario.target_accuracy <= 0) return 0;
  for (const algorithms::EpochStats& e : o.training->epochs)
    if (e.test_accuracy >= o.scenario.target_accuracy) return e.epoch;
  return 0;
}

double energy_to_target_j(const ScenarioOutcome& o) {
  const int64_t epochs = epochs_to_target(o);
  return epochs > 0 ? training_energy_j(o, epochs) + o.cost.setup_energy_j : kNaN;
}

double time_to_target_s(const ScenarioOutcome& o) {
  const int64_t epochs = epochs_to_target(o);
  return epochs > 0 ? training_time_s(o, epochs) + o.cost.setup_latency_s : kNaN;
}

double training_energy_j(const ScenarioOutcome& o, int64_t epochs) {
  const int64_t steps = steps_per_epoch(o.training->train_samples, o.scenario.batch) * epochs;
  return static_cast<double>(steps) * o.cost.ledger.total();
}

double training_time_s(const ScenarioOutcome& o, int64_t epochs) {
  const int64_t steps = steps_per_epoch(o.training->train_samples, o.scenario.batch) * epochs;
  return static_cast<double>(steps) * o.cost.latency_s;
}

double accuracy(const ScenarioOutcome& o) {
  return o.training ? o.training->final_test_accuracy() : kNaN;
}

double accuracy_loss(const ScenarioOutcome& o) {
  return o.training ? o.training->accuracy_loss() : kNaN;
}

ModelFile trained_model(const ScenarioOutcome& o) {
  ModelFile model;
  model.model = o.scenario.model;
  model.rule = algorithms::rule_info(o.scenario.rule).trained_by;
  model.dataset = o.scenario.dataset;
  model.epochs = epochs_run(o) + o.warm_start_epochs;
  model.test_accuracy = std::isnan(o.training->pruned_accuracy)
                            ? o.training->trained_test_accuracy()
                            : o.training->pruned_accuracy;
  model.training_energy_j = job_energy_j(o) + o.warm_start_energy_j;
  model.hw = o.preset.name();
  model.layers = o.weights;
  return model;
}

}  // namespace frugal::sim
