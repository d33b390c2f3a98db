#include "hw_models/device.h"

#include "results/error.h"
#include "results/registry.h"

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

void Device::check(const std::string&, const algorithms::Parallelism& parallelism) const {
  if (parallelism.devices > 1)
    throw InputError(preset().name() + ": --devices " + std::to_string(parallelism.devices) +
                     " is not modelled for " + preset().device() +
                     " devices (data parallelism is modelled for gpu)");
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

}  // namespace frugal::hw
