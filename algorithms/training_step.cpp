#include "algorithms/training_step.h"

#include <algorithm>
#include <vector>

namespace frugal::algorithms {

void add_data_parallel(TrainingStep& step, const Parallelism& p) {
  step.parallelism = p;
  if (p.devices <= 1) return;
  const workloads::Graph& old = step.graph;
  workloads::Graph g(old.spec(), old.batch(), old.element_bytes());
  for (const workloads::Tensor& t : old.tensors()) g.add_tensor(t.name, t.kind, t.shape);
  g.set_io(old.input_tensor(), old.output_tensor());
  g.set_output_shape(old.output_shape());
  for (const std::string& w : old.warnings()) g.add_warning(w);
  workloads::Op reduce;
  reduce.name = "gradients.all_reduce";
  reduce.kind = workloads::OpKind::all_reduce;
  reduce.phase = workloads::Phase::update;
  reduce.group = p.devices;
  reduce.crosses_nodes = p.devices > p.devices_per_node;
  for (size_t t = 0; t < old.tensors().size(); ++t)
    if (old.tensors()[t].kind == workloads::TensorKind::gradient)
      reduce.reads.push_back(static_cast<int>(t));
  reduce.writes = reduce.reads;
  bool inserted = reduce.reads.empty();  // inference: nothing to reduce
  for (const workloads::Op& op : old.ops()) {
    if (!inserted && op.kind == workloads::OpKind::optimizer_update) {
      g.add_op(reduce);
      inserted = true;
    }
    g.add_op(op);
  }
  if (!inserted) g.add_op(reduce);
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
