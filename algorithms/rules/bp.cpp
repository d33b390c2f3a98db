// Backpropagation (Rumelhart, Hinton & Williams 1986): softmax cross-entropy loss, then errors
// travel back through every op in reverse (the transposed forward weights for dense and
// convolution layers), δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f'(a_l), and each layer's gradient is
// ΔW_l = δ_l h_{l-1}ᵀ. For an MLP the MACs per step are F + (F − F_1) + F: forward, data
// gradients of every layer but the first, weight gradients (docs/references.md#rule-costs). For
// any graph, a dense, convolution or matmul op costs its forward MACs again for each gradient it
// sends back (input, weight, or each matmul operand); the other ops cost elementwise work
// (docs/workloads.md). A tensor read by several ops (a residual connection) receives the sum of
// their gradients; gradients pass through views and additions unchanged.

#include "algorithms/rules/error_signal_rule.h"

namespace frugal::algorithms {
namespace {

class Backprop final : public ErrorSignalRule {
 public:
  Backprop() : ErrorSignalRule(ErrorSignal::transpose_weights) {}
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(bp, frugal::algorithms::Backprop,
                     frugal::algorithms::training_rule(
                         "bp", "backpropagation: errors sent back through the transposed weights",
                         frugal::algorithms::kWeightTransport | frugal::algorithms::kBackwardSweep |
                             frugal::algorithms::kUpdateLocking |
                             frugal::algorithms::kRankOneUpdates))
