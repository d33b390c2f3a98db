#pragma once
// A device costs a training step: energy by component and phase, latency, and a per-op trace.
// Each kind ("cpu", ...) is one folder under hw_models/ that registers itself with
// FRUGAL_REGISTER_DEVICE: its parameters (for presets), a factory, and the columns and tables it
// adds to the results. Everything a scenario needs of a device goes through this interface: the
// layer above knows no device kind by name.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algorithms/functional/network.h"
#include "algorithms/functional/numerics.h"
#include "algorithms/training_step.h"
#include "hw_models/energy_ledger.h"
#include "hw_models/preset.h"
#include "results/files/table.h"
#include "workloads/dataset.h"

namespace frugal::hw {

struct OpCost {
  double start_s = 0.0;  // from the start of the step
  double latency_s = 0.0;
  std::array<double, kComponentCount> energy_j{};  // by component
  int64_t sram_bytes = 0;                          // on-chip memory traffic
  int64_t dram_bytes = 0;                          // off-chip memory traffic
  double energy_total_j() const;
  void charge(Component component, double joules) {
    energy_j[static_cast<size_t>(component)] += joules;
  }
};

struct Cost {
  EnergyLedger ledger;
  double latency_s = 0.0;  // of one step
  // From one sample's input to its output, where a device pipelines the batch's samples (a
  // spiking chip); 0: the step's latency, the batch's samples computed together.
  double sample_latency_s = 0.0;
  std::vector<OpCost> ops;  // one per op of the step, in order
  // One-time work before the first step, outside the ledger (an analog chip programming its
  // weights), and the programming pulses a device takes: at setup and per step, against the
  // writes it survives (0: not limited).
  double setup_energy_j = 0.0, setup_latency_s = 0.0;
  double setup_writes_per_device = 0.0, writes_per_device_per_step = 0.0;
  double endurance = 0.0;
  // What the device adds to the whole job beside its steps: the power of the server around each
  // device while the job holds it (host CPUs, DRAM, NICs, fans; 0 for devices without one), and
  // the embodied carbon charged per device and second held (kg/s, embodied_kg_per_device_second).
  double host_power_w = 0.0;
  double embodied_kg_per_device_s = 0.0;
  // Adds ops[i]'s energy to the ledger, under the op's phase.
  void book(size_t i, workloads::Phase phase);
};

// What a scenario asks of a device, checked before any work (Device::check) and applied to its
// steps (Device::prepare).
struct StepRequest {
  std::string precision = "fp32";  // --precision
  algorithms::Parallelism parallelism;
  double utilization = 0.0;  // --utilization: a published run's model-FLOP utilization (0: none)
  std::string runtime = "graph";       // --runtime: what launches a GPU's kernels or a CPU's ops
  int64_t threads = 0;                 // --threads: a CPU's threads (0: all its cores)
  std::string analog_update = "sgd";   // --analog-update: an analog chip's update scheme
  std::string placement = "pack";      // --placement: a spiking chip's layers on its cores
  std::string rule;                    // the learning rule, for messages
  std::string optimizer = "momentum";  // --optimizer ("none" for inference)
  bool inference = false;              // the rule only runs the network (RuleInfo::inference)
  bool trained = false;                // --train: the network is trained, then run on the device
  // Spiking devices: timesteps per sample, and an assumed spike rate (spikes per neuron per
  // timestep; -1: measured on the trained network).
  int64_t timesteps = 32;
  double spike_rate = -1.0;
};

// What a step asks of its device (precision, parallelism, utilization, whether it trains), for
// re-checking a step given directly.
StepRequest request_for(const algorithms::TrainingStep& step);

// One row of a table, as (column, value) pairs.
using Row = std::vector<std::pair<std::string, results::Cell>>;

// A table a device kind adds to the result files, present (and empty) in every file: its first
// column is scenario_id, whose values the caller adds to the device's rows.
struct DeviceTable {
  std::string name, description;
  std::vector<results::ColumnSpec> columns;
};

// Lines a device adds to the text summary of a scenario: (label, text) figures beside the
// step's, and notes on the trained network (each one line, without indentation).
struct DeviceSummary {
  std::vector<std::pair<std::string, std::string>> figures;
  std::vector<std::string> notes;
};

// A trained network run on the device its own way (a spiking chip converting it).
struct DeviceRun {
  double accuracy = 0.0;  // test accuracy of the network as the device runs it
  // Rows of the kind's own tables (without scenario_id), by table name.
  std::vector<std::pair<std::string, std::vector<Row>>> tables;
  Row columns;  // values of the kind's own /scenarios columns
  DeviceSummary summary;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual const Preset& preset() const = 0;
  // Throws InputError if the device cannot do what `request` asks (a precision it lacks, a
  // spread over devices, a calibrated utilization, a rule), naming what it can. The default:
  // any precision, one device, no utilization.
  virtual void check(const StepRequest& request) const;
  // What every scenario is checked with: the options that belong to one device kind (an
  // analog chip's update scheme, a spiking chip's placement) left at their defaults elsewhere,
  // then check().
  void check_request(const StepRequest& request) const;
  // Bytes of one value the device moves in `precision`: its own size where the device costs
  // the format (a GPU), fp32's 4 bytes by default.
  virtual int element_bytes(const std::string& precision) const;
  // Readies a step for the device from the request (a spiking chip's timesteps and assumed
  // rate). The default: nothing.
  virtual void prepare(algorithms::TrainingStep& step, const StepRequest& request) const;
  // Whether the step's cost waits for the trained network's measured activity (run_trained).
  virtual bool costs_measured_activity(const StepRequest& request) const;
  // The device's own numerics for the functional face (noise, converters, drift), seeded; null
  // for digital devices, which compute in --precision's format.
  // `request` says what they are for (training on the device, or a trained network deployed).
  virtual std::unique_ptr<algorithms::Numerics> numerics(const StepRequest& request,
                                                         uint64_t seed) const;
  // A device that trains networks its own way (a spiking chip learning on the chip): the
  // learner for the request's rule; empty (the default): the rule's own, through numerics().
  using LearnerFactory = std::function<std::unique_ptr<algorithms::Learner>(
      algorithms::Network&, algorithms::Numerics&, std::mt19937_64&)>;
  virtual LearnerFactory learner(const StepRequest& request) const;
  // After training: runs the trained network the device's own way, when it has one (a spiking
  // conversion), writing the activity it measured into `step`; nullopt when the network runs on
  // the device as trained (through numerics()).
  virtual std::optional<DeviceRun> run_trained(const algorithms::Network& net,
                                               const workloads::DataSplit& data,
                                               algorithms::TrainingStep& step) const;
  // The values of the kind's own /scenarios columns for a step not run by run_trained (an
  // assumed spike rate), and what it adds to the text summary then.
  virtual Row columns(const algorithms::TrainingStep& step) const;
  virtual DeviceSummary summary(const algorithms::TrainingStep& step) const;
  // Throws InputError for what the device refuses about a step readied for it, before costing
  // it: memory that does not fit. simulate() calls it first; a sweep calls it for every scenario
  // before running any. The default: nothing.
  virtual void check_step(const algorithms::TrainingStep& step) const;
  // The step's cost, with the job-level figures of the device (host power, embodied carbon).
  // Contract: may be called many times; each call is independent of the previous ones.
  Cost simulate(const algorithms::TrainingStep& step);

