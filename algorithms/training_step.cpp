#include "algorithms/training_step.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "results/core/error.h"

namespace frugal::algorithms {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

workloads::Op collective(const std::string& name, workloads::OpKind kind, workloads::Phase phase,
                         int64_t group, int64_t bytes, bool crosses_nodes) {
  workloads::Op op;
  op.name = name;
  op.kind = kind;
  op.phase = phase;
  op.group = group;
  op.collective_bytes = bytes;
  op.crosses_nodes = crosses_nodes;
  return op;
}

}  // namespace

void spread(TrainingStep& step, const Parallelism& p) {
  step.parallelism = p;
  if (p.devices <= 1) return;
  if (p.tensor < 1 || p.pipeline < 1 || p.devices % (p.tensor * p.pipeline) != 0)
    throw InputError("--devices " + std::to_string(p.devices) +
                     " must be a multiple of --tensor-parallel x --pipeline-parallel (" +
                     std::to_string(p.tensor) + " x " + std::to_string(p.pipeline) + ")");
  if (p.tensor > p.devices_per_node)
    throw InputError("--tensor-parallel " + std::to_string(p.tensor) + " exceeds the " +
                     std::to_string(p.devices_per_node) +
                     " devices of a node (--devices-per-node): tensor parallelism needs NVLink");
  using workloads::TensorKind;
  const workloads::Graph& old = step.graph;
  if (p.pipeline > 1 && p.micro() > old.batch())
    throw InputError("--micro-batches " + std::to_string(p.micro()) + " exceeds the " +
                     std::to_string(old.batch()) +
                     " samples a replica takes per step (batch / data-parallel replicas; the "
                     "default is 4 x pipeline stages): set --micro-batches to at most " +
                     std::to_string(old.batch()));
  const int64_t model_parts = p.tensor * p.pipeline, data = p.data();
  const bool sharded = p.shard_optimizer && data > 1;
  workloads::Graph g =
      workloads::without_ops(old, [&](workloads::Graph& copy, const workloads::Tensor& t) {
        int64_t parts = model_parts;
        if (sharded && (t.kind == TensorKind::gradient || t.kind == TensorKind::optimizer_state))
          parts *= data;
        copy.add_tensor_like(t, workloads::Shape{{ceil_div(t.elements, parts)}});
      });
  // Activations at the output of every dense layer of the replica's forward pass.
  int64_t dense_out_bytes = 0, dense_layers = 0;
  for (const workloads::Op& op : old.ops())
    if (op.phase == workloads::Phase::forward && op.kind == workloads::OpKind::dense) {
      for (int id : op.writes) dense_out_bytes += old.tensor(id).bytes;
      ++dense_layers;
    }
  const bool crosses = p.devices > p.devices_per_node;
  const int64_t gradient_bytes =
      ceil_div(old.tensor_bytes(TensorKind::gradient), model_parts);  // before sharding
  bool reduced = data <= 1 || gradient_bytes == 0;
  bool tensor_done = p.tensor <= 1;
  // Half the dense layers are row-parallel and all-reduce their output, per stage.
  const int64_t tensor_bytes = ceil_div(dense_out_bytes, 2 * p.pipeline);
  for (const workloads::Op& original : old.ops()) {
    // The tensor-parallel all-reduces, gathered where the forward pass ends: the forward
    // pass's (activations) and the backward pass's (their gradients), each one op.
    if (!tensor_done && original.phase != workloads::Phase::forward) {
      g.add_op(collective("tensor_parallel.all_reduce.forward", workloads::OpKind::all_reduce,
                          workloads::Phase::forward, p.tensor, tensor_bytes, false));
      g.add_op(collective("tensor_parallel.all_reduce.backward", workloads::OpKind::all_reduce,
                          workloads::Phase::backward_data, p.tensor, tensor_bytes, false));
      tensor_done = true;
    }
    if (!reduced && original.kind == workloads::OpKind::optimizer_update) {
      g.add_op(collective("gradients.all_reduce", workloads::OpKind::all_reduce,
                          workloads::Phase::update, data, gradient_bytes, crosses));
      reduced = true;
    }
    workloads::Op op = original;
    // The device's share of the op: its outputs as well as its work, so that a product keeps its
    // reduction length (MACs per output) and a kernel its shape.
    op.out = workloads::Shape{{ceil_div(op.out.elements(), model_parts)}};
    op.macs = ceil_div(op.macs, model_parts);
    op.other_ops = ceil_div(op.other_ops, model_parts);
    op.params = ceil_div(op.params, model_parts);
    g.add_op(op);
  }
  if (!tensor_done)  // a forward-only step: the forward pass's all-reduces at its end
    g.add_op(collective("tensor_parallel.all_reduce.forward", workloads::OpKind::all_reduce,
                        workloads::Phase::forward, p.tensor, tensor_bytes, false));
  if (!reduced)
    g.add_op(collective("gradients.all_reduce", workloads::OpKind::all_reduce,
                        workloads::Phase::update, data, gradient_bytes, crosses));
  if (p.pipeline > 1) {
    // A stage sends its boundary activations forward and receives their gradients back: about
    // one dense layer's output each way.
    const int64_t boundary = 2 * ceil_div(dense_out_bytes, std::max<int64_t>(1, dense_layers));
    g.add_op(collective("pipeline.send_recv", workloads::OpKind::send_recv,
                        workloads::Phase::forward, p.pipeline, ceil_div(boundary, p.tensor),
                        p.tensor * p.pipeline > p.devices_per_node));
    g.add_op(collective("pipeline.bubble", workloads::OpKind::pipeline_bubble,
                        workloads::Phase::forward, p.pipeline, p.micro(), false));
  }
  step.graph = std::move(g);
  MemoryFootprint& m = step.memory;
  m.weights_bytes = ceil_div(m.weights_bytes, model_parts);
  m.feedback_bytes = ceil_div(m.feedback_bytes, model_parts);
  m.gradients_bytes = ceil_div(m.gradients_bytes, model_parts * (sharded ? data : 1));
  m.optimizer_state_bytes = ceil_div(m.optimizer_state_bytes, model_parts * (sharded ? data : 1));
  m.activations_bytes = ceil_div(m.activations_bytes, model_parts);
  m.peak_activation_bytes = ceil_div(m.peak_activation_bytes, model_parts);
  if (p.pipeline > 1) {  // a stage holds the activations of the micro-batches in flight
    const int64_t in_flight = std::min(p.pipeline, p.micro());
    const auto share = [&](int64_t bytes) {
      return static_cast<int64_t>(
          std::ceil(static_cast<double>(bytes) * static_cast<double>(in_flight) /
                    static_cast<double>(p.micro())));
    };
    m.activations_bytes = share(m.activations_bytes);
    m.peak_activation_bytes = share(m.peak_activation_bytes);
  }
}

