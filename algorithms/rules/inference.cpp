// Inference: the forward pass alone, nothing held for later and nothing updated.

#include "algorithms/learning_rule.h"
#include "algorithms/step_builder.h"

namespace frugal::algorithms {
namespace {

class Inference final : public LearningRule {
 public:
  TrainingStep expand(const workloads::Graph& forward, const StepOptions&) const override {
    TrainingStep step{"inference", "none", forward, {}, {}};
    step.memory = measure_footprint(step.graph, static_cast<int>(forward.ops().size()));
    return step;
  }
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(inference, "inference", "forward pass only (no training)",
                     frugal::algorithms::Inference)
