#pragma once
// One scenario, end to end: model spec -> forward graph -> training step of the rule -> device
// preset -> simulated cost.

#include <limits>
#include <optional>

#include "algorithms/functional/trainer.h"
#include "algorithms/training_step.h"
#include "hw_models/device.h"
#include "hw_models/preset.h"
#include "sim/model_file.h"
#include "sim/scenario.h"

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
  int64_t input_per_sample = 1;  // values of one sample's input (a language model's tokens)

  double energy_per_sample_j() const {
    return cost.ledger.total() / static_cast<double>(scenario.batch);
  }
  // Steps of the whole job: from --tokens (tokens / (batch × sequence length)), else
  // --samples-per-epoch × --epochs, else the training set × epochs with --train (not for rule
  // inference, whose network is trained off the device); 0 when none.
  int64_t job_steps() const;
  // The whole job: its steps, and the one-time setup before them (an analog chip programming its
  // weights) when there is a job.
  double job_energy_j() const {
    const int64_t steps = job_steps();
    return steps > 0 ? static_cast<double>(steps) * cost.ledger.total() + cost.setup_energy_j : 0.0;
  }
  double job_time_s() const {
    const int64_t steps = job_steps();
    return steps > 0 ? static_cast<double>(steps) * cost.latency_s + cost.setup_latency_s : 0.0;
  }
  // Programming pulses the most-written device takes over the job (setup and updates), and the
  // fraction of its endurance that uses (0 when the device does not wear).
  double job_writes_per_device() const {
    return cost.setup_writes_per_device +
           static_cast<double>(job_steps()) * cost.writes_per_device_per_step;
  }
  double endurance_used() const {
    return cost.endurance > 0 ? job_writes_per_device() / cost.endurance : 0.0;
  }
  // The servers around the devices (host CPUs, DRAM, NICs, fans: the preset's host power per
  // device) over the whole job; 0 for devices without one.
  double job_host_energy_j() const {
    return cost.host_power_w * static_cast<double>(scenario.devices) * job_time_s();
  }
  // What the data centre draws for the job: (devices + servers) × PUE.
  double job_facility_energy_j() const {
    return (job_energy_j() + job_host_energy_j()) * scenario.pue;
  }
  // Carbon of the job (kg CO2e): operational, the facility energy × the grid's intensity; embodied,
  // each device's and its server share's manufacture amortized over the time the job holds it.
  double grid_g_per_kwh = 0;  // the intensity used (sim/carbon.h)
  double co2e_operational_kg() const {
    return job_facility_energy_j() / 3.6e6 * grid_g_per_kwh / 1e3;
  }
  double co2e_embodied_kg() const {
    return cost.embodied_kg_per_device_s * static_cast<double>(scenario.devices) * job_time_s();
  }
  double co2e_kg() const { return co2e_operational_kg() + co2e_embodied_kg(); }

  // The whole project: the job repeated for each hyper-parameter trial, and the model's
  // inference requests on the same device (one inference step of the same batch, per sample),
  // each with the servers, PUE and carbon as the job.
  double inference_step_energy_j = 0, inference_step_s = 0;  // one inference step (batch)
  double bp_step_energy_j = 0;     // the rule's reference (bp), when it is another rule
  bool is_reference_rule = false;  // the rule is its own reference (bp)
  // --warm-start: what the start model's file says of its own training (epochs, the energy of
  // its job, its test accuracy); that training is not part of this job (0, 0, NaN without).
  int64_t warm_start_epochs = 0;
  double warm_start_energy_j = 0;
  double warm_start_accuracy = std::numeric_limits<double>::quiet_NaN();
  // The trained network's layers, when run_scenario was asked to keep them (--save-model).
  std::vector<SavedLayer> weights{};
  // Early stopping: the test accuracy of the whole schedule, the epochs not run and their
  // energy (NaN and 0 without --early-stop).
  double full_schedule_accuracy = std::numeric_limits<double>::quiet_NaN();
  int64_t epochs_saved() const {
    return training && scenario.early_stop > 0
               ? scenario.epochs - static_cast<int64_t>(training->epochs.size())
               : 0;
  }
  double early_stop_energy_saved_j() const {
    if (!training || epochs_saved() == 0) return 0.0;
    const auto steps_per_epoch =
        static_cast<double>((training->train_samples + scenario.batch - 1) / scenario.batch);
    return static_cast<double>(epochs_saved()) * steps_per_epoch * cost.ledger.total();
  }
  double early_stop_accuracy_given_up() const {
    return training ? full_schedule_accuracy - training->final_test_accuracy()
                    : std::numeric_limits<double>::quiet_NaN();
  }  // the same step under bp (rules other than bp and inference)
  // The step's energy under inference and bp: this step's when it is that rule.
  double inference_energy_per_step_j() const {
    return step.inference ? cost.ledger.total() : inference_step_energy_j;
  }
  double inference_seconds_per_step() const {
    return step.inference ? cost.latency_s : inference_step_s;
  }
  // The two inefficiencies as numbers. Physical: the step's energy per MAC against the Landauer
  // limit k·T·ln2 at 300 K (2.871e-21 J; how many bit erasures a MAC costs) and against the
  // brain's ~10 fJ per synaptic event (Harris et al. 2012). Algorithmic: the step against the same
  // model's inference step, and against bp's step, on the same device (NaN where not meaningful).
  double energy_per_mac_j() const;
  double landauer_factor() const { return energy_per_mac_j() / 2.871e-21; }
  double brain_factor() const { return energy_per_mac_j() / 10e-15; }
  double training_to_inference() const {
    return inference_energy_per_step_j() > 0 ? cost.ledger.total() / inference_energy_per_step_j()
                                             : std::numeric_limits<double>::quiet_NaN();
  }
  double rule_to_bp() const;
  double trials_energy_j() const {
    return (job_energy_j() + job_host_energy_j()) * scenario.pue *
           static_cast<double>(scenario.trials);
  }
  double trials_co2e_kg() const { return co2e_kg() * static_cast<double>(scenario.trials); }
  double inference_time_s() const {
    return scenario.inference_requests * inference_seconds_per_step() /
           static_cast<double>(scenario.batch);
  }
  double inference_energy_j() const {
    const double device_j = scenario.inference_requests * inference_energy_per_step_j() /
                            static_cast<double>(scenario.batch);
    return (device_j +
            cost.host_power_w * static_cast<double>(scenario.devices) * inference_time_s()) *
           scenario.pue;
  }
  double inference_co2e_kg() const {
    return inference_energy_j() / 3.6e6 * grid_g_per_kwh / 1e3 +
           cost.embodied_kg_per_device_s * static_cast<double>(scenario.devices) *
               inference_time_s();
  }
};

// The trained network of a run kept with `keep_weights` (--save-model): its layers, what trained
// it, the epochs and training energy including a warm start's, and its test accuracy (after
// pruning, before deployment).
ModelFile trained_model(const ScenarioOutcome& outcome);

// The scenario's spread over devices.
algorithms::Parallelism parallelism(const Scenario& scenario);
// What the scenario asks of its device (checked by Device::check, applied by Device::prepare).
hw::StepRequest step_request(const Scenario& scenario);

// The scenario's hardware preset with its hw.NAME settings applied. Throws InputError.
hw::Preset resolve_preset(const Scenario& scenario);

// Throws InputError for anything wrong with the scenario (unknown model, rule, preset, ...).
// With scenario.train, also trains the network on the data set (the functional face).
// With `keep_weights` and --train, the outcome keeps the trained network's layers (after pruning).
// Contract: runs the device's SystemC simulation in this process (see hw::Device).
ScenarioOutcome run_scenario(const Scenario& scenario, bool keep_weights = false);

}  // namespace frugal::sim
