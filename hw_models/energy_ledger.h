#pragma once
// Energy split by hardware component and by training-step phase. Devices add to it action by
// action; the invariant tests hold is that every view (by component, by phase) sums to the total.

#include <array>
#include <string_view>

#include "workloads/op.h"

namespace frugal::hw {

enum class Component {
  compute,        // arithmetic, with the instruction delivery and register traffic it needs
  sram,           // on-chip memories: caches, buffers, register files outside the datapath
  dram,           // off-chip memory (DRAM, HBM) accesses
  interconnect,   // on-chip network and links between devices
  dac,            // analog: digital-to-analog conversion
  adc,            // analog: analog-to-digital conversion
  cell_read,      // analog: reading the memory cells of a crossbar
  cell_write,     // analog: programming memory cells
  neuron_update,  // neuromorphic: neuron state updates
  spike_route,    // neuromorphic: spike routing
  static_power,   // idle/leakage power over the elapsed time (column name "static")
  host,           // host processor and I/O when a device needs one
};
inline constexpr int kComponentCount = 12;
std::string_view to_string(Component component);  // "compute", ..., "static", "host"
Component component_from_index(int index);

class EnergyLedger {
 public:
  void add(Component component, workloads::Phase phase, double joules);

  double at(Component component, workloads::Phase phase) const;
  double component(Component component) const;
  double phase(workloads::Phase phase) const;
  double total() const;

  EnergyLedger& operator+=(const EnergyLedger& other);

 private:
  std::array<std::array<double, workloads::kPhaseCount>, kComponentCount> m_joules{};
};

}  // namespace frugal::hw
