// Backpropagation (Rumelhart, Hinton & Williams 1986): softmax cross-entropy loss, then errors
// travel back through the transposed forward weights, δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f'(a_l), and each
// layer's gradient is ΔW_l = δ_l h_{l-1}ᵀ. For an MLP the MACs per step are
// F + (F − F_1) + F: forward, data gradients of every layer but the first, weight gradients
// (REFERENCES.md section 7).

#include <string>
#include <vector>

#include "algorithms/learning_rule.h"
#include "algorithms/step_builder.h"
#include "results/error.h"

namespace frugal::algorithms {
namespace {

using workloads::Graph;
using workloads::Op;
using workloads::OpKind;
using workloads::Phase;
using workloads::TensorKind;

class Backprop final : public LearningRule {
 public:
  TrainingStep expand(const Graph& forward, const StepOptions& options) const override {
    const Optimizer& optimizer = find_optimizer(options.optimizer);
    TrainingStep step{"bp", optimizer.name, forward, {}, {true, true, true}};
    Graph& g = step.graph;
    const LossTensors loss = add_loss(g);
    const int forward_ops = static_cast<int>(g.ops().size());

    int grad = add_loss_grad(g, loss);  // gradient w.r.t. the output of the op being visited
    std::vector<int> gradients(g.tensors().size(), -1);
    const std::vector<Op> forward_list = forward.ops();
    for (auto it = forward_list.rbegin(); it != forward_list.rend(); ++it) {
      const Op& op = *it;
      switch (op.kind) {
        case OpKind::activation:
          grad = add_activation_grad(g, op, grad);
          break;
        case OpKind::dense:
          add_weight_grad(g, op, grad, gradients);
          grad = add_input_grad(g, op, grad);
          break;
        default:
          throw InputError("rule bp cannot expand op '" + op.name + "' of kind " +
                           std::string(workloads::to_string(op.kind)));
      }
    }
    gradients.resize(g.tensors().size(), -1);
    add_updates(g, optimizer, gradients);
    step.memory = measure_footprint(g, forward_ops);
    return step;
  }

 private:
  // δ = g ⊙ f'(a), with f'(a) computed from the activation the forward op stored.
  static int add_activation_grad(Graph& g, const Op& op, int grad) {
    const int stored = op.writes.front();
    const int delta = g.add_tensor(op.name + ".grad", TensorKind::error, g.tensor(stored).elements);
    Op d;
    d.name = op.name + ".grad";
    d.kind = OpKind::activation_grad;
    d.phase = Phase::backward_data;
    d.layer = op.layer;
    d.function = op.function;
    d.in = d.out = op.out;
    d.other_ops =
        workloads::checked_mul(op.out.elements(), derivative_ops_per_element(op.function));
    d.reads = {grad, stored};
    d.writes = {delta};
    g.add_op(d);
    return delta;
  }

  // ΔW = δ hᵀ and Δb = Σ_batch δ.
  static void add_weight_grad(Graph& g, const Op& op, int grad, std::vector<int>& gradients) {
    Op d;
    d.name = op.name + ".grad_weight";
    d.kind = OpKind::dense_grad_weight;
    d.phase = Phase::backward_weight;
    d.layer = op.layer;
    d.in = op.out;
    d.macs = op.macs;
    d.other_ops = op.out.elements();  // bias gradient: one addition per output value
    d.params = op.params;
    d.reads = {grad};
    for (int id : activation_inputs(g, op)) d.reads.push_back(id);
    int64_t params = 0;
    for (int w : weight_inputs(g, op)) {
      const int dw =
          g.add_tensor(g.tensor(w).name + ".grad", TensorKind::gradient, g.tensor(w).elements);
      gradients.resize(g.tensors().size(), -1);
      gradients[static_cast<size_t>(w)] = dw;
      d.writes.push_back(dw);
      params += g.tensor(w).elements;
    }
    d.out = workloads::Shape{{params}};
    g.add_op(d);
  }

  // g_{l-1} = Wᵀ δ_l; skipped for the first layer, whose input needs no gradient.
  static int add_input_grad(Graph& g, const Op& op, int grad) {
    const std::vector<int> inputs = activation_inputs(g, op);
    if (inputs.size() == 1 && g.tensor(inputs.front()).kind == TensorKind::input) return -1;
    const int in = inputs.front();
    const int gin = g.add_tensor(op.name + ".grad_input", TensorKind::error, g.tensor(in).elements);
    Op d;
    d.name = op.name + ".grad_input";
    d.kind = OpKind::dense_grad_input;
    d.phase = Phase::backward_data;
    d.layer = op.layer;
    d.in = op.out;
    d.out = op.in;
    d.macs = op.macs;
    d.params = op.params;
    d.reads = {grad, weight_inputs(g, op).front()};  // W only: the bias plays no part
    d.writes = {gin};
    g.add_op(d);
    return gin;
  }
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(bp, "bp", "backpropagation: errors sent back through the transposed weights",
                     frugal::algorithms::Backprop)
