#pragma once
// Builds forward graphs layer by layer, with shapes checked and every count (MACs, other
// arithmetic, parameters, bytes) computed in one place for each kind of op, so that the model zoo
// and the ONNX importer count alike. Shapes include the batch as their first dimension; images
// are NCHW. docs/workloads.md lists the counting conventions.
//
// A Value is a tensor seen with a shape: reshape, flatten and transpose give views of the same
// tensor (no op, no cost), so gradients flow through them unchanged.
//
// Layers: every op with parameters starts a new layer; ops without parameters (activations,
// pooling, residual additions) belong to the layer before them.

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/graph.h"
#include "workloads/model_registry.h"

namespace frugal::workloads {

struct Value {
  int id = -1;
  Shape shape;
};

struct ConvParams {
  int64_t out_channels = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
  bool bias = true;
  // Square kernel k, stride s, padding p on every side.
  static ConvParams square(int64_t out, int64_t k, int64_t s = 1, int64_t p = 0, bool bias = true,
                           int64_t groups = 1);
};

struct PoolParams {
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;
  static PoolParams square(int64_t k, int64_t s, int64_t p = 0);
};

class NetBuilder {
 public:
  NetBuilder(std::string spec, const BuildOptions& options);

  int64_t batch() const { return m_graph.batch(); }
  const Graph& graph() const { return m_graph; }

  // The network's input: the batch, then `per_sample` dims (e.g. {3, 224, 224}).
  Value input(const std::vector<int64_t>& per_sample, const std::string& name = "x");

  // A learned tensor used directly by an op (e.g. position embeddings added to the input).
  Value parameter(const std::string& name, const std::vector<int64_t>& dims);

  // y = x Wᵀ + b over the last dimension (W: out × in).
  Value dense(const Value& x, int64_t out, const std::string& name, bool bias = true);
  // The same with an existing weight tensor (tied weights: no new parameters); W: out × in.
  Value dense_shared(const Value& x, int weight, const std::string& name);
  // With given weight and bias tensors (bias -1: none), e.g. from an ONNX file.
  Value dense_with(const Value& x, int weight, int bias, const std::string& name);
  // `weight`/`bias` >= 0: use these tensors (checked against the expected shapes) instead of
  // creating them.
  Value conv2d(const Value& x, const ConvParams& c, const std::string& name, int weight = -1,
               int bias = -1);
  Value max_pool(const Value& x, const PoolParams& p, const std::string& name);
  Value avg_pool(const Value& x, const PoolParams& p, const std::string& name);
  Value adaptive_avg_pool(const Value& x, int64_t out_h, int64_t out_w, const std::string& name);
  Value global_avg_pool(const Value& x, const std::string& name);
  // Batch norm over the channels (dim 1), layer norm over the last dimension; both learn a scale
  // and a shift per channel / feature.
  Value batch_norm(const Value& x, const std::string& name, int scale = -1, int shift = -1);
  Value layer_norm(const Value& x, const std::string& name, int scale = -1, int shift = -1);
  Value activation(const Value& x, const std::string& function, const std::string& name);
  Value softmax(const Value& x, const std::string& name);
  // Elementwise op of two tensors with numpy broadcasting; `ops_per_element` of the output.
  Value elementwise(const std::string& function, const Value& a, const Value& b,
                    const std::string& name, int64_t ops_per_element = 1);
  // Elementwise op of one tensor and constants (scale, mask): no second input tensor.
  Value elementwise_const(const std::string& function, const Value& x, const std::string& name,
                          int64_t ops_per_element = 1);
  Value add(const Value& a, const Value& b, const std::string& name) {
    return elementwise("add", a, b, name);
  }
  Value concat(const std::vector<Value>& inputs, int axis, const std::string& name);
  // Token ids (any shape) -> their rows of a vocab × dim table. `table` receives the table's id.
  // `existing` >= 0: gather from that vocab × dim tensor instead of creating one.
  Value embedding(const Value& ids, int64_t vocab, int64_t dim, const std::string& name,
                  int* table = nullptr, int existing = -1);
  // Batched matrix product over the last two dims (leading dims broadcast); b transposed if asked.
  Value matmul(const Value& a, const Value& b, const std::string& name, bool transpose_b = false);
  // softmax(q·kᵀ, with `score_ops` operations per score for its scaling and masking)·v over
  // [batch, heads, sequence, head dim]: fused into one op when the options ask (only the scores
  // a causal mask keeps are computed), otherwise as name.scores, name.scale_mask, name.softmax
  // and name.context with the scores in memory.
  // `dropout` > 0 drops probabilities (inside the fused kernel, or as name.dropout).
  Value attention(const Value& q, const Value& k, const Value& v, int64_t score_ops, bool causal,
                  const std::string& name, double dropout = 0);
  // Inverted dropout with probability p (x itself when p is 0): a random draw per value, a
  // one-byte mask kept for the backward pass, and the kept values scaled by 1/(1 - p).
  Value dropout(const Value& x, double p, const std::string& name);

  // Views: no op, no cost.
  Value reshape(const Value& x, const std::vector<int64_t>& dims) const;
  Value flatten(const Value& x, int axis = 1) const;  // [d0..d_{axis-1}, rest]
  Value transpose(const Value& x, const std::vector<int>& perm) const;

  // Finishes the graph: `output` holds the logits.
  Graph finish(const Value& output);

  // The model spec, for error messages.
  const std::string& spec() const { return m_graph.spec(); }

 private:
  Value new_value(const std::string& name, const Shape& shape,
                  TensorKind kind = TensorKind::activation);
  int weight_or_new(int given, const std::string& name, const Shape& shape);
  // Appends an op of `kind` reading x (and `weights`) and writing a new tensor of shape `out`.
  Value emit(OpKind kind, const std::string& function, const Value& x, const Shape& out,
             int64_t other_ops, const std::string& name, const std::vector<int>& weights = {},
             int64_t params = 0, const Window& window = {});
  Value norm(const std::string& function, const Value& x, int64_t features, const std::string& name,
             int scale, int shift);
  int add_weight(const std::string& name, const Shape& shape);
  void add(Op op, bool has_params);
  [[noreturn]] void fail(const std::string& op, const std::string& why) const;
  Shape pooled(const Value& x, const PoolParams& p, const std::string& name) const;

  Graph m_graph;
  bool m_fused_attention = false;
  int m_layer = 0;
  int m_input = -1;
};

// Output size of a convolution or pooling window along one dimension (PyTorch's formula).
int64_t window_output(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                      int64_t pad_end, int64_t dilation, bool ceil_mode);

}  // namespace frugal::workloads
