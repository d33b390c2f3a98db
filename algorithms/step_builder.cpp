#include "algorithms/step_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "results/core/error.h"

namespace frugal::algorithms {
namespace {

// Bytes of a class index (int64).
constexpr int kLabelBytes = 8;

InputError workloads_error(const std::string& rule, const workloads::Op& op) {
  return InputError("rule " + rule + " cannot train op '" + op.name + "' of kind " +
                    std::string(workloads::to_string(op.kind)) +
                    " (it trains fully connected layers with activations: mlp specs)");
}

}  // namespace

using workloads::checked_add;
using workloads::checked_mul;
using workloads::Graph;
using workloads::Op;
using workloads::OpKind;
using workloads::Phase;
using workloads::Shape;
using workloads::TensorKind;

int64_t derivative_ops_per_element(const std::string& function) {
  if (function == "relu" || function == "relu6" || function == "dropout") return 1;
  if (function == "tanh" || function == "sigmoid") return 3;
  if (function == "gelu") return 8;  // the tanh approximation's derivative, times the gradient
  throw std::invalid_argument("no derivative cost for activation '" + function + "'");
}

std::vector<int> activation_inputs(const Graph& graph, const Op& op) {
  std::vector<int> ids;
  for (int id : op.reads)
    if (!workloads::is_parameter_like(graph.tensor(id).kind)) ids.push_back(id);
  return ids;
}

std::vector<int> weight_inputs(const Graph& graph, const Op& op) {
  std::vector<int> ids;
  for (int id : op.reads)
    if (graph.tensor(id).kind == TensorKind::weight) ids.push_back(id);
  return ids;
}

LossTensors add_loss(Graph& graph) {
  const int logits = graph.output_tensor();
  if (logits < 0) throw std::logic_error("graph has no output tensor to compute a loss on");
  const int64_t elements = graph.tensor(logits).elements;
  const Shape shape = graph.output_shape();
  const int64_t samples = elements / shape.dims.back();  // predictions: a batch, or its tokens
  LossTensors loss;
  // One class index per prediction, as PyTorch's cross_entropy takes them (int64): a language
  // model's labels are its tokens, not one-hot rows as wide as the vocabulary.
  loss.labels = graph.add_tensor("y", TensorKind::label, Shape{{samples}}, kLabelBytes);
  loss.probs = graph.add_tensor("loss.probs", TensorKind::activation, elements);
  Op op;
  op.name = "loss";
  op.kind = OpKind::loss;
  op.phase = Phase::forward;
  op.in = op.out = shape;
  op.other_ops = checked_add(checked_mul(3, elements), samples);
  op.reads = {logits, loss.labels};
  op.writes = {loss.probs};
  graph.add_op(op);
  return loss;
}

int add_loss_grad(Graph& graph, const LossTensors& loss, Phase phase) {
  const int64_t elements = graph.tensor(loss.probs).elements;
  const int e = graph.add_tensor("loss.grad", TensorKind::error, elements);
  Op op;
  op.name = "loss.grad";
  op.kind = OpKind::loss_grad;
  op.phase = phase;
  op.in = op.out = graph.output_shape();
  op.other_ops = elements;
  op.reads = {loss.probs, loss.labels};
  op.writes = {e};
  graph.add_op(op);
  return e;
}

namespace {

// Mixed-precision training, as PyTorch's autocast and Megatron-LM's optimizers run it: a step
// whose values are narrower than fp32 keeps fp32 master weights (held with the optimizer's
// state), fp32 gradients and fp32 optimizer state; the update reads and writes the masters, and a
// cast per layer writes the narrow copies the products read. Rebuilds `graph` with those sizes.
void keep_fp32_masters(Graph& graph) {
  constexpr int kFp32 = 4;
  if (graph.element_bytes() >= kFp32) return;
  Graph g = workloads::without_ops(graph, [](Graph& copy, const workloads::Tensor& t) {
    if (t.kind == TensorKind::gradient || t.kind == TensorKind::optimizer_state)
      copy.add_tensor(t.name, t.kind, t.shape, kFp32);
    else
      copy.add_tensor_like(t, t.shape);
  });
  std::map<int, int> master;
  const auto master_of = [&](int weight) {
    const auto found = master.find(weight);
    if (found != master.end()) return found->second;
    const workloads::Tensor& w = g.tensor(weight);
    return master[weight] =
               g.add_tensor(w.name + ".master", TensorKind::optimizer_state, w.shape, kFp32);
  };
  for (Op op : graph.ops()) {
    if (op.kind != OpKind::optimizer_update) {
      g.add_op(op);
      continue;
    }
    Op cast;
    for (int& id : op.reads)
      if (g.tensor(id).kind == TensorKind::weight) id = master_of(id);
    for (int& id : op.writes)
      if (g.tensor(id).kind == TensorKind::weight) {
        cast.reads.push_back(master_of(id));
        cast.writes.push_back(id);
        id = master_of(id);
      }
    g.add_op(op);
    if (cast.writes.empty()) continue;  // an update already of masters
    cast.name = op.name.substr(0, op.name.rfind(".update")) + ".cast";
    cast.kind = OpKind::elementwise;
    cast.function = "cast";
    cast.phase = Phase::update;
    cast.layer = op.layer;
    cast.params = op.params;
    cast.in = cast.out = op.out;
    cast.other_ops = op.params;  // one conversion a value
    g.add_op(cast);
  }
  graph = std::move(g);
}

}  // namespace

void add_updates(Graph& graph, const Optimizer& optimizer, const std::vector<int>& gradients) {
  // Group weight tensors by the layer of the forward op that reads them.
  std::map<int, std::vector<int>> weights_by_layer;
  std::map<int, std::string> layer_names;
  std::set<int>
      placed;  // a weight read by several ops (tied) is updated once, with its first layer
  for (const Op& op : graph.ops()) {
    if (op.phase != Phase::forward) continue;
    for (int id : weight_inputs(graph, op)) {
      if (!placed.insert(id).second) continue;
      weights_by_layer[op.layer].push_back(id);
      layer_names.emplace(op.layer, op.name);
    }
  }
  for (const auto& [layer, weights] : weights_by_layer) {
    Op op;
    op.name = layer_names[layer] + ".update";
    op.kind = OpKind::optimizer_update;
    op.function = optimizer.name;
    op.phase = Phase::update;
    op.layer = layer;
    int64_t params = 0;
    for (int w : weights) {
      const int64_t n = graph.tensor(w).elements;
      params = checked_add(params, n);
      op.reads.push_back(w);
      if (gradients.at(static_cast<size_t>(w)) >= 0)
        op.reads.push_back(gradients[static_cast<size_t>(w)]);
      for (int s = 0; s < optimizer.state_per_param; ++s) {
        const int state = graph.add_tensor(graph.tensor(w).name + ".state" + std::to_string(s),
                                           TensorKind::optimizer_state, n);
        op.reads.push_back(state);
        op.writes.push_back(state);
      }
      op.writes.push_back(w);
    }
    op.params = params;
    op.in = op.out = Shape{{params}};
    op.other_ops = checked_mul(params, optimizer.ops_per_param);
    graph.add_op(op);
  }
  keep_fp32_masters(graph);
}

std::vector<DenseLayer> dense_layers(const Graph& forward, const std::string& rule) {
  std::vector<DenseLayer> layers;
  for (const Op& op : forward.ops()) {
    if (op.kind == OpKind::dense) {
      layers.push_back({&op, nullptr});
    } else if (op.kind == OpKind::activation && !layers.empty() && !layers.back().activation) {
      layers.back().activation = &op;
    } else {
      throw workloads_error(rule, op);
    }
  }
  return layers;
}

void add_dense_weight_grad(Graph& g, const Op& dense, int signal, int input,
                           std::vector<int>& gradients, const std::string& suffix) {
  Op op;
  op.name = dense.name + suffix;
  op.kind = OpKind::dense_grad_weight;
  op.phase = Phase::backward_weight;
  op.layer = dense.layer;
  op.in = dense.out;
  op.macs = dense.macs;
  op.other_ops = dense.out.elements();  // bias gradient
  op.params = dense.params;
  op.reads = {signal, input};
  int64_t params = 0;
  for (int w : weight_inputs(g, dense)) {
    gradients.resize(std::max(gradients.size(), g.tensors().size()), -1);
    int grad = gradients[static_cast<size_t>(w)];
    if (grad >= 0) {
      op.reads.push_back(grad);  // accumulate
    } else {
      grad = g.add_tensor(g.tensor(w).name + ".grad", TensorKind::gradient, g.tensor(w).elements);
      gradients.resize(g.tensors().size(), -1);
      gradients[static_cast<size_t>(w)] = grad;
    }
    op.writes.push_back(grad);
    params = checked_add(params, g.tensor(w).elements);
  }
  op.out = Shape{{params}};
  g.add_op(op);
}

int copy_forward_op(Graph& g, const Op& op, int input, Phase phase, const std::string& suffix) {
  Op c = op;
  c.name = op.name + suffix;
  c.phase = phase;
  const workloads::Tensor& written = g.tensor(op.writes.front());
  const int out = g.add_tensor(written.name + suffix, TensorKind::activation, written.shape);
  for (int& id : c.reads)
    if (!workloads::is_parameter_like(g.tensor(id).kind)) id = input;
  c.writes = {out};
  g.add_op(c);
  return out;
}

Graph evaluation_mode(const Graph& forward) {
  Graph g = workloads::without_ops(forward);
  for (Op op : forward.ops()) {
    if (op.kind == OpKind::norm && op.function == "batch") {
      op.function = "batch_eval";
      op.other_ops = checked_mul(op.out.elements(), 2);
    }
    g.add_op(op);
  }
  return g;
}

MemoryFootprint measure_footprint(const Graph& step, int forward_op_count) {
  MemoryFootprint m;
  m.weights_bytes = step.tensor_bytes(TensorKind::weight);
  m.gradients_bytes = step.tensor_bytes(TensorKind::gradient);
  m.optimizer_state_bytes = step.tensor_bytes(TensorKind::optimizer_state);
  m.feedback_bytes = step.tensor_bytes(TensorKind::feedback);
  // Activations produced (or fed in) during the forward pass and read again afterwards.
  std::set<int> produced_forward;
  const auto& ops = step.ops();
  for (int i = 0; i < forward_op_count && i < static_cast<int>(ops.size()); ++i) {
    for (int id : ops[static_cast<size_t>(i)].reads) produced_forward.insert(id);
    for (int id : ops[static_cast<size_t>(i)].writes) produced_forward.insert(id);
  }
  std::set<int> held;
  for (size_t i = static_cast<size_t>(forward_op_count); i < ops.size(); ++i)
    for (int id : ops[i].reads)
      if (produced_forward.count(id) && !workloads::is_parameter_like(step.tensor(id).kind))
        held.insert(id);
  for (int id : held) m.activations_bytes = checked_add(m.activations_bytes, step.tensor(id).bytes);
  m.peak_activation_bytes = peak_activation_bytes(step);
  return m;
}

}  // namespace frugal::algorithms
