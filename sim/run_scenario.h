#pragma once
// One scenario, end to end: model spec -> forward graph -> training step of the rule -> device
// preset -> simulated cost.

#include "algorithms/training_step.h"
#include "hw_models/device.h"
#include "hw_models/preset.h"
#include "sim/scenario.h"

namespace frugal::sim {

struct ScenarioOutcome {
  Scenario scenario;
  algorithms::TrainingStep step;
  hw::Preset preset;
  hw::Cost cost;

  double energy_per_sample_j() const {
    return cost.ledger.total() / static_cast<double>(scenario.batch);
  }
};

// The scenario's hardware preset with its hw.NAME settings applied. Throws InputError.
hw::Preset resolve_preset(const Scenario& scenario);

// Throws InputError for anything wrong with the scenario (unknown model, rule, preset, ...).
// Contract: runs the device's SystemC simulation in this process (see hw::Device).
ScenarioOutcome run_scenario(const Scenario& scenario);

}  // namespace frugal::sim
