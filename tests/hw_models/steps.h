#pragma once
// Building and costing one training or inference step in the device tests.

#include <string>

#include "algorithms/learning_rule.h"
#include "hw_models/device.h"
#include "workloads/model_registry.h"

namespace frugal::testing {

inline int bytes_of(const std::string& precision) {
  return precision == "bf16" || precision == "fp16" ? 2 : precision == "fp8" ? 1 : 4;
}

// The step of `rule` on model `spec` at `batch`, its values `precision`-sized.
inline algorithms::TrainingStep step_of(const std::string& rule, const std::string& spec,
                                        int64_t batch, const std::string& precision = "bf16",
                                        const std::string& optimizer = "momentum") {
  workloads::BuildOptions build;
  build.batch = batch;
  build.element_bytes = bytes_of(precision);
  algorithms::StepOptions options;
  options.optimizer = optimizer;
  algorithms::TrainingStep step =
      algorithms::make_rule(rule)->expand(workloads::build_model(spec, build), options);
  step.precision = precision;
  return step;
}

inline hw::Cost simulate(const hw::Preset& preset, const algorithms::TrainingStep& step) {
  return hw::make_device(preset)->simulate(step);
}

inline hw::Cost simulate(const std::string& preset, const algorithms::TrainingStep& step) {
  return simulate(hw::find_preset(preset), step);
}

}  // namespace frugal::testing
