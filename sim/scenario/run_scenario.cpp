#include "sim/scenario/run_scenario.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "results/core/error.h"
#include "sim/scenario/options.h"
#include "sim/scenario/training_cache.h"
#include "workloads/dataset.h"
#include "workloads/model_registry.h"

namespace frugal::sim {
namespace {

using NumericsFactory = std::function<std::unique_ptr<algorithms::Numerics>()>;

// The step of `rule` over `forward` as the scenario runs it (format, pruning, checkpointing,
// spread over devices), readied for the device.
algorithms::TrainingStep expand_step(const Scenario& s, const algorithms::LearningRule& rule,
                                     const workloads::Graph& forward) {
  algorithms::StepOptions options;
  options.optimizer = s.optimizer;
  algorithms::TrainingStep step = rule.expand(forward, options);
  step.precision = s.precision;
  step.utilization = s.utilization;
  step.weight_sparsity = s.sparsity;
  step.inputs_on_device = s.inputs_on_device;
  step.runtime = s.runtime;
  step.threads = s.threads;
  step.analog_update = s.analog_update;
  step.placement = s.placement;
  if (s.activation_checkpointing) algorithms::checkpoint_activations(step);
  algorithms::spread(step, parallelism(s));
  return step;
}

// The same model's step under another rule on the same device, with this step's activity.
hw::Cost other_rule_cost(const Scenario& s, const std::string& rule,
                         const workloads::Graph& forward, const algorithms::TrainingStep& like,
                         hw::Device& device) {
  algorithms::StepOptions options;
  options.optimizer = s.optimizer;
  algorithms::TrainingStep other = algorithms::make_rule(rule)->expand(forward, options);
  other.precision = s.precision;
  other.timesteps = like.timesteps;
  other.spike_rates = like.spike_rates;
  other.weight_sparsity = like.weight_sparsity;
  other.inputs_on_device = like.inputs_on_device;
  other.runtime = like.runtime;
  other.threads = like.threads;
  other.analog_update = like.analog_update;
  other.placement = like.placement;
  other.crossbar = like.crossbar;
  if (s.activation_checkpointing && !other.inference) algorithms::checkpoint_activations(other);
  algorithms::spread(other, parallelism(s));
  return device.simulate(other);
}

// The scenario's data set. A worker process keeps the last one it read: sweeps over other
// options reuse it.
const workloads::DataSplit& data_set(const Scenario& s) {
  static std::string loaded_key;
  static workloads::DataSplit loaded;
  const std::string key = s.dataset + "\n" + s.data_dir + "\n" + std::to_string(s.train_subset) +
                          "\n" + std::to_string(s.test_subset) + "\n" + std::to_string(s.seed);
  if (key != loaded_key) {
    loaded = workloads::load_dataset(s.dataset, s.data_dir, s.train_subset, s.test_subset,
                                     static_cast<uint64_t>(s.seed));
    loaded_key = key;
  }
  return loaded;
}

// The key of a training on a digital device: the scenario without its device (a digital
// device trains in --precision's format, whichever it is).
std::string digital_training_key(Scenario s) {
  s.hw = "ideal";
  s.hw_params.clear();
  return "digital training\n" + to_ini(s);
}

// The key of the fp32 training of a network deployed after it (rule inference): the options
// that training depends on, and nothing of the deployment (device, timesteps, placement, drift,
// sparsity), so that every deployment of one training shares it.
std::string trained_network_key(const Scenario& s, const std::string& trained_by) {
  std::ostringstream key;
  key << "network trained in fp32 for deployment\nmodel=" << s.model
      << "\ninput-shape=" << s.input_shape << "\nonnx-unsupported=" << s.onnx_unsupported
      << "\nrule=" << trained_by << "\noptimizer=" << s.optimizer
      << "\nlr=" << format_number(s.learning_rate) << "\nmomentum=" << format_number(s.momentum)
      << "\nlr-schedule=" << s.lr_schedule << "\nepochs=" << s.epochs << "\nbatch=" << s.batch
      << "\nseed=" << s.seed << "\ndataset=" << s.dataset << "\ndata-dir=" << s.data_dir
      << "\ntrain-subset=" << s.train_subset << "\ntest-subset=" << s.test_subset
      << "\nearly-stop=" << s.early_stop << "\ntrainer-threads=" << s.trainer_threads << "\n";
  return key.str();
}

// The test accuracy of the same scenario trained in ideal fp32, the reference of accuracy_loss:
// the digital training of the scenario in fp32 without drift measurements, shared with the
// sweep's other workers (training_cache.h) and remembered by this process (deterministic, so a
// remembered result is the result). `this_run` is this scenario's own result when it is that
// reference.
double fp32_reference_accuracy(const Scenario& s, const workloads::Graph& forward,
                               const workloads::DataSplit& data, algorithms::TrainOptions train,
                               const algorithms::TrainResult* this_run) {
  static std::map<std::string, double> fp32_accuracy;
  Scenario reference = s;
  reference.precision = "fp32";
  reference.drift_times.clear();
  const std::string key = digital_training_key(reference);
  if (this_run) fp32_accuracy[key] = this_run->final_test_accuracy();
  auto known = fp32_accuracy.find(key);
  if (known == fp32_accuracy.end()) {
    train.numerics = "fp32";
    train.make_numerics = nullptr;
    train.make_learner = nullptr;  // the rule's own, digital
    train.drift_times.clear();
    const algorithms::TrainResult trained =
        shared_training(key, [&] { return algorithms::train(forward, data, train); });
    known = fp32_accuracy.emplace(key, trained.final_test_accuracy()).first;
  }
  return known->second;
}

// Trains the scenario's network (the functional face) into `o`: on the device, or for rule
// inference off it (by the rule that trains it, in ideal fp32) and then deployed to it.
void train_network(ScenarioOutcome& o, const algorithms::RuleInfo& rule,
                   const workloads::Graph& forward, hw::Device& device, bool keep_weights,
                   const std::optional<ModelFile>& warm, const EpochCallback& on_epoch,
                   const StepCallback& on_step) {
  const Scenario& s = o.scenario;
  const workloads::DataSplit& data = data_set(s);
  const bool deploy = rule.inference;
  algorithms::TrainOptions train;
  train.rule = rule.trained_by;
  train.epochs = s.epochs;
  train.batch = s.batch;
  train.learning_rate = s.learning_rate;
  train.optimizer = s.optimizer;
  train.momentum = s.momentum;
  train.lr_schedule = s.lr_schedule;
  train.seed = static_cast<uint64_t>(s.seed);
  train.threads = s.trainer_threads;
  train.numerics = deploy ? "fp32" : s.precision;
  // The device's arithmetic: its own numerics (analog), else --precision's digital format.
  NumericsFactory on_device;
  const hw::StepRequest request = step_request(s);
  o.device_numerics = device.numerics(request, train.seed) != nullptr;
  if (o.device_numerics)
    on_device = [&device, request, seed = train.seed] { return device.numerics(request, seed); };
  else if (s.precision != "fp32")
    on_device = [precision = s.precision] { return algorithms::make_digital_numerics(precision); };
  if (deploy)
    train.make_deploy_numerics = on_device;
  else if (o.device_numerics)
    train.make_numerics = on_device;
  if (!deploy) train.make_learner = device.learner(request);
  o.device_learner = static_cast<bool>(train.make_learner);
  train.drift_times = drift_times(s);
  train.sparsity = s.sparsity;
  if (s.early_stop > 0) {
    train.validation_fraction = 0.1;
    train.patience = s.early_stop;
  }
  if (warm)
    train.initialize = [&warm, &s](algorithms::Network& net) {
      restore(net, warm->layers, "warm-start model '" + s.warm_start + "'", s.model);
    };
  // A device that runs the trained network its own way (a spiking conversion) measures it.
  train.after_training = [&](const algorithms::Network& net, algorithms::TrainResult& r) {
    if (keep_weights) o.weights = snapshot(net);
    o.device_run = device.run_trained(net, data, o.step);
    if (!o.device_run) return;
    if (deploy) r.deployed_accuracy = o.device_run->accuracy;
    o.device_columns = o.device_run->columns;
    o.device_summary = o.device_run->summary;
  };
  if (on_step)
    train.on_step = [&on_step, epochs = s.epochs](int64_t epoch, int64_t done, int64_t samples) {
      on_step((static_cast<double>(epoch - 1) +
               static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, samples))) /
              static_cast<double>(std::max<int64_t>(1, epochs)));
    };
  // A network trained off the device and then deployed: its fp32 training is the same for every
  // device and deployment (timesteps, placement, drift), so the trained network is shared with
  // the sweep's other workers (training_cache.h); the deployment runs here on its weights.
  std::optional<SharedNetwork> shared_network;
  if (deploy && !warm) {
    shared_network.emplace(trained_network_key(s, rule.trained_by));
    train.reuse = [&](algorithms::Network& net, algorithms::TrainResult& r) {
      return shared_network->load(net, r, s.model);
    };
    train.trained = [&](const algorithms::Network& net, const algorithms::TrainResult& r) {
      shared_network->store(net, r);
    };
  }
  auto trained_here = [&] {
    return algorithms::train(forward, data, train, [&](const algorithms::EpochStats& e) {
      if (on_epoch) on_epoch(e, s.epochs);
    });
  };
  // A digital device's training is the same on any digital device: shared with the sweep's
  // other workers, unless something of this device or this run is part of it (its numerics, its
  // learner, its own run of the trained network, a deployment, weights kept or a warm start).
  const bool digital = !deploy && !o.device_numerics && !train.make_learner && !keep_weights &&
                       !warm && !device.costs_measured_activity(request);
  o.training = digital ? shared_training(digital_training_key(s), trained_here) : trained_here();
  // The programming pulses the updates fired, for the cost of the step (analog chips).
  if (!deploy && o.device_numerics) o.step.crossbar = o.training->crossbar;
  train.after_training = nullptr;  // the reference trainings below are not this scenario's
  train.on_step = nullptr;
  train.reuse = nullptr;
  train.trained = nullptr;
  shared_network.reset();  // the lock is let go
  if (deploy) {            // the reference is the trained network itself, before deployment
    o.training->fp32_accuracy = o.training->trained_test_accuracy();
    return;
  }
  o.training->fp32_accuracy = fp32_reference_accuracy(
      s, forward, data, train, on_device || train.make_learner ? nullptr : &*o.training);
  if (s.early_stop > 0) {
    // The whole schedule on the same split: what stopping early gave up. Training is
    // deterministic, so the stopped run is this one's first epochs.
    algorithms::TrainOptions full = train;
    full.patience = 0;
    full.numerics = s.precision;
    full.make_numerics = o.device_numerics ? on_device : nullptr;
    full.drift_times.clear();
    const algorithms::TrainResult whole = o.training->epochs.size() < static_cast<size_t>(s.epochs)
                                              ? algorithms::train(forward, data, full)
                                              : *o.training;
    o.full_schedule_accuracy = whole.final_test_accuracy();
  }
}

}  // namespace