void checkpoint_activations(TrainingStep& step) {
  const workloads::Graph& old = step.graph;
  const auto& ops = old.ops();
  size_t first_backward = 0;
  while (first_backward < ops.size() && ops[first_backward].phase == workloads::Phase::forward)
    ++first_backward;
  if (first_backward == ops.size())
    throw InputError("--activation-checkpointing recomputes activations for a backward pass; " +
                     step.rule + "'s step has none");
  const auto block_of = [](const std::string& name) { return name.substr(0, name.find('.')); };
  // The tensors the forward pass leaves for later ops (held), the block that wrote each, and
  // each block's inputs (read by its ops, written before it).
  std::map<int, std::string> writer;
  std::set<int> block_inputs;
  for (size_t i = 0; i < first_backward; ++i) {
    const std::string block = block_of(ops[i].name);
    for (int id : ops[i].reads) {
      if (workloads::is_parameter_like(old.tensor(id).kind)) continue;
      auto w = writer.find(id);
      if (w == writer.end() || w->second != block) block_inputs.insert(id);
    }
    for (int id : ops[i].writes) writer.emplace(id, block);
  }
  std::set<int> held;
  for (size_t i = first_backward; i < ops.size(); ++i)
    for (int id : ops[i].reads)
      if (writer.count(id) || block_inputs.count(id))
        if (!workloads::is_parameter_like(old.tensor(id).kind)) held.insert(id);
  int64_t stored = 0;
  std::map<std::string, int64_t> block_bytes;
  for (int id : held) {
    if (block_inputs.count(id))
      stored = workloads::checked_add(stored, old.tensor(id).bytes);
    else
      block_bytes[writer.at(id)] =
          workloads::checked_add(block_bytes[writer.at(id)], old.tensor(id).bytes);
  }
  if (held.empty())
    throw InputError("--activation-checkpointing: " + step.rule +
                     "'s step holds no activations for a later pass");
  int64_t largest = 0;
  for (const auto& [block, bytes] : block_bytes) largest = std::max(largest, bytes);
  MemoryFootprint& m = step.memory;
  const int64_t before = m.activations_bytes;
  m.activations_bytes = std::min(before, workloads::checked_add(stored, largest));
  m.peak_activation_bytes =
      std::max(m.activations_bytes, m.peak_activation_bytes - (before - m.activations_bytes));
  // The graph with each forward op run again at the start of the backward pass.
  workloads::Graph g = workloads::without_ops(old);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i == first_backward)
      for (size_t f = 0; f < first_backward; ++f) {
        workloads::Op again = ops[f];
        again.name = "recompute." + again.name;
        again.phase = workloads::Phase::backward_data;
        again.recompute = true;
        g.add_op(again);
      }
    g.add_op(ops[i]);
  }
  step.graph = std::move(g);
}

int64_t peak_activation_bytes(const workloads::Graph& graph) {
  const auto& tensors = graph.tensors();
  const int op_count = static_cast<int>(graph.ops().size());
  std::vector<int> first(tensors.size(), op_count), last(tensors.size(), -1);
  for (int i = 0; i < op_count; ++i) {
    const workloads::Op& op = graph.ops()[static_cast<size_t>(i)];
    for (int id : op.writes) first[id] = std::min(first[id], i);
    for (int id : op.reads) {
      first[id] = std::min(first[id], i);
      last[id] = std::max(last[id], i);
    }
  }
  std::vector<int64_t> delta(static_cast<size_t>(op_count) + 1, 0);
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (workloads::is_parameter_like(tensors[t].kind) || first[t] >= op_count) continue;
    const int end = std::max(last[t], first[t]);  // written but never read: alive for one op
    delta[static_cast<size_t>(first[t])] =
        workloads::checked_add(delta[static_cast<size_t>(first[t])], tensors[t].bytes);
    delta[static_cast<size_t>(end) + 1] =
        workloads::checked_add(delta[static_cast<size_t>(end) + 1], -tensors[t].bytes);
  }
  int64_t alive = 0, peak = 0;
  for (int64_t d : delta) {
    alive = workloads::checked_add(alive, d);
    peak = std::max(peak, alive);
  }
  return peak;
}

}  // namespace frugal::algorithms
