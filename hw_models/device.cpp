#include "hw_models/device.h"

#include <stdexcept>

#include "results/error.h"

namespace frugal::hw {
namespace {

std::vector<DeviceKind>& registry() {
  static std::vector<DeviceKind> kinds;
  return kinds;
}

}  // namespace

double OpCost::energy_total_j() const {
  double sum = 0.0;
  for (double j : energy_j) sum += j;
  return sum;
}

bool register_device_kind(DeviceKind kind) {
  for (const DeviceKind& k : registry())
    if (k.name == kind.name) throw std::logic_error("device '" + kind.name + "' registered twice");
  registry().push_back(std::move(kind));
  return true;
}

const std::vector<DeviceKind>& device_kinds() { return registry(); }

const DeviceKind& find_device_kind(const std::string& name) {
  std::string known;
  for (const DeviceKind& k : registry()) {
    if (k.name == name) return k;
    known += (known.empty() ? "" : ", ") + k.name;
  }
  throw InputError("unknown device kind '" + name + "' (known: " + known + ")");
}

std::unique_ptr<Device> make_device(const Preset& preset) {
  return find_device_kind(preset.device()).make(preset);
}

}  // namespace frugal::hw