hw::Preset resolve_preset(const Scenario& scenario) {
  hw::Preset preset = hw::find_preset(scenario.hw);
  for (const auto& [name, value] : scenario.hw_params) preset.set(name, value, "set by the user");
  return preset;
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

hw::StepRequest step_request(const Scenario& s) {
  const algorithms::RuleInfo& rule = algorithms::rule_info(s.rule);
  hw::StepRequest r;
  r.precision = s.precision;
  r.parallelism = parallelism(s);
  r.utilization = s.utilization;
  r.runtime = s.runtime;
  r.threads = s.threads;
  r.analog_update = s.analog_update;
  r.placement = s.placement;
  r.rule = rule.name;
  r.optimizer = rule.inference ? "none" : s.optimizer;
  r.inference = rule.inference;
  r.trained = s.train;
  r.timesteps = s.timesteps;
  r.spike_rate = s.spike_rate;
  return r;
}

namespace {

// A scenario's step readied for its device, and what made it.
struct ReadyStep {
  std::unique_ptr<algorithms::LearningRule> rule;
  hw::Preset preset;
  std::unique_ptr<hw::Device> device;
  hw::StepRequest request;
  workloads::Graph forward;
  algorithms::TrainingStep step;
};

ReadyStep ready_step(const Scenario& scenario) {
  check_scenario(scenario);
  // Resolve every name before any work, so a typo fails fast.
  auto rule = algorithms::make_rule(scenario.rule);
  algorithms::find_optimizer(scenario.optimizer);
  hw::Preset preset = resolve_preset(scenario);
  auto device = hw::make_device(preset);
  const hw::StepRequest request = step_request(scenario);
  device->check_request(request);
  workloads::BuildOptions options = build_options(scenario);
  options.element_bytes = device->element_bytes(scenario.precision);
  options.batch = scenario.batch / parallelism(scenario).data();  // one replica's share
  workloads::Graph forward = workloads::build_model(scenario.model, options);
  algorithms::TrainingStep step = expand_step(scenario, *rule, forward);
  device->prepare(step, request);
  return ReadyStep{std::move(rule), std::move(preset),  std::move(device),
                   request,         std::move(forward), std::move(step)};
}

}  // namespace

void check_step(const Scenario& scenario) {
  const ReadyStep r = ready_step(scenario);
  r.device->check_step(r.step);
}

ScenarioOutcome run_scenario(const Scenario& scenario, bool keep_weights,
                             const EpochCallback& on_epoch, const StepCallback& on_step) {
  ReadyStep ready = ready_step(scenario);
  const algorithms::RuleInfo& rule_info = ready.rule->info();
  hw::Preset preset = std::move(ready.preset);
  const auto& device = ready.device;
  const hw::StepRequest& request = ready.request;
  const workloads::Graph& forward = ready.forward;
  algorithms::TrainingStep step = std::move(ready.step);
  std::optional<ModelFile> warm;
  if (scenario.warm_started()) warm = read_model_file(scenario.warm_start);
  // A device whose cost depends on the trained network's activity (a spiking chip's measured
  // spikes) is costed once the network has run on it.
  const bool cost_after_training = device->costs_measured_activity(request);
  hw::Cost cost = cost_after_training ? hw::Cost{} : device->simulate(step);
  ScenarioOutcome o{scenario, std::move(step), std::move(preset), std::move(cost)};
  o.device_columns = device->columns(o.step);
  o.device_summary = device->summary(o.step);
  o.input_per_sample = forward.tensor(forward.input_tensor()).elements / forward.batch();
  if (warm) {
    o.warm_start_epochs = warm->epochs;
    o.warm_start_energy_j = warm->training_energy_j;
    o.warm_start_accuracy = warm->test_accuracy;
  }
  if (scenario.train)
    train_network(o, rule_info, forward, *device, keep_weights, warm, on_epoch, on_step);
  if (cost_after_training) {
    o.cost = device->simulate(o.step);
    if (!o.device_run) {  // the columns of a step the device did not run its own way
      o.device_columns = device->columns(o.step);
      o.device_summary = device->summary(o.step);
    }
  }
  // The same model's inference step and the rule's reference, on the step as costed (with the
  // activity training measured, where the device's cost depends on it).
  if (!rule_info.inference) {
    const hw::Cost c =
        other_rule_cost(scenario, algorithms::forward_only_rule().name, forward, o.step, *device);
    o.inference_step_energy_j = c.ledger.total();
    o.inference_step_s = c.latency_s;
  }
  if (!rule_info.reference.empty() && rule_info.reference != rule_info.name) {
    // The reference may not fit where this rule does (bp through time's stored timesteps on a
    // spiking chip): then there is no comparison (rule_to_bp NaN), and the summary says why.
    try {
      o.reference_step_energy_j =
          other_rule_cost(scenario, rule_info.reference, forward, o.step, *device).ledger.total();
    } catch (const InputError& e) {
      o.device_summary.figures.push_back(
          {"step / " + rule_info.reference,
           "none: " + rule_info.reference + " does not run here (" + e.what() + ")"});
    }
  }
  if (rule_info.inference) {  // the step is the model's inference step
    o.inference_step_energy_j = o.cost.ledger.total();
    o.inference_step_s = o.cost.latency_s;
  }
  if (rule_info.reference == rule_info.name) o.reference_step_energy_j = o.cost.ledger.total();
  return o;
}

}  // namespace frugal::sim
