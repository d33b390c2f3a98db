#include "hw_models/device.h"

#include <systemc>

#include "results/core/error.h"
#include "results/core/registry.h"
#include "results/core/units.h"

namespace frugal::hw {
namespace {

Registry<DeviceKind>& registry() {
  static Registry<DeviceKind> kinds("device kind");
  return kinds;
}

}  // namespace

double OpCost::energy_total_j() const {
  double sum = 0.0;
  for (double j : energy_j) sum += j;
  return sum;
}

namespace {

// "a cpu device", "an analog device".
std::string a_device(const std::string& kind) {
  return (kind.find_first_of("aeiou") == 0 ? "an " : "a ") + kind + " device";
}

}  // namespace

void Device::check(const StepRequest& request) const {
  if (request.utilization > 0)
    throw InputError("--utilization calibrates GPU runs; " + preset().name() + " is " +
                     a_device(preset().device()) + ", whose time comes from its model alone");
  if (request.runtime != "graph")
    throw InputError("--runtime " + request.runtime + " is modelled for GPUs and CPUs; " +
                     preset().name() + " is " + a_device(preset().device()) +
                     ", whose model has no launch runtime to choose (leave --runtime out)");
  if (request.threads != 0)
    throw InputError("--threads is modelled for CPUs; " + preset().name() + " is " +
                     a_device(preset().device()) + " (leave --threads out)");
  if (request.parallelism.devices > 1)
    throw InputError(preset().name() + ": --devices " +
                     std::to_string(request.parallelism.devices) + " is not modelled for " +
                     preset().device() + " devices (data parallelism is modelled for gpu)");
}

void Device::check_request(const StepRequest& request) const {
  check_kind_options(request);
  check(request);
}

void Device::check_kind_options(const StepRequest& request) const {
  if (request.analog_update != "sgd" && preset().device() != "analog")
    throw InputError("--analog-update is modelled for analog devices; " + preset().name() + " is " +
                     a_device(preset().device()) + " (leave --analog-update out)");
  if (request.placement != "pack" && preset().device() != "neuro")
    throw InputError("--placement is modelled for spiking devices; " + preset().name() + " is " +
                     a_device(preset().device()) + " (leave --placement out)");
}

StepRequest request_for(const algorithms::TrainingStep& step) {
  StepRequest request;
  request.precision = step.precision;
  request.parallelism = step.parallelism;
  request.utilization = step.utilization;
  request.runtime = step.runtime;
  request.threads = step.threads;
  request.analog_update = step.analog_update;
  request.placement = step.placement;
  request.rule = step.rule;
  request.optimizer = step.optimizer;
  request.inference = step.inference;
  request.timesteps = step.timesteps;
  return request;
}

Device::LearnerFactory Device::learner(const StepRequest&) const { return {}; }

int Device::element_bytes(const std::string&) const { return 4; }

void Device::prepare(algorithms::TrainingStep&, const StepRequest&) const {}

bool Device::costs_measured_activity(const StepRequest&) const { return false; }

std::unique_ptr<algorithms::Numerics> Device::numerics(const StepRequest&, uint64_t) const {
  return nullptr;
}

std::optional<DeviceRun> Device::run_trained(const algorithms::Network&,
                                             const workloads::DataSplit&,
                                             algorithms::TrainingStep&) const {
  return std::nullopt;
}

Row Device::columns(const algorithms::TrainingStep&) const { return {}; }

DeviceSummary Device::summary(const algorithms::TrainingStep&) const { return {}; }

double Device::host_power_w() const { return 0.0; }

void Device::check_step(const algorithms::TrainingStep&) const {}

void Device::check_memory_fits(const algorithms::TrainingStep& step, double capacity_bytes,
                               const std::string& memory) const {
  const int64_t needed = step.memory.total_bytes();
  if (static_cast<double>(needed) <= capacity_bytes) return;
  throw InputError(
      "the step needs " + units::format_si(static_cast<double>(needed), units::Dimension::bytes) +
      " of " + memory + " (weights " +
      units::format_si(static_cast<double>(step.memory.weights_bytes), units::Dimension::bytes) +
      ", gradients, optimizer state and activations) but " + preset().name() + " has " +
      units::format_si(capacity_bytes, units::Dimension::bytes) + "; use a smaller model or batch");
}

Cost Device::simulate(const algorithms::TrainingStep& step) {
  check_kind_options(request_for(step));
  check_step(step);
  Cost c = cost_step(step);
  c.host_power_w = host_power_w();
  c.embodied_kg_per_device_s = embodied_kg_per_device_second(preset());
  return c;
}

void Cost::book(size_t i, workloads::Phase phase) {
  for (int k = 0; k < kComponentCount; ++k)
    ledger.add(component_from_index(k), phase, ops[i].energy_j[static_cast<size_t>(k)]);
}

const std::vector<ParamSpec>& embodied_param_specs() {
  static const std::vector<ParamSpec> specs = {
      {"embodied_co2e", units::Dimension::mass, 0, 1e7, "carbon emitted making the device (CO2e)"},
      {"host_embodied_co2e", units::Dimension::mass, 0, 1e7,
       "the device's share of the embodied carbon of the server around it (CO2e)"},
      {"lifetime_years", units::Dimension::dimensionless, 0.1, 50,
       "years of service over which embodied carbon is amortized"},
      {"lifetime_utilization", units::Dimension::dimensionless, 0.01, 1,
       "fraction of its lifetime the device is in use (amortization over the hours used)"},
  };
  return specs;
}

double embodied_kg_per_device_second(const Preset& preset) {
  constexpr double kSecondsPerYear = 365.25 * 86400.0;
  return (preset.get("embodied_co2e") + preset.get("host_embodied_co2e")) /
         (preset.get("lifetime_years") * kSecondsPerYear * preset.get("lifetime_utilization"));
}

bool register_device_kind(DeviceKind kind) {
  const std::vector<ParamSpec>& common = embodied_param_specs();
  kind.params.insert(kind.params.end(), common.begin(), common.end());
  return registry().add(std::move(kind));
}

const std::vector<DeviceKind>& device_kinds() { return registry().all(); }

const DeviceKind& find_device_kind(const std::string& name) { return registry().find(name); }

std::vector<results::ColumnSpec> device_columns() {
  std::vector<results::ColumnSpec> columns;
  for (const DeviceKind& kind : device_kinds())
    columns.insert(columns.end(), kind.columns.begin(), kind.columns.end());
  return columns;
}

std::vector<DeviceTable> device_tables() {
  std::vector<DeviceTable> tables;
  for (const DeviceKind& kind : device_kinds())
    tables.insert(tables.end(), kind.tables.begin(), kind.tables.end());
  return tables;
}

void elaborate_platforms() {
  static const bool done = [] {
    for (const DeviceKind& kind : device_kinds())
      if (kind.elaborate) kind.elaborate();
    return true;
  }();
  (void)done;
}

std::unique_ptr<Device> make_device(const Preset& preset) {
  elaborate_platforms();
  return find_device_kind(preset.device()).make(preset);
}

// In the clock's integer ticks: sc_time / 2 goes through a double, and 2^64 / 2 rounds to 2^63,
// which SystemC's header then converts to a signed 64-bit value (undefined behaviour, which
// UBSan aborts on).
bool simulation_clock_half_spent() {
  return sc_core::sc_time_stamp().value() > sc_core::sc_max_time().value() / 2;
}

}  // namespace frugal::hw
