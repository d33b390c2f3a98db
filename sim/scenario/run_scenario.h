#pragma once
// One scenario, end to end: model spec -> forward graph -> training step of the rule -> device
// preset -> simulated cost, and with --train the network trained (or deployed) for real. The
// outcome holds what was computed; what it implies for the whole job (energy, carbon, the
// inefficiency factors) is derived in sim/metrics/.

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include "algorithms/functional/trainer.h"
#include "algorithms/training_step.h"
#include "hw_models/device.h"
#include "hw_models/preset.h"
#include "sim/scenario/model_file.h"
#include "sim/scenario/scenario.h"

namespace frugal::sim {

struct ScenarioOutcome {
  Scenario scenario;
  algorithms::TrainingStep step;
  hw::Preset preset;
  hw::Cost cost;
  std::optional<algorithms::TrainResult> training{};  // with --train
  // A device that ran the trained network its own way (a spiking conversion), with --train.
  std::optional<hw::DeviceRun> device_run{};
  // The device kind's own /scenarios columns, and what it adds to the text summary.
  hw::Row device_columns{};
  hw::DeviceSummary device_summary{};
  bool device_numerics = false;  // the device computes through numerics of its own (analog)
  bool device_learner = false;   // the device trained the network its own way (as spikes)
  int64_t input_per_sample = 1;  // values of one sample's input (a language model's tokens)
  // The same model's step on the same device under inference (the model's life after training;
  // this step when the rule is inference) and under the rule's reference, bp (0 when none).
  double inference_step_energy_j = 0, inference_step_s = 0;
  double reference_step_energy_j = 0;
  // --warm-start: what the start model's file says of its own training (epochs, the energy of
  // its job, its test accuracy); that training is not part of this job (0, 0, NaN without).
  int64_t warm_start_epochs = 0;
  double warm_start_energy_j = 0;
  double warm_start_accuracy = std::numeric_limits<double>::quiet_NaN();
  // The trained network's layers, when run_scenario was asked to keep them (--save-model).
  std::vector<SavedLayer> weights{};
  // --early-stop: the test accuracy of the whole schedule on the same split (NaN without).
  double full_schedule_accuracy = std::numeric_limits<double>::quiet_NaN();
};

// The scenario's spread over devices.
algorithms::Parallelism parallelism(const Scenario& scenario);
// What the scenario asks of its device (checked by Device::check, applied by Device::prepare).
hw::StepRequest step_request(const Scenario& scenario);

// The scenario's hardware preset with its hw.NAME settings applied. Throws InputError.
hw::Preset resolve_preset(const Scenario& scenario);

// Does what run_scenario does before costing the step (resolves every name, builds the model at
// the scenario's batch, expands the rule's step, readies it for the device) and the device's
// checks of that step (memory that does not fit), without costing or training it: a sweep
// checks each of its scenarios this way before running any. Throws InputError as run_scenario
// would.
void check_step(const Scenario& scenario);

// Throws InputError for anything wrong with the scenario (unknown model, rule, preset, ...).
// With scenario.train, also trains the network on the data set (the functional face).
// With `keep_weights` and --train, the outcome keeps the trained network's layers (after pruning).
// Contract: runs the device's SystemC simulation in this process (see hw::Device).
// `on_epoch` (optional) sees each epoch of the scenario's own training as it ends, with the
// epochs scheduled; `on_step` (optional) the fraction of that training done (0 to 1) after each
// of its steps.
using EpochCallback = std::function<void(const algorithms::EpochStats&, int64_t scheduled)>;
using StepCallback = std::function<void(double fraction)>;
ScenarioOutcome run_scenario(const Scenario& scenario, bool keep_weights = false,
                             const EpochCallback& on_epoch = {}, const StepCallback& on_step = {});

}  // namespace frugal::sim
