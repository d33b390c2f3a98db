#include "algorithms/rules/error_signal_rule.h"

#include "algorithms/backward.h"
#include "algorithms/functional/network.h"
#include "algorithms/step_builder.h"

namespace frugal::algorithms {

TrainingStep ErrorSignalRule::expand(const workloads::Graph& forward,
                                     const StepOptions& options) const {
  const Optimizer& optimizer = find_optimizer(options.optimizer);
  TrainingStep step = new_step(forward, optimizer.name);
  workloads::Graph& g = step.graph;
  const LossTensors loss = add_loss(g);
  const int forward_ops = static_cast<int>(g.ops().size());
  const int e = add_loss_grad(g, loss);
  BackwardOptions backward;
  backward.rule = info().name;
  backward.feedback = m_signal;
  // Direct feedback projects the output error (dfa) or the label (drtp), of `classes` values.
  backward.source = m_signal == ErrorSignal::direct_label ? loss.labels : e;
  backward.classes = g.output_shape().dims.back();
  add_updates(g, optimizer, add_backward(g, forward, e, backward));
  step.memory = measure_footprint(g, forward_ops);
  return step;
}

std::unique_ptr<Learner> ErrorSignalRule::learner(Network& net, Numerics& numerics,
                                                  std::mt19937_64& rng) const {
  return std::make_unique<ErrorLearner>(net, numerics, m_signal, rng);
}

}  // namespace frugal::algorithms
