// Backpropagation (Rumelhart, Hinton & Williams 1986): softmax cross-entropy loss, then errors
// travel back through every op in reverse (the transposed forward weights for dense and
// convolution layers), δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f'(a_l), and each layer's gradient is
// ΔW_l = δ_l h_{l-1}ᵀ. For an MLP the MACs per step are F + (F − F_1) + F: forward, data
// gradients of every layer but the first, weight gradients (docs/references.md#rule-costs). For
// any graph, a dense, convolution or matmul op costs its forward MACs again for each gradient it
// sends back (input, weight, or each matmul operand); the other ops cost elementwise work
// (docs/workloads.md). A tensor read by several ops (a residual connection) receives the sum of
// their gradients; gradients pass through views and additions unchanged.

#include <string>
#include <vector>

#include "algorithms/backward.h"
#include "algorithms/functional/network.h"
#include "algorithms/learning_rule.h"
#include "algorithms/step_builder.h"

namespace frugal::algorithms {
namespace {

using workloads::Graph;

class Backprop final : public LearningRule {
 public:
  TrainingStep expand(const Graph& forward, const StepOptions& options) const override {
    const Optimizer& optimizer = find_optimizer(options.optimizer);
    TrainingStep step = new_step(forward, optimizer.name);
    Graph& g = step.graph;
    const LossTensors loss = add_loss(g);
    const int forward_ops = static_cast<int>(g.ops().size());
    BackwardOptions backward;
    backward.rule = info().name;
    add_updates(g, optimizer, add_backward(g, forward, add_loss_grad(g, loss), backward));
    step.memory = measure_footprint(g, forward_ops);
    return step;
  }
  bool trains() const override { return true; }
  std::unique_ptr<Learner> learner(Network& net, Numerics& numerics,
                                   std::mt19937_64& rng) const override {
    return std::make_unique<ErrorLearner>(net, numerics, ErrorSignal::transpose_weights, rng);
  }
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(bp, frugal::algorithms::Backprop,
                     frugal::algorithms::training_rule(
                         "bp", "backpropagation: errors sent back through the transposed weights",
                         frugal::algorithms::kWeightTransport | frugal::algorithms::kBackwardSweep |
                             frugal::algorithms::kUpdateLocking))
