// Inference: the forward pass alone, nothing held for later and nothing updated.

#include "algorithms/learning_rule.h"
#include "algorithms/step_builder.h"

namespace frugal::algorithms {
namespace {

class Inference final : public LearningRule {
 public:
  TrainingStep expand(const workloads::Graph& forward, const StepOptions&) const override {
    TrainingStep step = new_step(evaluation_mode(forward), "none");
    step.memory = measure_footprint(step.graph, static_cast<int>(forward.ops().size()));
    return step;
  }
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(inference, frugal::algorithms::Inference,
                     frugal::algorithms::forward_only_rule("inference",
                                                           "forward pass only (no training)"))
