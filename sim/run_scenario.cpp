#include "sim/run_scenario.h"

#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "workloads/model_registry.h"

namespace frugal::sim {

hw::Preset resolve_preset(const Scenario& scenario) {
  hw::Preset preset = hw::find_preset(scenario.hw);
  for (const auto& [name, value] : scenario.hw_params) preset.set(name, value, "set by the user");
  return preset;
}

ScenarioOutcome run_scenario(const Scenario& scenario) {
  validate(scenario);
  // Resolve every name before any work, so a typo fails fast.
  const auto rule = algorithms::make_rule(scenario.rule);
  algorithms::find_optimizer(scenario.optimizer);
  hw::Preset preset = resolve_preset(scenario);
  const workloads::Graph forward = workloads::build_model(scenario.model, build_options(scenario));
  algorithms::StepOptions step_options;
  step_options.optimizer = scenario.optimizer;
  algorithms::TrainingStep step = rule->expand(forward, step_options);
  const auto device = hw::make_device(preset);
  hw::Cost cost = device->simulate(step);
  return ScenarioOutcome{scenario, std::move(step), std::move(preset), std::move(cost)};
}

}  // namespace frugal::sim
