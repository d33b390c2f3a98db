#pragma once
// A device costs a training step: energy by component and phase, latency, and a per-op trace.
// Each kind ("cpu", ...) is one folder under hw_models/ that registers itself with
// FRUGAL_REGISTER_DEVICE: its parameters (for presets) and a factory.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/functional/numerics.h"
#include "algorithms/training_step.h"
#include "hw_models/energy_ledger.h"
#include "hw_models/preset.h"

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
  double latency_s = 0.0;   // of one step
  std::vector<OpCost> ops;  // one per op of the step, in order
  // One-time work before the first step, outside the ledger (an analog chip programming its
  // weights), and the programming pulses a device takes: at setup and per step, against the
  // writes it survives (0: not limited).
  double setup_energy_j = 0.0, setup_latency_s = 0.0;
  double setup_writes_per_device = 0.0, writes_per_device_per_step = 0.0;
  double endurance = 0.0;
  // Adds ops[i]'s energy to the ledger, under the op's phase.
  void book(size_t i, workloads::Phase phase);
};

class Device {
 public:
  virtual ~Device() = default;
  virtual const Preset& preset() const = 0;
  // Throws InputError if the device cannot compute in `precision` (naming what it can) or cannot
  // spread a step as `parallelism` asks. The default: any precision, one device.
  virtual void check(const std::string& precision,
                     const algorithms::Parallelism& parallelism) const;
  // Contract: may be called many times; each call is independent of the previous ones.
  virtual Cost simulate(const algorithms::TrainingStep& step) = 0;
};

struct DeviceKind {
  std::string name;  // "cpu"
  std::string description;
  std::vector<ParamSpec> params;  // every parameter a preset of this kind must give
  std::function<std::unique_ptr<Device>(const Preset&)> make;
  // Builds the kind's SystemC modules (once per process; see elaborate_platforms).
  std::function<void()> elaborate;
  // Whether the device costs the scenario's --precision (its rates and bytes); a device that
  // does not (the cpu) costs fp32 arithmetic on 4-byte values whatever the format.
  bool costs_precision = false;
  // Whether the device can stretch a step to a published utilization (TrainingStep::utilization).
  bool calibrates_utilization = false;
  // Power of the server around each device (host CPUs, DRAM, NICs, fans) while the job holds
  // it; the name of the preset parameter that gives it, or empty when the device has none.
  std::string host_power_param;
  // The device's own numerics for the functional face (noise, converters, drift), seeded; empty
  // for digital devices, which compute in --precision's format.
  std::function<std::unique_ptr<algorithms::Numerics>(const Preset&, uint64_t seed)> numerics;
  // Spiking devices cost the spikes a converted network fires (TrainingStep::spike_rates).
  bool spiking = false;
};

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

// SystemC 2.3.4 elaborates once per process: every kind's modules must exist before the first
// simulation, so make_device builds them all on its first call.
void elaborate_platforms();
std::unique_ptr<Device> make_device(const Preset& preset);

}  // namespace frugal::hw

#define FRUGAL_REGISTER_DEVICE(ident, ...)             \
  namespace {                                          \
  [[maybe_unused]] const bool ident##_registered =     \
      ::frugal::hw::register_device_kind(__VA_ARGS__); \
  }
