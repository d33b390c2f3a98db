#include "hw_models/device.h"

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

bool register_device_kind(DeviceKind kind) { return registry().add(std::move(kind)); }

const std::vector<DeviceKind>& device_kinds() { return registry().all(); }

const DeviceKind& find_device_kind(const std::string& name) { return registry().find(name); }

std::unique_ptr<Device> make_device(const Preset& preset) {
  return find_device_kind(preset.device()).make(preset);
}

}  // namespace frugal::hw
