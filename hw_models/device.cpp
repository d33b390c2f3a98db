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

bool register_device_kind(DeviceKind kind) { return registry().add(std::move(kind)); }

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
