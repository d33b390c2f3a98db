#include "workloads/graph.h"

#include <algorithm>
#include <stdexcept>

namespace frugal::workloads {

Graph::Graph(std::string spec, int64_t batch, int element_bytes)
    : m_spec(std::move(spec)), m_batch(batch), m_element_bytes(element_bytes) {
  if (batch <= 0) throw std::invalid_argument("graph batch must be positive");
  if (element_bytes <= 0) throw std::invalid_argument("graph element size must be positive");
}

int Graph::add_tensor(std::string name, TensorKind kind, int64_t elements) {
  return add_tensor(std::move(name), kind, Shape{{elements}});
}

int Graph::add_tensor(std::string name, TensorKind kind, Shape shape) {
  return add_tensor(std::move(name), kind, std::move(shape), m_element_bytes);
}

int Graph::add_tensor(std::string name, TensorKind kind, Shape shape, int element_bytes) {
  if (element_bytes <= 0) throw std::invalid_argument("tensor element size must be positive");
  Tensor t;
  t.name = std::move(name);
  t.kind = kind;
  t.elements = shape.elements();
  t.bytes = checked_mul(t.elements, element_bytes);
  t.shape = std::move(shape);
  m_tensors.push_back(std::move(t));
  return static_cast<int>(m_tensors.size()) - 1;
}

int Graph::add_tensor_like(const Tensor& t, Shape shape) {
  const int64_t element_bytes = t.elements > 0 ? t.bytes / t.elements : m_element_bytes;
  return add_tensor(t.name, t.kind, std::move(shape), static_cast<int>(element_bytes));
}

const Tensor& Graph::tensor(int id) const {
  if (id < 0 || id >= static_cast<int>(m_tensors.size()))
    throw std::out_of_range("graph has no tensor " + std::to_string(id));
  return m_tensors[static_cast<size_t>(id)];
}

int Graph::find_tensor(const std::string& name) const {
  for (size_t i = 0; i < m_tensors.size(); ++i)
    if (m_tensors[i].name == name) return static_cast<int>(i);
  return -1;
}

void Graph::set_io(int input_tensor, int output_tensor) {
  tensor(input_tensor);  // validates the ids
  tensor(output_tensor);
  m_input = input_tensor;
  m_output = output_tensor;
}

Shape Graph::output_shape() const {
  if (!m_output_shape.dims.empty()) return m_output_shape;
  const int64_t elements = tensor(m_output).elements;
  return Shape{{m_batch, elements / m_batch}};
}

const Op& Graph::add_op(Op op) {
  op.weight_bytes_read = op.weight_bytes_written = op.act_bytes_read = op.act_bytes_written = 0;
  for (int id : op.reads) {
    const Tensor& t = tensor(id);
    int64_t& bytes = is_parameter_like(t.kind) ? op.weight_bytes_read : op.act_bytes_read;
    // A gather reads as many table values as it outputs.
    const bool gathered =
        op.gathers_weights && (t.kind == TensorKind::weight || t.kind == TensorKind::feedback);
    bytes =
        checked_add(bytes, gathered ? checked_mul(op.out.elements(), m_element_bytes) : t.bytes);
  }
  for (int id : op.writes) {
    const Tensor& t = tensor(id);
    int64_t& bytes = is_parameter_like(t.kind) ? op.weight_bytes_written : op.act_bytes_written;
    bytes = checked_add(bytes, t.bytes);
  }
  m_ops.push_back(std::move(op));
  return m_ops.back();
}

int64_t Graph::macs() const {
  int64_t total = 0;
  for (const Op& op : m_ops) total = checked_add(total, op.macs);
  return total;
}

int64_t Graph::macs(Phase phase) const {
  int64_t total = 0;
  for (const Op& op : m_ops)
    if (op.phase == phase) total = checked_add(total, op.macs);
  return total;
}

int64_t Graph::other_ops() const {
  int64_t total = 0;
  for (const Op& op : m_ops) total = checked_add(total, op.other_ops);
  return total;
}

int64_t Graph::params() const {
  int64_t total = 0;
  for (const Tensor& t : m_tensors)
    if (t.kind == TensorKind::weight) total = checked_add(total, t.elements);
  return total;
}

int64_t Graph::tensor_bytes(TensorKind kind) const {
  int64_t total = 0;
  for (const Tensor& t : m_tensors)
    if (t.kind == kind) total = checked_add(total, t.bytes);
  return total;
}

int Graph::layer_count() const {
  int layers = 0;
  for (const Op& op : m_ops) layers = std::max(layers, op.layer);
  return layers;
}

std::vector<LayerSummary> Graph::layers() const {
  std::vector<LayerSummary> summaries;
  for (const Op& op : m_ops) {
    if (op.phase != Phase::forward || op.layer <= 0) continue;
    if (summaries.empty() || summaries.back().layer != op.layer) {
      LayerSummary s;
      s.layer = op.layer;
      s.name = op.name;
      s.in = op.in;
      summaries.push_back(s);
    }
    LayerSummary& s = summaries.back();
    // A pooling op without parameters joins the layer before it: its row says so.
    if (op.kind == OpKind::pool && s.name != op.name) s.name += " + " + op.name;
    s.out = op.out;
    s.params = std::max(s.params, op.params);
    s.macs = checked_add(s.macs, op.macs);
    s.other_ops = checked_add(s.other_ops, op.other_ops);
    s.activation_bytes = checked_mul(op.out.elements(), m_element_bytes);
  }
  return summaries;
}

Graph without_ops(const Graph& old, const TensorCopy& add) {
  Graph g(old.spec(), old.batch(), old.element_bytes());
  for (const Tensor& t : old.tensors()) {
    if (add)
      add(g, t);
    else
      g.add_tensor_like(t, t.shape);
  }
  if (g.tensors().size() != old.tensors().size())
    throw std::logic_error("without_ops: a tensor copy must add exactly one tensor");
  g.set_io(old.input_tensor(), old.output_tensor());
  g.set_output_shape(old.output_shape());
  for (const std::string& w : old.warnings()) g.add_warning(w);
  return g;
}

}  // namespace frugal::workloads