 private:
  void check_kind_options(const StepRequest& request) const;

 protected:
  // The device model proper: energy, latency and the per-op trace of one step.
  virtual Cost cost_step(const algorithms::TrainingStep& step) = 0;
  // The server's power per device while the job holds it (0: none).
  virtual double host_power_w() const;
  // Throws InputError if the step's memory (weights, gradients, optimizer state, activations)
  // exceeds `capacity_bytes` of the device's `memory` ("device memory", "DRAM").
  void check_memory_fits(const algorithms::TrainingStep& step, double capacity_bytes,
                         const std::string& memory) const;
};

// A device kind, registered with FRUGAL_REGISTER_DEVICE and named fields:
//   DeviceKind kind;
//   kind.name = "cpu";
//   kind.params = cpu_param_table().specs();
//   kind.make = make_device<CpuDevice>;
struct DeviceKind {
  std::string name;  // "cpu"
  std::string description;
  std::vector<ParamSpec> params;  // every parameter a preset of this kind must give
  std::function<std::unique_ptr<Device>(const Preset&)> make;
  // Builds the kind's SystemC modules (once per process; see elaborate_platforms).
  std::function<void()> elaborate;
  // Columns the kind adds to /scenarios (NaN or empty for other devices' scenarios), and tables
  // of its own.
  std::vector<results::ColumnSpec> columns;
  std::vector<DeviceTable> tables;
};

template <typename T>
std::unique_ptr<Device> make_device(const Preset& preset) {
  return std::make_unique<T>(preset);
}

// Parameters every preset gives, whatever its kind: the embodied carbon of a device and of its
// share of the server around it, and the lifetime over which they are amortized.
const std::vector<ParamSpec>& embodied_param_specs();
// Embodied carbon charged per device and second the job holds it (kg/s): (embodied_co2e +
// host_embodied_co2e) / (lifetime_years × lifetime_utilization).
double embodied_kg_per_device_second(const Preset& preset);

// Registers a kind; its presets also declare embodied_param_specs().
bool register_device_kind(DeviceKind kind);
const std::vector<DeviceKind>& device_kinds();
// Throws InputError listing the known kinds.
const DeviceKind& find_device_kind(const std::string& name);
// Every kind's own /scenarios columns and tables, in registration order.
std::vector<results::ColumnSpec> device_columns();
std::vector<DeviceTable> device_tables();

// SystemC 2.3.4 elaborates once per process: every kind's modules must exist before the first
// simulation, so make_device builds them all on its first call.
void elaborate_platforms();
std::unique_ptr<Device> make_device(const Preset& preset);

// Whether this process's SystemC clock has run half its range: a worker that has should retire
// before a step could overflow it.
bool simulation_clock_half_spent();

}  // namespace frugal::hw

// Registers the DeviceKind that `describe` (a function, called once) returns.
#define FRUGAL_REGISTER_DEVICE(ident, describe)                                                    \
  namespace {                                                                                      \
  [[maybe_unused]] const bool ident##_registered = ::frugal::hw::register_device_kind(describe()); \
  }
