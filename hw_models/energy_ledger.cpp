#include "hw_models/energy_ledger.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace frugal::hw {

std::string_view to_string(Component component) {
  switch (component) {
    case Component::compute:
      return "compute";
    case Component::sram:
      return "sram";
    case Component::dram:
      return "dram";
    case Component::interconnect:
      return "interconnect";
    case Component::dac:
      return "dac";
    case Component::adc:
      return "adc";
    case Component::cell_read:
      return "cell_read";
    case Component::cell_write:
      return "cell_write";
    case Component::neuron_update:
      return "neuron_update";
    case Component::spike_route:
      return "spike_route";
    case Component::static_power:
      return "static";
    case Component::host:
      return "host";
  }
  return "?";
}

Component component_from_index(int index) {
  if (index < 0 || index >= kComponentCount)
    throw std::out_of_range("component index out of range");
  return static_cast<Component>(index);
}

void EnergyLedger::add(Component component, workloads::Phase phase, double joules) {
  if (!std::isfinite(joules) || joules < 0.0)
    throw std::logic_error("energy ledger: invalid energy " + std::to_string(joules) + " J for " +
                           std::string(to_string(component)));
  m_joules[static_cast<size_t>(component)][static_cast<size_t>(phase)] += joules;
}

double EnergyLedger::at(Component component, workloads::Phase phase) const {
  return m_joules[static_cast<size_t>(component)][static_cast<size_t>(phase)];
}

double EnergyLedger::component(Component component) const {
  double sum = 0.0;
  for (double j : m_joules[static_cast<size_t>(component)]) sum += j;
  return sum;
}

double EnergyLedger::phase(workloads::Phase phase) const {
  double sum = 0.0;
  for (const auto& row : m_joules) sum += row[static_cast<size_t>(phase)];
  return sum;
}

double EnergyLedger::total() const {
  double sum = 0.0;
  for (const auto& row : m_joules)
    for (double j : row) sum += j;
  return sum;
}

EnergyLedger& EnergyLedger::operator+=(const EnergyLedger& other) {
  for (size_t c = 0; c < m_joules.size(); ++c)
    for (size_t p = 0; p < m_joules[c].size(); ++p) m_joules[c][p] += other.m_joules[c][p];
  return *this;
}

}  // namespace frugal::hw
