// Forward-Forward (Hinton 2022), REFERENCES.md section 7: every layer learns on its own from two
// forward passes, one on positive data (the input with its true label written into it) and one on
// negative data (a wrong label). Per layer and pass: the input is length-normalized (after the
// first layer), the layer runs forward, its goodness g = Σ h² enters the loss
// softplus(θ − g⁺) + softplus(g⁻ − θ), whose gradient goes through the activation's derivative to
// the layer's weights and stops there. ≈ 4F MACs per positive sample (two forward passes, two
// weight gradients); no weight transport, no backward sweep, no locking; a layer holds only its
// own activations.
//
// Elementwise counts: normalization 3 per input value (square, sum, divide); goodness, loss and
// its gradient 4 per output value (square, sum, and 2h·s) plus 3 per sample (softplus and its
// derivative).

#include <algorithm>
#include <string>
#include <vector>

#include "algorithms/learning_rule.h"
#include "algorithms/step_builder.h"

namespace frugal::algorithms {
namespace {

using workloads::checked_add;
using workloads::checked_mul;
using workloads::Graph;
using workloads::Op;
using workloads::OpKind;
using workloads::Phase;
using workloads::TensorKind;

constexpr int64_t kNormalizeOps = 3;
constexpr int64_t kGoodnessOpsPerValue = 4;
constexpr int64_t kGoodnessOpsPerSample = 3;

class ForwardForward final : public LearningRule {
 public:
  TrainingStep expand(const Graph& forward, const StepOptions& options) const override {
    const Optimizer& optimizer = find_optimizer(options.optimizer);
    TrainingStep step{"ff",
                      optimizer.name,
                      Graph(forward.spec(), forward.batch(), forward.element_bytes()),
                      {},
                      {false, false, false}};
    Graph& g = step.graph;
    for (const workloads::Tensor& t : forward.tensors()) g.add_tensor(t.name, t.kind, t.shape);
    g.set_io(forward.input_tensor(), forward.output_tensor());

    const std::vector<DenseLayer> layers = dense_layers(forward, "ff");
    std::vector<int> gradients(g.tensors().size(), -1);
    int64_t held = 0;
    std::vector<int> inputs = {forward.input_tensor(), forward.input_tensor()};
    const char* stream_names[2] = {"pos", "neg"};
    for (size_t l = 0; l < layers.size(); ++l) {
      const Op& dense = *layers[l].dense;
      const Op* activation = layers[l].activation;
      std::vector<int> outputs(2);
      std::vector<int> signals(2);
      for (int s = 0; s < 2; ++s) {
        const std::string tag = std::string(".") + stream_names[s];
        int in = inputs[static_cast<size_t>(s)];
        if (l > 0) in = elementwise(g, dense, in, "normalize" + tag, Phase::forward, kNormalizeOps);
        int h = copy_forward_op(g, dense, in, Phase::forward, tag);
        if (activation) h = copy_forward_op(g, *activation, h, Phase::forward, tag);
        outputs[static_cast<size_t>(s)] = h;
        // Goodness, loss and ∂loss/∂h in one local op.
        const int64_t values = g.tensor(h).elements;
        int grad =
            g.add_tensor(dense.name + ".goodness_grad" + tag, TensorKind::error, g.tensor(h).shape);
        Op good;
        good.name = dense.name + ".goodness" + tag;
        good.kind = OpKind::goodness;
        good.phase = Phase::local_loss;
        good.layer = dense.layer;
        good.in = good.out = dense.out;
        good.other_ops = checked_add(checked_mul(values, kGoodnessOpsPerValue),
                                     checked_mul(g.batch(), kGoodnessOpsPerSample));
        good.reads = {h};
        good.writes = {grad};
        g.add_op(good);
        if (activation) {  // through f' to the pre-activation
          const int delta =
              g.add_tensor(activation->name + ".grad" + tag, TensorKind::error, g.tensor(h).shape);
          Op d;
          d.name = activation->name + ".grad" + tag;
          d.kind = OpKind::activation_grad;
          d.function = activation->function;
          d.phase = Phase::local_loss;
          d.layer = dense.layer;
          d.in = d.out = activation->out;
          d.other_ops = checked_mul(values, derivative_ops_per_element(activation->function));
          d.reads = {grad, h};
          d.writes = {delta};
          g.add_op(d);
          grad = delta;
        }
        signals[static_cast<size_t>(s)] = grad;
      }
      // ΔW from both passes (the gradients of the two streams summed into one).
      for (int s = 0; s < 2; ++s)
        add_dense_weight_grad(g, dense, signals[static_cast<size_t>(s)],
                              inputs[static_cast<size_t>(s)], gradients,
                              std::string(".grad_weight.") + stream_names[s]);
      // A layer holds its input and output for both passes until its update.
      held = std::max(
          held, checked_mul(2 * (dense.in.elements() + dense.out.elements()), g.element_bytes()));
      inputs = outputs;
    }
    gradients.resize(g.tensors().size(), -1);
    add_updates(g, optimizer, gradients);
    step.memory = measure_footprint(g, 0);
    step.memory.activations_bytes = held;
    return step;
  }

 private:
  static int elementwise(Graph& g, const Op& at, int input, const std::string& what, Phase phase,
                         int64_t ops_per_value) {
    const std::string name = at.name + "." + what;
    const int out = g.add_tensor(name, TensorKind::activation, g.tensor(input).shape);
    Op op;
    op.name = name;
    op.kind = OpKind::elementwise;
    op.function = "normalize";
    op.phase = phase;
    op.layer = at.layer;
    op.in = op.out = at.in;
    op.other_ops = checked_mul(g.tensor(input).elements, ops_per_value);
    op.reads = {input};
    op.writes = {out};
    g.add_op(op);
    return out;
  }
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(ff, "ff",
                     "Forward-Forward: each layer learns from the goodness of a positive and a "
                     "negative pass",
                     frugal::algorithms::ForwardForward)
