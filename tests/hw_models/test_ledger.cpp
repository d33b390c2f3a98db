#include <catch2/catch.hpp>

#include "hw_models/energy_ledger.h"

using namespace frugal::hw;
using frugal::workloads::Phase;

TEST_CASE("the ledger's views all sum to its total", "[quick][hw]") {
  EnergyLedger ledger;
  ledger.add(Component::compute, Phase::forward, 1.0);
  ledger.add(Component::compute, Phase::backward_data, 2.0);
  ledger.add(Component::dram, Phase::forward, 0.5);
  ledger.add(Component::static_power, Phase::update, 0.25);
  CHECK(ledger.total() == 3.75);
  CHECK(ledger.component(Component::compute) == 3.0);
  CHECK(ledger.phase(Phase::forward) == 1.5);
  CHECK(ledger.at(Component::dram, Phase::forward) == 0.5);
  double by_component = 0, by_phase = 0;
  for (int k = 0; k < kComponentCount; ++k)
    by_component += ledger.component(component_from_index(k));
  for (int p = 0; p < frugal::workloads::kPhaseCount; ++p)
    by_phase += ledger.phase(frugal::workloads::phase_from_index(p));
  CHECK(by_component == ledger.total());
  CHECK(by_phase == ledger.total());

  EnergyLedger twice = ledger;
  twice += ledger;
  CHECK(twice.total() == 7.5);
}

TEST_CASE("the ledger refuses negative or non-finite energy", "[quick][hw]") {
  EnergyLedger ledger;
  CHECK_THROWS(ledger.add(Component::compute, Phase::forward, -1.0));
  CHECK_THROWS(ledger.add(Component::compute, Phase::forward, 1.0 / 0.0));
  CHECK(ledger.total() == 0.0);
  CHECK(to_string(Component::static_power) == "static");
}
