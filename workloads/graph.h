#pragma once
// A workload graph: tensors and the ordered ops that read and write them. A model builder makes
// the forward graph for a batch; a learning rule expands it into a training step (more ops, more
// tensors, each op tagged with its phase). Devices cost a graph op by op.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workloads/op.h"

namespace frugal::workloads {

// Per-layer view of a forward graph, for `frugal describe`.
struct LayerSummary {
  int layer = 0;
  std::string name;  // its first op's, then " + NAME" for each pooling op it includes
  Shape in, out;
  int64_t params = 0;
  int64_t macs = 0;
  int64_t other_ops = 0;
  int64_t activation_bytes = 0;  // output activations of the layer (after its nonlinearity)
};

class Graph {
 public:
  Graph(std::string spec, int64_t batch, int element_bytes);

  const std::string& spec() const { return m_spec; }
  int64_t batch() const { return m_batch; }
  int element_bytes() const { return m_element_bytes; }

  // Returns the new tensor's id. bytes = elements × element_bytes.
  int add_tensor(std::string name, TensorKind kind, int64_t elements);
  int add_tensor(std::string name, TensorKind kind, Shape shape);
  // A tensor whose values are not the graph's format (class indices: 8-byte integers).
  int add_tensor(std::string name, TensorKind kind, Shape shape, int element_bytes);
  // `t` of another graph, in `shape`, its values as large as they were there.
  int add_tensor_like(const Tensor& t, Shape shape);
  // Appends an op; fills its byte counts from the tensors it reads and writes.
  const Op& add_op(Op op);

  const std::vector<Op>& ops() const { return m_ops; }
  const std::vector<Tensor>& tensors() const { return m_tensors; }
  const Tensor& tensor(int id) const;
  int find_tensor(const std::string& name) const;  // -1 if absent

  // The network's input batch and its output (logits) tensors; -1 until a builder sets them.
  void set_io(int input_tensor, int output_tensor);
  // Shape of the output as the network produces it ([batch, classes] or [batch, seq, vocab]);
  // the loss treats its last dimension as the classes. Defaults to [batch, elements / batch].
  void set_output_shape(Shape shape) { m_output_shape = std::move(shape); }
  Shape output_shape() const;
  int input_tensor() const { return m_input; }
  int output_tensor() const { return m_output; }

  int64_t macs() const;
  int64_t macs(Phase phase) const;
  int64_t other_ops() const;
  int64_t params() const;  // elements of all weight tensors
  int64_t tensor_bytes(TensorKind kind) const;
  int layer_count() const;  // highest layer index
  // What the builder could not model exactly (ONNX ops skipped as zero-cost), for the user.
  const std::vector<std::string>& warnings() const { return m_warnings; }
  void add_warning(std::string warning) { m_warnings.push_back(std::move(warning)); }
  std::vector<LayerSummary> layers() const;  // from the forward ops

 private:
  std::string m_spec;
  int64_t m_batch;
  int m_element_bytes;
  std::vector<Tensor> m_tensors;
  std::vector<Op> m_ops;
  int m_input = -1;
  int m_output = -1;
  Shape m_output_shape;
  std::vector<std::string> m_warnings;
};

// `old` without its ops, for a pass that rewrites them: its spec, batch, value size, warnings,
// input and output, and its tensors in order (their ids kept), each added by `add` (by default
// as it is; a pass may give it another shape or value size).
using TensorCopy = std::function<void(Graph& copy, const Tensor& tensor)>;
Graph without_ops(const Graph& old, const TensorCopy& add = {});

}  // namespace frugal::workloads
