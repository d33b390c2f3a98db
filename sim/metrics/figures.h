#pragma once
// What a scenario's outcome implies beyond one step: the whole job (its steps, energy, time,
// device wear), the servers and the facility around the devices, carbon, the whole project
// (trials, inference requests over the model's life) and the two inefficiencies as numbers.
// Each figure is computed here and nowhere else; sim/metrics/metrics.h lists them as results.

#include <cstdint>

#include "sim/scenario/model_file.h"
#include "sim/scenario/regions.h"
#include "sim/scenario/run_scenario.h"

namespace frugal::sim {

// The Landauer limit k·T·ln2 at 300 K, the least energy of erasing one bit (Landauer 1961;
// docs/references.md#landauer).
inline constexpr double kLandauerJ = 2.871e-21;
// The brain's energy per synaptic event, about 10 fJ (Harris et al. 2012;
// docs/references.md#brain-energy).
inline constexpr double kBrainSynapticEventJ = 10e-15;
inline constexpr double kJoulesPerKwh = 3.6e6;
inline constexpr double kJoulesPerMwh = 3.6e9;

// Steps of an epoch of `samples` in batches of `batch` (a last partial batch counts as a step).
int64_t steps_per_epoch(int64_t samples, int64_t batch);

// One step.
inline double step_energy_j(const ScenarioOutcome& o) { return o.cost.ledger.total(); }
inline double energy_per_sample_j(const ScenarioOutcome& o) {
  return o.cost.ledger.total() / static_cast<double>(o.scenario.batch);
}
// One sample's latency (the step's, where the batch is computed together) and the samples per
// second the device sustains at this batch.
inline double sample_latency_s(const ScenarioOutcome& o) {
  return o.cost.sample_latency_s > 0 ? o.cost.sample_latency_s : o.cost.latency_s;
}
inline double throughput_sps(const ScenarioOutcome& o) {
  return o.cost.latency_s > 0 ? static_cast<double>(o.scenario.batch) / o.cost.latency_s : 0.0;
}
inline double average_power_w(const ScenarioOutcome& o) {  // 0 for a step of no time
  return o.cost.latency_s > 0 ? o.cost.ledger.total() / o.cost.latency_s : 0.0;
}

// The formulas below are inline so that each reaches the compiler whole wherever it is used, as
// it did when they were the outcome's members: rearranged, floating point would round the last
// digit differently (scripts/compare-results.py holds results bit for bit).

// The whole job: steps from --tokens (tokens / (batch × sequence length)), else
// --samples-per-epoch × --epochs, else the training set × the epochs run with --train (not for
// rule inference, whose network is trained off the device); 0 when none. Its energy and time
// include the one-time setup (an analog chip programming its weights) when there is a job.
int64_t job_steps(const ScenarioOutcome& o);
inline double job_energy_j(const ScenarioOutcome& o) {
  const int64_t steps = job_steps(o);
  return steps > 0 ? static_cast<double>(steps) * o.cost.ledger.total() + o.cost.setup_energy_j
                   : 0.0;
}
inline double job_time_s(const ScenarioOutcome& o) {
  const int64_t steps = job_steps(o);
  return steps > 0 ? static_cast<double>(steps) * o.cost.latency_s + o.cost.setup_latency_s : 0.0;
}
// Programming pulses the most-written device takes over the job (setup and updates), and the
// fraction of its endurance that uses (0 when the device does not wear).
inline double job_writes_per_device(const ScenarioOutcome& o) {
  return o.cost.setup_writes_per_device +
         static_cast<double>(job_steps(o)) * o.cost.writes_per_device_per_step;
}
inline double endurance_used(const ScenarioOutcome& o) {
  return o.cost.endurance > 0 ? job_writes_per_device(o) / o.cost.endurance : 0.0;
}

// The facility: the servers around the devices (the device's host power, per device) over a
// time, and what the data centre draws for devices and servers, × PUE.
inline double host_energy_j(const ScenarioOutcome& o, double seconds) {
  return o.cost.host_power_w * static_cast<double>(o.scenario.devices) * seconds;
}
inline double facility_energy_j(const ScenarioOutcome& o, double device_j, double host_j) {
  return (device_j + host_j) * o.scenario.pue;
}
inline double job_host_energy_j(const ScenarioOutcome& o) {
  return host_energy_j(o, job_time_s(o));
}
inline double job_facility_energy_j(const ScenarioOutcome& o) {
  const double device_j = job_energy_j(o);  // before the servers', as the results were computed
  return facility_energy_j(o, device_j, job_host_energy_j(o));
}

// Carbon (kg CO2e): operational, energy drawn × the grid's intensity (--grid-gco2-per-kwh, or
// --region's); embodied, each device's and its server share's manufacture amortized over the
// time the job holds it.
inline double grid_g_per_kwh(const ScenarioOutcome& o) { return grid_g_per_kwh(o.scenario); }
inline double operational_kg(const ScenarioOutcome& o, double facility_j) {
  return facility_j / kJoulesPerKwh * grid_g_per_kwh(o) / 1e3;
}
inline double embodied_kg(const ScenarioOutcome& o, double seconds) {
  return o.cost.embodied_kg_per_device_s * static_cast<double>(o.scenario.devices) * seconds;
}
inline double co2e_operational_kg(const ScenarioOutcome& o) {
  return operational_kg(o, job_facility_energy_j(o));
}
inline double co2e_embodied_kg(const ScenarioOutcome& o) { return embodied_kg(o, job_time_s(o)); }
inline double co2e_kg(const ScenarioOutcome& o) {
  return co2e_operational_kg(o) + co2e_embodied_kg(o);
}

// The whole project (Schwartz et al.'s Cost ∝ E·D·H): the job repeated for each
// hyper-parameter trial, and the model's inference requests on the same device (its inference
// step, per sample), each with the servers, PUE and carbon as the job.
inline double trials_energy_j(const ScenarioOutcome& o) {
  return job_facility_energy_j(o) * static_cast<double>(o.scenario.trials);
}
inline double trials_co2e_kg(const ScenarioOutcome& o) {
  return co2e_kg(o) * static_cast<double>(o.scenario.trials);
}
inline double inference_time_s(const ScenarioOutcome& o) {
  return o.scenario.inference_requests * o.inference_step_s / static_cast<double>(o.scenario.batch);
}
inline double inference_energy_j(const ScenarioOutcome& o) {
  const double device_j = o.scenario.inference_requests * o.inference_step_energy_j /
                          static_cast<double>(o.scenario.batch);
  return facility_energy_j(o, device_j, host_energy_j(o, inference_time_s(o)));
}
inline double inference_co2e_kg(const ScenarioOutcome& o) {
  return operational_kg(o, inference_energy_j(o)) + embodied_kg(o, inference_time_s(o));
}

// The two inefficiencies. Physical: the step's energy per MAC against the Landauer limit (how
// many bit erasures a MAC costs) and against the brain's energy per synaptic event.
// Algorithmic: the step against the same model's inference step, and against its reference
// rule's (bp's) step, on the same device (NaN where not meaningful).
double energy_per_mac_j(const ScenarioOutcome& o);
inline double landauer_factor(const ScenarioOutcome& o) { return energy_per_mac_j(o) / kLandauerJ; }
inline double brain_factor(const ScenarioOutcome& o) {
  return energy_per_mac_j(o) / kBrainSynapticEventJ;
}
double training_to_inference(const ScenarioOutcome& o);
double rule_to_bp(const ScenarioOutcome& o);

// Eco-design levers. --early-stop: the epochs not run, their energy, and the accuracy the whole
// schedule would have reached minus this one's (0, 0 and NaN without).
int64_t epochs_run(const ScenarioOutcome& o);
int64_t epochs_saved(const ScenarioOutcome& o);
double early_stop_energy_saved_j(const ScenarioOutcome& o);
double early_stop_accuracy_given_up(const ScenarioOutcome& o);
// --target-accuracy: the first epoch whose test accuracy reaches it (0: none given, or not
// reached), and the device's energy and time to the end of that epoch, the one-time setup
// included (NaN when not reached).
int64_t epochs_to_target(const ScenarioOutcome& o);
double energy_to_target_j(const ScenarioOutcome& o);
double time_to_target_s(const ScenarioOutcome& o);
// The simulated device's energy and time to train for `epochs` epochs of the training set.
double training_energy_j(const ScenarioOutcome& o, int64_t epochs);
double training_time_s(const ScenarioOutcome& o, int64_t epochs);
// Test accuracy after training (NaN without --train), and against ideal fp32.
double accuracy(const ScenarioOutcome& o);
double accuracy_loss(const ScenarioOutcome& o);

// The trained network of a run kept with `keep_weights` (--save-model): its layers, what trained
// it, the epochs and training energy including a warm start's, and its test accuracy (after
// pruning, before deployment).
ModelFile trained_model(const ScenarioOutcome& outcome);

}  // namespace frugal::sim
