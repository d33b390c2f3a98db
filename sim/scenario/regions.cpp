#include "sim/scenario/regions.h"

#include "results/core/error.h"

namespace frugal::sim {

const std::vector<Region>& regions() {
  // OWID / Ember & Energy Institute 2023, lifecycle basis, as CodeCarbon packages them
  // (codecarbon/data/private_infra/global_energy_mix.json, data of Aug 2024);
  // docs/references.md#grid-set-a. The world average is the IEA's 2019 figure (CodeCarbon
  // carbon_intensity_per_source.json).
  static const std::string owid = "OWID/Ember 2023 via CodeCarbon global_energy_mix.json";
  static const std::vector<Region> table = {
      {"australia", 548.7, 2023, owid},
      {"brazil", 98.3, 2023, owid},
      {"canada", 170.0, 2023, owid},
      {"china", 582.3, 2023, owid},
      {"finland", 79.2, 2023, owid},
      {"france", 56.0, 2023, owid},
      {"germany", 381.0, 2023, owid},
      {"india", 713.4, 2023, owid},
      {"ireland", 290.8, 2023, owid},
      {"italy", 330.7, 2023, owid},
      {"japan", 485.4, 2023, owid},
      {"netherlands", 267.6, 2023, owid},
      {"norway", 30.1, 2023, owid},
      {"poland", 661.9, 2023, owid},
      {"quebec", 30.0, 2023,
       "derived: Quebec's 2023 mix (92.1% hydro, 6.7% wind, ...) times CodeCarbon's per-source "
       "factors (docs/references.md#quebec)"},
      {"singapore", 470.8, 2023, owid},
      {"south-africa", 707.7, 2023, owid},
      {"south-korea", 430.6, 2023, owid},
      {"spain", 174.1, 2023, owid},
      {"sweden", 40.7, 2023, owid},
      {"switzerland", 34.8, 2023, owid},
      {"taiwan", 642.4, 2023, owid},
      {"uk", 237.6, 2023, owid},
      {"usa", 369.5, 2023, owid},
      {"world", 475.0, 2019,
       "IEA 2019 world average (CodeCarbon carbon_intensity_per_source.json)"},
  };
  return table;
}

const Region& find_region(const std::string& name) {
  for (const Region& r : regions())
    if (r.name == name) return r;
  std::string names;
  for (const Region& r : regions()) names += (names.empty() ? "" : ", ") + r.name;
  throw InputError("unknown region '" + name + "' (expected one of: " + names +
                   "; or give --grid-gco2-per-kwh)");
}

double grid_g_per_kwh(const Scenario& s) {
  if (s.grid_g_per_kwh >= 0) return s.grid_g_per_kwh;
  return find_region(s.region).g_per_kwh;
}

}  // namespace frugal::sim
