// Rules that send errors back without the forward weights (docs/references.md#rule-costs):
//
//   fa    Feedback alignment (Lillicrap et al. 2016): δ_l = (B_{l+1} δ_{l+1}) ⊙ f'(a_l), B fixed
//         and random with W's shape. MACs as BP; no weight transport, but still a backward sweep.
//   dfa   Direct feedback alignment (Nøkland 2016): δ_l = (B_l e) ⊙ f'(a_l), B_l ∈ R^{n_l×C}:
//         F + C·Σ hidden n_l + F MACs for an MLP; every layer's error comes straight from e.
//   drtp  Direct random target projection (Frenkel et al. 2021): δ_l = (B_l y*) ⊙ f'(a_l) for
//         hidden layers (a column lookup: no MACs), the output layer keeps e. ≈ 2F MACs; a layer
//         can update as soon as its forward pass is done, so it holds one layer's activations.
//
// The projections are phase `feedback`; the fixed matrices are `feedback` tensors (memory, not
// parameters). Each rule trains every op BP can; docs/workloads.md gives the costs.

#include <algorithm>

#include "algorithms/functional/network.h"
#include "algorithms/rules/error_signal_rule.h"

namespace frugal::algorithms {
namespace {

using workloads::Graph;
using workloads::Op;

class FeedbackAlignment final : public ErrorSignalRule {
 public:
  FeedbackAlignment() : ErrorSignalRule(ErrorSignal::random_matrices) {}
};

class DirectFeedbackAlignment final : public ErrorSignalRule {
 public:
  DirectFeedbackAlignment() : ErrorSignalRule(ErrorSignal::direct_error) {}
};

class DirectRandomTargetProjection final : public ErrorSignalRule {
 public:
  DirectRandomTargetProjection() : ErrorSignalRule(ErrorSignal::direct_label) {}
  TrainingStep expand(const Graph& forward, const StepOptions& options) const override {
    TrainingStep step = ErrorSignalRule::expand(forward, options);
    // Run layer by layer (forward, then its update from B_l y*), a layer holds only its own
    // input and output until its update: the largest such pair, not every layer's.
    int64_t held = 0;
    for (const workloads::LayerSummary& l : forward.layers())
      held = std::max(held, workloads::checked_mul(l.in.elements() + l.out.elements(),
                                                   forward.element_bytes()));
    step.memory.activations_bytes = held;
    step.memory.peak_activation_bytes = std::min(step.memory.peak_activation_bytes, held);
    return step;
  }
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(fa, frugal::algorithms::FeedbackAlignment,
                     frugal::algorithms::training_rule(
                         "fa", "feedback alignment: errors sent back through fixed random matrices",
                         frugal::algorithms::kBackwardSweep | frugal::algorithms::kUpdateLocking |
                             frugal::algorithms::kRankOneUpdates))
FRUGAL_REGISTER_RULE(dfa, frugal::algorithms::DirectFeedbackAlignment,
                     frugal::algorithms::training_rule(
                         "dfa",
                         "direct feedback alignment: the output error projected to every layer",
                         frugal::algorithms::kUpdateLocking | frugal::algorithms::kRankOneUpdates))
FRUGAL_REGISTER_RULE(drtp, frugal::algorithms::DirectRandomTargetProjection,
                     frugal::algorithms::training_rule(
                         "drtp",
                         "direct random target projection: the label projected to every layer",
                         frugal::algorithms::kRankOneUpdates))
