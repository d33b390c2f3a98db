#include "algorithms/backward.h"

#include <string>
#include <vector>

#include "algorithms/step_builder.h"
#include "results/core/error.h"

namespace frugal::algorithms {
namespace {

using workloads::checked_add;
using workloads::checked_mul;
using workloads::Graph;
using workloads::Op;
using workloads::OpKind;
using workloads::Phase;
using workloads::Shape;
using workloads::TensorKind;

// Elementwise cost of the gradients of normalization layers, per element (docs/workloads.md):
// dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)) costs 6; dγ = Σ dy·x̂ and dβ = Σ dy cost 3.
constexpr int64_t kNormInputGradOps = 6;
constexpr int64_t kNormWeightGradOps = 3;
constexpr int64_t kSoftmaxGradOps = 4;  // y ⊙ (g − Σ g⊙y)

class Expander {
 public:
  Expander(Graph& g, const Graph& forward, const BackwardOptions& options)
      : m_g(g),
        m_options(options),
        m_grads(forward.tensors().size(), -1),
        m_weight_grads(forward.tensors().size(), -1) {
    // A tensor needs a gradient if it depends on a weight: errors never flow into the input.
    m_needs.assign(forward.tensors().size(), false);
    for (const Op& op : forward.ops()) {
      bool needs = false;
      for (int id : op.reads) {
        const TensorKind kind = forward.tensor(id).kind;
        needs = needs || kind == TensorKind::weight || m_needs[static_cast<size_t>(id)];
      }
      for (int id : op.writes) m_needs[static_cast<size_t>(id)] = needs;
    }
  }

  void seed(int tensor, int grad) { m_grads[static_cast<size_t>(tensor)] = grad; }

  void visit(const Op& op) {
    const int gout = m_grads[static_cast<size_t>(op.writes.front())];
    if (gout < 0) return;  // nothing downstream needs this op's gradient
    switch (op.kind) {
      case OpKind::dense:
      case OpKind::conv2d:
        weight_grad(
            op, gout,
            op.kind == OpKind::dense ? OpKind::dense_grad_weight : OpKind::conv2d_grad_weight);
        for (int x : activations(op)) layer_input_grad(op, x, gout);
        break;
      case OpKind::matmul: {
        const std::vector<int> in = activations(op);
        for (size_t i = 0; i < in.size(); ++i)
          input_grad(op, in[i], OpKind::matmul_grad, op.macs, 0, {gout, in[1 - i]},
                     i == 0 ? "grad_a" : "grad_b");
        break;
      }
      case OpKind::attention:
        attention_grads(op, gout);
        break;
      case OpKind::pool: {
        const int x = activations(op).front();
        const int64_t ops = op.function == "max" ? op.out.elements() : op.in.elements();
        input_grad(op, x, OpKind::pool_grad, 0, ops,
                   op.function == "max" ? std::vector<int>{gout, x} : std::vector<int>{gout},
                   "grad");
        break;
      }
      case OpKind::norm: {
        const int x = activations(op).front();
        const int64_t n = op.out.elements();
        weight_grad(op, gout, OpKind::norm_grad_weight, checked_mul(n, kNormWeightGradOps));
        input_grad(op, x, OpKind::norm_grad_input, 0, checked_mul(n, kNormInputGradOps),
                   {gout, x, weights(op).front()}, "grad_input");
        break;
      }
      case OpKind::activation: {
        const int x = activations(op).front();
        // f'(a) from the stored output (relu, tanh, sigmoid), the input (gelu) or the mask
        // (dropout).
        const int stored = op.function == "gelu"      ? x
                           : op.function == "dropout" ? op.writes.back()
                                                      : op.writes.front();
        input_grad(op, x, OpKind::activation_grad, 0,
                   checked_mul(op.out.elements(), derivative_ops_per_element(op.function)),
                   {gout, stored}, "grad");
        break;
      }
      case OpKind::softmax:
        input_grad(op, activations(op).front(), OpKind::softmax_grad, 0,
                   checked_mul(op.out.elements(), kSoftmaxGradOps), {gout, op.writes.front()},
                   "grad");
        break;
      case OpKind::elementwise:
        elementwise_grads(op, gout);
        break;
      case OpKind::concat:
        // Each input's gradient is a slice of the output's: a view, no arithmetic.
        for (int x : activations(op)) {
          if (!m_needs[static_cast<size_t>(x)]) continue;
          const std::string name = m_g.tensor(x).name + ".grad_slice";
          contribute(x, m_g.add_tensor(name, TensorKind::error, m_g.tensor(x).elements), op);
        }
        break;
      case OpKind::embedding:
        weight_grad(op, gout, OpKind::embedding_grad, op.out.elements());
        break;
      default:
        throw InputError("rule " + m_options.rule + " cannot train op '" + op.name + "' of kind " +
                         std::string(workloads::to_string(op.kind)));
    }
  }

