#include "sim/run_scenario.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "results/error.h"
#include "sim/carbon.h"
#include "workloads/dataset.h"
#include "workloads/model_registry.h"

namespace frugal::sim {

hw::Preset resolve_preset(const Scenario& scenario) {
  hw::Preset preset = hw::find_preset(scenario.hw);
  for (const auto& [name, value] : scenario.hw_params) preset.set(name, value, "set by the user");
  return preset;
}

double ScenarioOutcome::energy_per_mac_j() const {
  const auto macs = static_cast<double>(step.graph.macs());
  return macs > 0 ? cost.ledger.total() / macs : std::numeric_limits<double>::quiet_NaN();
}

double ScenarioOutcome::rule_to_bp() const {
  if (is_reference_rule) return 1.0;
  if (bp_step_energy_j <= 0) return std::numeric_limits<double>::quiet_NaN();
  return cost.ledger.total() / bp_step_energy_j;
}

int64_t ScenarioOutcome::job_steps() const {
  const Scenario& s = scenario;
  const auto ceil_div = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  if (s.tokens > 0)
    return static_cast<int64_t>(
        std::ceil(s.tokens / (static_cast<double>(s.batch) *
                              static_cast<double>(std::max<int64_t>(1, input_per_sample)))));
  if (s.samples_per_epoch > 0)
    return workloads::checked_mul(ceil_div(s.samples_per_epoch, s.batch), s.epochs);
  // A deployed network's training happened off the device: no job of inference steps.
  if (training && !step.inference)
    return workloads::checked_mul(ceil_div(training->train_samples, s.batch),
                                  static_cast<int64_t>(training->epochs.size()));
  return 0;
}

ModelFile trained_model(const ScenarioOutcome& o) {
  ModelFile model;
  model.model = o.scenario.model;
  model.rule = algorithms::rule_info(o.scenario.rule).trained_by;
  model.dataset = o.scenario.dataset;
  model.epochs = static_cast<int64_t>(o.training->epochs.size()) + o.warm_start_epochs;
  model.test_accuracy = std::isnan(o.training->pruned_accuracy)
                            ? o.training->trained_test_accuracy()
                            : o.training->pruned_accuracy;
  model.training_energy_j = o.job_energy_j() + o.warm_start_energy_j;
  model.hw = o.preset.name();
  model.layers = o.weights;
  return model;
}

hw::StepRequest step_request(const Scenario& s) {
  const algorithms::RuleInfo& rule = algorithms::rule_info(s.rule);
  hw::StepRequest r;
  r.precision = s.precision;
  r.parallelism = parallelism(s);
  r.utilization = s.utilization;
  r.rule = rule.name;
  r.inference = rule.inference;
  r.trained = s.train;
  r.timesteps = s.timesteps;
  r.spike_rate = s.spike_rate;
  return r;
}

algorithms::Parallelism parallelism(const Scenario& s) {
  algorithms::Parallelism p;
  p.devices = s.devices;
  p.tensor = s.tensor_parallel;
  p.pipeline = s.pipeline_parallel;
  p.micro_batches = s.micro_batches;
  p.shard_optimizer = s.shard_optimizer;
  p.devices_per_node = s.devices_per_node;
  return p;
}

ScenarioOutcome run_scenario(const Scenario& scenario, bool keep_weights) {
  validate(scenario);
  // Resolve every name before any work, so a typo fails fast.
  const auto rule = algorithms::make_rule(scenario.rule);
  const algorithms::RuleInfo& rule_info = rule->info();
  algorithms::find_optimizer(scenario.optimizer);
  hw::Preset preset = resolve_preset(scenario);
  const auto device = hw::make_device(preset);
  const hw::StepRequest request = step_request(scenario);
  device->check(request);
  workloads::BuildOptions options = build_options(scenario);
  options.element_bytes = device->element_bytes(scenario.precision);
  options.batch = scenario.batch / parallelism(scenario).data();  // one replica's share
  const workloads::Graph forward = workloads::build_model(scenario.model, options);
  algorithms::StepOptions step_options;
  step_options.optimizer = scenario.optimizer;
  algorithms::TrainingStep step = rule->expand(forward, step_options);
  step.precision = scenario.precision;
  step.utilization = scenario.utilization;
  step.weight_sparsity = scenario.sparsity;
  if (scenario.activation_checkpointing) algorithms::checkpoint_activations(step);
  algorithms::spread(step, parallelism(scenario));
  device->prepare(step, request);
  std::optional<ModelFile> warm;
  if (scenario.warm_started()) warm = read_model_file(scenario.warm_start);
  // A device whose cost depends on the trained network's activity (a spiking chip's measured
  // spikes) is costed once the network has run on it.
  const bool cost_after_training = device->costs_measured_activity(request);
  hw::Cost cost = cost_after_training ? hw::Cost{} : device->simulate(step);
  ScenarioOutcome outcome{scenario, std::move(step), std::move(preset), std::move(cost)};
  outcome.device_columns = device->columns(outcome.step);
  outcome.device_summary = device->summary(outcome.step);
  outcome.grid_g_per_kwh = grid_g_per_kwh(scenario);
  // The same model's step under another rule on the same device: inference (the model's life
  // after training, and the algorithmic factor) and bp (each rule against backprop).
  const auto step_cost = [&](const std::string& rule_name) {
    algorithms::StepOptions other_options;
    other_options.optimizer = scenario.optimizer;
    algorithms::TrainingStep other =
        algorithms::make_rule(rule_name)->expand(forward, other_options);
    other.precision = scenario.precision;
    other.timesteps = outcome.step.timesteps;
    other.spike_rates = outcome.step.spike_rates;
    other.weight_sparsity = outcome.step.weight_sparsity;
    if (scenario.activation_checkpointing && !other.inference)
      algorithms::checkpoint_activations(other);
    algorithms::spread(other, parallelism(scenario));
    return device->simulate(other);
  };
  if (!rule_info.inference) {
    const hw::Cost c = step_cost(algorithms::forward_only_rule().name);
    outcome.inference_step_energy_j = c.ledger.total();
    outcome.inference_step_s = c.latency_s;
  }
  outcome.is_reference_rule = rule_info.reference == rule_info.name;
  if (!rule_info.reference.empty() && !outcome.is_reference_rule)
    outcome.bp_step_energy_j = step_cost(rule_info.reference).ledger.total();
  outcome.input_per_sample = forward.tensor(forward.input_tensor()).elements / forward.batch();
  if (warm) {
    outcome.warm_start_epochs = warm->epochs;
    outcome.warm_start_energy_j = warm->training_energy_j;
    outcome.warm_start_accuracy = warm->test_accuracy;
  }
  if (scenario.train) {
    // A worker process keeps the last data set it read: sweeps over other options reuse it.
    static std::string loaded_key;
    static workloads::DataSplit loaded;
    const std::string key =
        scenario.dataset + "\n" + scenario.data_dir + "\n" + std::to_string(scenario.train_subset) +
        "\n" + std::to_string(scenario.test_subset) + "\n" + std::to_string(scenario.seed);
    if (key != loaded_key) {
      loaded = workloads::load_dataset(scenario.dataset, scenario.data_dir, scenario.train_subset,
                                       scenario.test_subset, static_cast<uint64_t>(scenario.seed));
      loaded_key = key;
    }
    // rule inference: the network is trained off the device (backprop, ideal fp32) and then
    // deployed to it, where its accuracy is measured; any other rule trains on the device.
    const bool deploy = rule_info.inference;
    algorithms::TrainOptions train;
    train.rule = rule_info.trained_by;
    train.epochs = scenario.epochs;
    train.batch = scenario.batch;
    train.learning_rate = scenario.learning_rate;
    train.optimizer = scenario.optimizer;
    train.momentum = scenario.momentum;
    train.lr_schedule = scenario.lr_schedule;
    train.seed = static_cast<uint64_t>(scenario.seed);
    train.numerics = deploy ? "fp32" : scenario.precision;
    // The device's arithmetic: its own numerics (analog), else --precision's digital format.
    std::function<std::unique_ptr<algorithms::Numerics>()> on_device;
    outcome.device_numerics = device->numerics(train.seed) != nullptr;
    if (outcome.device_numerics) {
      on_device = [&device, seed = train.seed] { return device->numerics(seed); };
    } else if (scenario.precision != "fp32") {
      on_device = [precision = scenario.precision] {
        return algorithms::make_digital_numerics(precision);
      };
    }
    if (deploy)
      train.make_deploy_numerics = on_device;
    else if (outcome.device_numerics)
      train.make_numerics = on_device;
    train.drift_times = drift_times(scenario);
    train.sparsity = scenario.sparsity;
    if (scenario.early_stop > 0) {
      train.validation_fraction = 0.1;
      train.patience = scenario.early_stop;
    }
    if (warm)
      train.initialize = [&warm, &scenario](algorithms::Network& net) {
        restore(net, warm->layers, "warm-start model '" + scenario.warm_start + "'",
                scenario.model);
      };
    // A device that runs the trained network its own way (a spiking conversion) measures it.
    train.after_training = [&](const algorithms::Network& net, algorithms::TrainResult& r) {
      outcome.device_run = device->run_trained(net, loaded, outcome.step);
      if (!outcome.device_run) return;
      r.deployed_accuracy = outcome.device_run->accuracy;
      outcome.device_columns = outcome.device_run->columns;
      outcome.device_summary = outcome.device_run->summary;
    };
    if (keep_weights)
      train.after_training = [&outcome, then = train.after_training](const algorithms::Network& net,
                                                                     algorithms::TrainResult& r) {
        outcome.weights = snapshot(net);
        if (then) then(net, r);
      };
    outcome.training = algorithms::train(forward, loaded, train);
    train.after_training = nullptr;  // the reference trainings below are not this scenario's
    if (cost_after_training) outcome.cost = device->simulate(outcome.step);
    if (deploy) {  // the reference is the trained network itself, before deployment
      outcome.training->fp32_accuracy = outcome.training->trained_test_accuracy();
      return outcome;
    }
    // The reference: the same scenario trained in ideal fp32. A worker remembers the ones it has
    // trained (deterministic, so a remembered result is the result), so a sweep over formats
    // and devices trains each reference once per worker.
    static std::map<std::string, double> fp32_accuracy;
    Scenario reference = scenario;
    reference.precision = "fp32";
    reference.hw = "ideal";  // the reference does not depend on the device
    reference.hw_params.clear();
    reference.drift_times.clear();
    const std::string reference_key = to_ini(reference);
    if (!on_device) fp32_accuracy[reference_key] = outcome.training->final_test_accuracy();
    auto known = fp32_accuracy.find(reference_key);
    if (known == fp32_accuracy.end()) {
      train.numerics = "fp32";
      train.make_numerics = nullptr;
      train.drift_times.clear();
      known = fp32_accuracy
                  .emplace(reference_key,
                           algorithms::train(forward, loaded, train).final_test_accuracy())
                  .first;
    }
    outcome.training->fp32_accuracy = known->second;
    if (scenario.early_stop > 0) {
      // The whole schedule on the same split: what stopping early gave up. Training is
      // deterministic, so the stopped run is this one's first epochs.
      algorithms::TrainOptions full = train;
      full.patience = 0;
      full.numerics = scenario.precision;
      full.make_numerics = outcome.device_numerics ? on_device : nullptr;
      full.drift_times.clear();
      full.after_training = nullptr;
      const algorithms::TrainResult whole =
          outcome.training->epochs.size() < static_cast<size_t>(scenario.epochs)
              ? algorithms::train(forward, loaded, full)
              : *outcome.training;
      outcome.full_schedule_accuracy = whole.final_test_accuracy();
    }
  }
  return outcome;
}

}  // namespace frugal::sim
