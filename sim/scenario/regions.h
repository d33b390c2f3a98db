#pragma once
// Where a job runs: grid carbon intensities by region, each with its year and source
// (docs/carbon.md); the carbon accounting itself is in sim/metrics/figures.h.

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace frugal::sim {

struct Region {
  std::string name;      // "france", "usa", ...
  double g_per_kwh = 0;  // lifecycle gCO2e per kWh of electricity
  int year = 0;          // of the figure
  std::string source;
};

// The regions frugal knows, in name order.
const std::vector<Region>& regions();
// Throws InputError naming the valid regions.
const Region& find_region(const std::string& name);
// The grid intensity a scenario uses, gCO2e/kWh: --grid-gco2-per-kwh when given (>= 0), else
// its --region's. Throws InputError for an unknown region.
double grid_g_per_kwh(const Scenario& scenario);

}  // namespace frugal::sim