  const std::vector<int>& weight_gradients() {
    m_weight_grads.resize(m_g.tensors().size(), -1);
    return m_weight_grads;
  }

 private:
  std::vector<int> activations(const Op& op) const { return activation_inputs(m_g, op); }

  // The error a dense or convolution layer sends to its input, as the rule gets it: back through
  // the transposed weights (BP), through a fixed random matrix of the same shape (FA), or
  // projected from the output error or the label by a fixed random matrix (DFA, DRTP).
  void layer_input_grad(const Op& op, int x, int gout) {
    if (!m_needs[static_cast<size_t>(x)]) return;
    const bool dense = op.kind == OpKind::dense;
    const int w = weights(op).front();
    switch (m_options.feedback) {
      case ErrorSignal::transpose_weights:
        input_grad(op, x, dense ? OpKind::dense_grad_input : OpKind::conv2d_grad_input, op.macs, 0,
                   {gout, w}, "grad_input", Phase::backward_data);
        return;
      case ErrorSignal::random_matrices: {
        const int b = m_g.add_tensor(m_g.tensor(w).name + ".feedback", TensorKind::feedback,
                                     m_g.tensor(w).shape);
        input_grad(op, x, dense ? OpKind::dense_grad_input : OpKind::conv2d_grad_input, op.macs, 0,
                   {gout, b}, "grad_input", Phase::feedback);
        return;
      }
      case ErrorSignal::direct_error:
      case ErrorSignal::direct_label: {
        // B_l is (values of x per sample) × classes; e (or the one-hot label) is classes per
        // sample. DRTP's B_l y* is a lookup of one column per sample: no arithmetic.
        const int64_t n = m_g.tensor(x).elements;
        const int b = m_g.add_tensor(op.name + ".feedback", TensorKind::feedback,
                                     Shape{{n / m_g.batch(), m_options.classes}});
        const bool lookup = m_options.feedback == ErrorSignal::direct_label;
        const int64_t macs = lookup ? 0 : checked_mul(n, m_options.classes);
        input_grad(op, x, OpKind::feedback, macs, 0, {m_options.source, b}, "feedback",
                   Phase::feedback, lookup);
        return;
      }
    }
  }
  std::vector<int> weights(const Op& op) const { return weight_inputs(m_g, op); }

  // Adds `grad` to the gradient of `tensor`; a second contribution is summed by an op.
  void contribute(int tensor, int grad, const Op& from) {
    int& current = m_grads[static_cast<size_t>(tensor)];
    if (current < 0) {
      current = grad;
      return;
    }
    const int64_t n = m_g.tensor(tensor).elements;
    const int sum = m_g.add_tensor(m_g.tensor(tensor).name + ".grad_sum", TensorKind::error, n);
    Op op;
    op.name = from.name + ".grad_accumulate";
    op.kind = OpKind::grad_accumulate;
    op.phase = Phase::backward_data;
    op.layer = from.layer;
    op.in = op.out = Shape{{n}};
    op.other_ops = n;
    op.reads = {current, grad};
    op.writes = {sum};
    m_g.add_op(op);
    current = sum;
  }

  // Fused attention's backward pass (FlashAttention-2's): one kernel recomputes the scores from
  // q, k and the stored log-sum-exp, and forms dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dO ⊙
  // O)), dQ = dS·K and dK = dSᵀ·Q: five products where the forward pass has two.
  void attention_grads(const Op& op, int gout) {
    const std::vector<int> qkv = activations(op);
    const int64_t scores = op.macs / (2 * op.in.dims.back());
    Op d;
    d.name = op.name + ".grad";
    d.kind = OpKind::attention_grad;
    d.function = op.function;
    d.phase = Phase::backward_data;
    d.layer = op.layer;
    d.in = op.out;
    d.out = op.in;
    d.macs = checked_mul(op.macs / 2, 5);
    d.other_ops = checked_add(op.other_ops, checked_mul(scores, kSoftmaxGradOps));
    d.reads = {gout};
    for (int id : qkv) d.reads.push_back(id);
    for (int id : op.writes) d.reads.push_back(id);  // the output and its log-sum-exp
    std::vector<std::pair<int, int>> grads;
    for (size_t i = 0; i < qkv.size(); ++i) {
      if (!m_needs[static_cast<size_t>(qkv[i])]) continue;
      const int grad = m_g.add_tensor(op.name + ".grad_" + "qkv"[i], TensorKind::error,
                                      m_g.tensor(qkv[i]).elements);
      d.writes.push_back(grad);
      grads.emplace_back(qkv[i], grad);
    }
    if (grads.empty()) return;
    m_g.add_op(d);
    for (const auto& [x, grad] : grads) contribute(x, grad, op);
  }

  // The gradient of one activation input `x`, if it needs one.
  void input_grad(const Op& op, int x, OpKind kind, int64_t macs, int64_t other_ops,
                  std::vector<int> reads, const std::string& suffix,
                  Phase phase = Phase::backward_data, bool gathers = false) {
    if (!m_needs[static_cast<size_t>(x)]) return;
    const int grad =
        m_g.add_tensor(op.name + "." + suffix, TensorKind::error, m_g.tensor(x).elements);
    Op d;
    d.name = op.name + "." + suffix;
    d.kind = kind;
    d.function = op.function;
    d.phase = phase;
    d.layer = op.layer;
    d.in = op.out;
    d.out = op.in;
    d.gathers_weights = gathers;
    d.macs = macs;
    d.other_ops = other_ops;
    d.params = op.params;
    d.reads = std::move(reads);
    d.writes = {grad};
    m_g.add_op(d);
    contribute(x, grad, op);
  }

  // Gradients of the op's weights: its forward MACs again for dense and convolution layers (δ hᵀ),
  // plus one addition per output value for a bias; `other_ops` for the other kinds. A weight that
  // already has a gradient (tied weights) is accumulated into in place.
  void weight_grad(const Op& op, int gout, OpKind kind, int64_t other_ops = -1) {
    Op d;
    d.name = op.name + ".grad_weight";
    d.kind = kind;
    d.function = op.function;
    d.phase = Phase::backward_weight;
    d.layer = op.layer;
    d.in = op.out;
    d.params = op.params;
    const bool gemm = kind == OpKind::dense_grad_weight || kind == OpKind::conv2d_grad_weight;
    d.macs = gemm ? op.macs : 0;
    d.reads = {gout};
    for (int id : activations(op)) d.reads.push_back(id);
    int64_t params = 0;
    const std::vector<int> ws = weights(op);
    for (size_t i = 0; i < ws.size(); ++i) {
      const int w = ws[i];
      int& grad = m_weight_grads[static_cast<size_t>(w)];
      if (grad >= 0) {
        d.reads.push_back(grad);  // tied: accumulate into the existing gradient
      } else {
        grad = m_g.add_tensor(m_g.tensor(w).name + ".grad", TensorKind::gradient,
                              m_g.tensor(w).elements);
      }
      d.writes.push_back(grad);
      params = checked_add(params, m_g.tensor(w).elements);
      if (gemm && i > 0) d.other_ops = checked_add(d.other_ops, op.out.elements());  // bias
    }
    if (other_ops >= 0) d.other_ops = other_ops;
    d.out = Shape{{params}};
    m_g.add_op(d);
  }

  void elementwise_grads(const Op& op, int gout) {
    const bool additive = op.function == "add" || op.function == "sub";
    const int64_t n = op.out.elements();
    std::vector<int> operands;
    for (int id : op.reads) operands.push_back(id);
    for (size_t i = 0; i < operands.size(); ++i) {
      const int x = operands[i];
      const TensorKind kind = m_g.tensor(x).kind;
      const bool weight = kind == TensorKind::weight;
      if (!weight && !m_needs[static_cast<size_t>(x)]) continue;
      const bool broadcast = m_g.tensor(x).elements != n;
      if (additive && !broadcast && !weight) {
        contribute(x, gout, op);  // passes through unchanged
        continue;
      }
      // Products multiply by the other operand (or the constant); broadcast operands sum over the
      // broadcast dimensions.
      int64_t ops = (additive ? 0 : n) + (broadcast ? n : 0);
      if (ops == 0) ops = n;
      std::vector<int> reads = {gout};
      if (!additive && operands.size() == 2) reads.push_back(operands[1 - i]);
      if (weight) {
        int& grad = m_weight_grads[static_cast<size_t>(x)];
        if (grad < 0) {
          grad = m_g.add_tensor(m_g.tensor(x).name + ".grad", TensorKind::gradient,
                                m_g.tensor(x).elements);
        }
        Op d;
        d.name = op.name + ".grad_weight";
        d.kind = OpKind::elementwise_grad;
        d.function = op.function;
        d.phase = Phase::backward_weight;
        d.layer = op.layer;
        d.in = op.out;
        d.out = Shape{{m_g.tensor(x).elements}};
        d.other_ops = ops;
        d.params = op.params;
        d.reads = reads;
        d.writes = {grad};
        m_g.add_op(d);
        continue;
      }
      input_grad(op, x, OpKind::elementwise_grad, 0, ops, reads,
                 operands.size() == 1 ? "grad" : (i == 0 ? "grad_a" : "grad_b"));
    }
  }

  Graph& m_g;
  BackwardOptions m_options;
  std::vector<bool> m_needs;
  std::vector<int> m_grads;         // activation tensor -> its error tensor
  std::vector<int> m_weight_grads;  // weight tensor -> its gradient tensor
};

}  // namespace

std::vector<int> add_backward(Graph& step, const Graph& forward, int output_grad,
                              const BackwardOptions& options) {
  Expander expander(step, forward, options);
  expander.seed(forward.output_tensor(), output_grad);
  const std::vector<Op>& ops = forward.ops();
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) expander.visit(*it);
  return expander.weight_gradients();
}

}  // namespace frugal::algorithms
