#include "workloads/net_builder.h"

#include <algorithm>

#include "results/core/error.h"

namespace frugal::workloads {

// Other arithmetic per element of the output, for ops whose cost is elementwise
// (docs/workloads.md).
constexpr int64_t kNormOpsPerElement = 7;     // mean, variance (2), normalize (2), scale, shift
constexpr int64_t kSoftmaxOpsPerElement = 3;  // exp, sum, divide
// tanh-GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): 7 arithmetic operations and a tanh.
constexpr int64_t kGeluOpsPerElement = 8;
// Dropout: a random draw (Philox, four values per call), a compare, the mask and a scaling.
constexpr int64_t kDropoutOpsPerElement = 4;

ConvParams ConvParams::square(int64_t out, int64_t k, int64_t s, int64_t p, bool bias,
                              int64_t groups) {
  ConvParams c;
  c.out_channels = out;
  c.kernel_h = c.kernel_w = k;
  c.stride_h = c.stride_w = s;
  c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = p;
  c.bias = bias;
  c.groups = groups;
  return c;
}

PoolParams PoolParams::square(int64_t k, int64_t s, int64_t p) {
  PoolParams q;
  q.kernel_h = q.kernel_w = k;
  q.stride_h = q.stride_w = s;
  q.pad_top = q.pad_left = q.pad_bottom = q.pad_right = p;
  return q;
}

int64_t window_output(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                      int64_t pad_end, int64_t dilation, bool ceil_mode) {
  const int64_t span = in + pad_begin + pad_end - dilation * (kernel - 1) - 1;
  if (span < 0 || stride <= 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // With ceil_mode the last window must start inside the input or its leading padding.
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

NetBuilder::NetBuilder(std::string spec, const BuildOptions& options)
    : m_graph(std::move(spec), options.batch, options.element_bytes),
      m_fused_attention(options.fused_attention) {}

void NetBuilder::fail(const std::string& op, const std::string& why) const {
  throw InputError("model '" + m_graph.spec() + "', " + op + ": " + why);
}

Value NetBuilder::new_value(const std::string& name, const Shape& shape, TensorKind kind) {
  for (int64_t d : shape.dims)
    if (d <= 0)
      fail(name, "dimension " + std::to_string(d) + " in shape " + shape.str() +
                     " (dimensions must be positive)");
  return {m_graph.add_tensor(name, kind, shape), shape};
}

int NetBuilder::add_weight(const std::string& name, const Shape& shape) {
  return new_value(name, shape, TensorKind::weight).id;
}

void NetBuilder::add(Op op, bool has_params) {
  if (has_params || m_layer == 0) ++m_layer;
  op.layer = m_layer;
  op.phase = Phase::forward;
  m_graph.add_op(std::move(op));
}

Value NetBuilder::input(const std::vector<int64_t>& per_sample, const std::string& name) {
  Shape shape{{batch()}};
  shape.dims.insert(shape.dims.end(), per_sample.begin(), per_sample.end());
  const Value v = new_value(name, shape, TensorKind::input);
  m_input = v.id;
  return v;
}

Value NetBuilder::parameter(const std::string& name, const std::vector<int64_t>& dims) {
  return new_value(name, Shape{dims}, TensorKind::weight);
}

Value NetBuilder::dense(const Value& x, int64_t out, const std::string& name, bool bias) {
  if (x.shape.dims.size() < 2) fail(name, "dense needs a batch of vectors, got " + x.shape.str());
  if (out <= 0) fail(name, "output size " + std::to_string(out) + " (must be positive)");
  const int64_t in = x.shape.dims.back();
  const int w = add_weight(name + ".weight", Shape{{out, in}});
  const int b = bias ? add_weight(name + ".bias", Shape{{out}}) : -1;
  return dense_with(x, w, b, name);
}

Value NetBuilder::dense_shared(const Value& x, int weight, const std::string& name) {
  return dense_with(x, weight, -1, name);
}

int NetBuilder::weight_or_new(int given, const std::string& name, const Shape& shape) {
  if (given < 0) return add_weight(name, shape);
  const Tensor& t = m_graph.tensor(given);
  if (t.elements != shape.elements())
    fail(name, "weight '" + t.name + "' has shape " + t.shape.str() + ", expected " + shape.str());
  return given;
}

Value NetBuilder::dense_with(const Value& x, int weight, int bias, const std::string& name) {
  const Tensor& w = m_graph.tensor(weight);
  if (w.shape.dims.size() != 2) fail(name, "dense weight must be a matrix");
  const int64_t out = w.shape.dims[0], in = w.shape.dims[1];
  if (x.shape.dims.empty() || x.shape.dims.back() != in)
    fail(name, "input " + x.shape.str() + " does not match the weight's " + std::to_string(in) +
                   " inputs");
  Shape out_shape = x.shape;
  out_shape.dims.back() = out;
  const int64_t rows = x.shape.elements() / in;
  const Value y = new_value(name + ".out", out_shape);
  Op op;
  op.name = name;
  op.kind = OpKind::dense;
  op.in = x.shape;
  op.out = out_shape;
  op.macs = checked_mul(checked_mul(rows, in), out);
  op.params = checked_mul(in, out);
  op.reads = {x.id, weight};
  if (bias >= 0) {
    op.reads.push_back(bias);
    op.other_ops = out_shape.elements();  // one bias addition per output value
    op.params = checked_add(op.params, out);
  }
  op.writes = {y.id};
  add(op, true);
  return y;
}

Value NetBuilder::conv2d(const Value& x, const ConvParams& c, const std::string& name, int weight,
                         int bias) {
  if (x.shape.dims.size() != 4) fail(name, "conv2d needs NCHW input, got " + x.shape.str());
  const int64_t n = x.shape.dims[0], ch = x.shape.dims[1], h = x.shape.dims[2],
                wd = x.shape.dims[3];
  if (c.groups <= 0 || ch % c.groups != 0 || c.out_channels <= 0 || c.out_channels % c.groups != 0)
    fail(name, "groups " + std::to_string(c.groups) + " must divide the input channels " +
                   std::to_string(ch) + " and the output channels " +
                   std::to_string(c.out_channels));
  if (c.kernel_h <= 0 || c.kernel_w <= 0 || c.stride_h <= 0 || c.stride_w <= 0 ||
      c.dilation_h <= 0 || c.dilation_w <= 0 || c.pad_top < 0 || c.pad_left < 0 ||
      c.pad_bottom < 0 || c.pad_right < 0)
    fail(name, "kernel, stride and dilation must be positive and padding non-negative");
  const int64_t ho =
      window_output(h, c.kernel_h, c.stride_h, c.pad_top, c.pad_bottom, c.dilation_h, false);
  const int64_t wo =
      window_output(wd, c.kernel_w, c.stride_w, c.pad_left, c.pad_right, c.dilation_w, false);
  if (ho <= 0 || wo <= 0)
    fail(name, "a " + std::to_string(c.kernel_h) + "x" + std::to_string(c.kernel_w) +
                   " kernel does not fit the " + std::to_string(h) + "x" + std::to_string(wd) +
                   " input");
  const int64_t per_output = checked_mul(checked_mul(ch / c.groups, c.kernel_h), c.kernel_w);
  const Shape out_shape{{n, c.out_channels, ho, wo}};
  const int w = weight_or_new(weight, name + ".weight",
                              Shape{{c.out_channels, ch / c.groups, c.kernel_h, c.kernel_w}});
  Op op;
  op.name = name;
  op.kind = OpKind::conv2d;
  op.in = x.shape;
  op.out = out_shape;
  op.macs = checked_mul(out_shape.elements(), per_output);
  op.params = checked_mul(c.out_channels, per_output);
  op.window = {c.kernel_h, c.kernel_w,   c.stride_h,  c.stride_w,   c.pad_top,
               c.pad_left, c.pad_bottom, c.pad_right, c.dilation_h, c.dilation_w,
               c.groups,   false,        c.bias};
  op.reads = {x.id, w};
  if (c.bias) {
    op.reads.push_back(weight_or_new(bias, name + ".bias", Shape{{c.out_channels}}));
    op.other_ops = out_shape.elements();
    op.params = checked_add(op.params, c.out_channels);
  }
  const Value y = new_value(name + ".out", out_shape);
  op.writes = {y.id};
  add(op, true);
  return y;
}

namespace {
Window window_of(const PoolParams& p) {
  Window w;
  w.kernel_h = p.kernel_h;
  w.kernel_w = p.kernel_w;
  w.stride_h = p.stride_h;
  w.stride_w = p.stride_w;
  w.pad_top = p.pad_top;
  w.pad_left = p.pad_left;
  w.pad_bottom = p.pad_bottom;
  w.pad_right = p.pad_right;
  w.ceil_mode = p.ceil_mode;
  return w;
}
}  // namespace

Shape NetBuilder::pooled(const Value& x, const PoolParams& p, const std::string& name) const {
  if (x.shape.dims.size() != 4) fail(name, "pooling needs NCHW input, got " + x.shape.str());
  if (p.kernel_h <= 0 || p.kernel_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0)
    fail(name, "pooling kernel and stride must be positive");
  const int64_t ho = window_output(x.shape.dims[2], p.kernel_h, p.stride_h, p.pad_top, p.pad_bottom,
                                   1, p.ceil_mode);
  const int64_t wo = window_output(x.shape.dims[3], p.kernel_w, p.stride_w, p.pad_left, p.pad_right,
                                   1, p.ceil_mode);
  if (ho <= 0 || wo <= 0) fail(name, "the pooling window does not fit " + x.shape.str());
  return Shape{{x.shape.dims[0], x.shape.dims[1], ho, wo}};
}

Value NetBuilder::max_pool(const Value& x, const PoolParams& p, const std::string& name) {
  const Shape out = pooled(x, p, name);
  return emit(OpKind::pool, "max", x, out, checked_mul(out.elements(), p.kernel_h * p.kernel_w - 1),
              name, {}, 0, window_of(p));  // comparisons
}

Value NetBuilder::avg_pool(const Value& x, const PoolParams& p, const std::string& name) {
  const Shape out = pooled(x, p, name);
  return emit(OpKind::pool, "avg", x, out, checked_mul(out.elements(), p.kernel_h * p.kernel_w),
              name, {}, 0, window_of(p));  // adds and a divide per output
}

Value NetBuilder::adaptive_avg_pool(const Value& x, int64_t out_h, int64_t out_w,
                                    const std::string& name) {
  if (x.shape.dims.size() != 4) fail(name, "pooling needs NCHW input, got " + x.shape.str());
  if (out_h <= 0 || out_w <= 0) fail(name, "output size must be positive");
  const int64_t h = x.shape.dims[2], w = x.shape.dims[3];
  // PyTorch's windows: [floor(i·H/out), ceil((i+1)·H/out)).
  auto window_sum = [](int64_t in, int64_t out) {
    int64_t total = 0;
    for (int64_t i = 0; i < out; ++i) total += (((i + 1) * in + out - 1) / out) - (i * in / out);
    return total;
  };
  const Shape out{{x.shape.dims[0], x.shape.dims[1], out_h, out_w}};
  return emit(OpKind::pool, "avg", x, out,
              checked_mul(checked_mul(x.shape.dims[0] * x.shape.dims[1], window_sum(h, out_h)),
                          window_sum(w, out_w)),
              name);
}

Value NetBuilder::global_avg_pool(const Value& x, const std::string& name) {
  if (x.shape.dims.size() != 4) fail(name, "pooling needs NCHW input, got " + x.shape.str());
  return emit(OpKind::pool, "global_avg", x, Shape{{x.shape.dims[0], x.shape.dims[1], 1, 1}},
              x.shape.elements(), name);  // adds, and a divide per output
}

Value NetBuilder::batch_norm(const Value& x, const std::string& name, int scale, int shift) {
  if (x.shape.dims.size() < 2)
    fail(name, "batch norm needs channels (dim 1), got " + x.shape.str());
  return norm("batch", x, x.shape.dims[1], name, scale, shift);
}

Value NetBuilder::norm(const std::string& function, const Value& x, int64_t features,
                       const std::string& name, int scale, int shift) {
  const int s = weight_or_new(scale, name + ".weight", Shape{{features}});
  const int b = weight_or_new(shift, name + ".bias", Shape{{features}});
  return emit(OpKind::norm, function, x, x.shape,
              checked_mul(x.shape.elements(), kNormOpsPerElement), name, {s, b}, 2 * features);
}

Value NetBuilder::layer_norm(const Value& x, const std::string& name, int scale, int shift) {
  return norm("layer", x, x.shape.dims.back(), name, scale, shift);
}

Value NetBuilder::activation(const Value& x, const std::string& function, const std::string& name) {
  static const std::vector<std::string> known = {"relu", "relu6", "gelu", "tanh", "sigmoid"};
  if (std::find(known.begin(), known.end(), function) == known.end())
    fail(name, "unknown activation '" + function + "' (known: relu, relu6, gelu, tanh, sigmoid)");
  const int64_t per_element = function == "gelu" ? kGeluOpsPerElement : 1;
  return emit(OpKind::activation, function, x, x.shape,
              checked_mul(x.shape.elements(), per_element), name);
}

Value NetBuilder::dropout(const Value& x, double p, const std::string& name) {
  if (p <= 0) return x;
  if (p >= 1) fail(name, "dropout probability must be below 1");
  const Value y = new_value(name + ".out", x.shape);
  Op op;
  op.name = name;
  op.kind = OpKind::activation;
  op.function = "dropout";
  op.in = op.out = x.shape;
  op.other_ops = checked_mul(x.shape.elements(), kDropoutOpsPerElement);
  op.reads = {x.id};
  op.writes = {y.id, m_graph.add_tensor(name + ".mask", TensorKind::activation, x.shape, 1)};
  add(op, false);
  return y;
}

Value NetBuilder::softmax(const Value& x, const std::string& name) {
  return emit(OpKind::softmax, "", x, x.shape,
              checked_mul(x.shape.elements(), kSoftmaxOpsPerElement), name);
}

namespace {
// numpy broadcasting of two shapes; empty dims on failure.
bool broadcast(const Shape& a, const Shape& b, Shape& out) {
  const size_t n = std::max(a.dims.size(), b.dims.size());
  out.dims.assign(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.dims.size() ? 1 : a.dims[i - (n - a.dims.size())];
    const int64_t db = i < n - b.dims.size() ? 1 : b.dims[i - (n - b.dims.size())];
    if (da != db && da != 1 && db != 1) return false;
    out.dims[i] = std::max(da, db);
  }
  return true;
}
}  // namespace

Value NetBuilder::elementwise(const std::string& function, const Value& a, const Value& b,
                              const std::string& name, int64_t ops_per_element) {
  Shape out_shape;
  if (!broadcast(a.shape, b.shape, out_shape))
    fail(name, "shapes " + a.shape.str() + " and " + b.shape.str() + " do not broadcast");
  const Value y = new_value(name + ".out", out_shape);
  Op op;
  op.name = name;
  op.kind = OpKind::elementwise;
  op.function = function;
  op.in = a.shape;
  op.out = out_shape;
  op.other_ops = checked_mul(out_shape.elements(), ops_per_element);
  op.reads = {a.id, b.id};
  op.writes = {y.id};
  bool learned = false;  // an operand that is a parameter (position embeddings)
  for (const Value* v : {&a, &b})
    if (m_graph.tensor(v->id).kind == TensorKind::weight) {
      op.params = checked_add(op.params, v->shape.elements());
      learned = true;
    }
  add(op, learned);
  return y;
}

Value NetBuilder::elementwise_const(const std::string& function, const Value& x,
                                    const std::string& name, int64_t ops_per_element) {
  return emit(OpKind::elementwise, function, x, x.shape,
              checked_mul(x.shape.elements(), ops_per_element), name);
}

Value NetBuilder::emit(OpKind kind, const std::string& function, const Value& x, const Shape& out,
                       int64_t other_ops, const std::string& name, const std::vector<int>& weights,
                       int64_t params, const Window& window) {
  const Value y = new_value(name + ".out", out);
  Op op;
  op.name = name;
  op.kind = kind;
  op.function = function;
  op.in = x.shape;
  op.out = out;
  op.other_ops = other_ops;
  op.params = params;
  op.window = window;
  op.reads = {x.id};
  op.reads.insert(op.reads.end(), weights.begin(), weights.end());
  op.writes = {y.id};
  add(op, !weights.empty());
  return y;
}

Value NetBuilder::concat(const std::vector<Value>& inputs, int axis, const std::string& name) {
  if (inputs.empty()) fail(name, "concat of nothing");
  Shape out_shape = inputs.front().shape;
  const int rank = static_cast<int>(out_shape.dims.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) fail(name, "concat axis out of range for " + out_shape.str());
  out_shape.dims[static_cast<size_t>(axis)] = 0;
  Op op;
  for (const Value& v : inputs) {
    if (static_cast<int>(v.shape.dims.size()) != rank)
      fail(name, "concat of " + inputs.front().shape.str() + " and " + v.shape.str());
    for (int i = 0; i < rank; ++i)
      if (i != axis &&
          v.shape.dims[static_cast<size_t>(i)] != out_shape.dims[static_cast<size_t>(i)])
        fail(name, "concat of " + inputs.front().shape.str() + " and " + v.shape.str());
    out_shape.dims[static_cast<size_t>(axis)] += v.shape.dims[static_cast<size_t>(axis)];
    op.reads.push_back(v.id);
  }
  const Value y = new_value(name + ".out", out_shape);
  op.name = name;
  op.kind = OpKind::concat;
  op.in = inputs.front().shape;
  op.out = out_shape;
  op.writes = {y.id};
  add(op, false);
  return y;
}

Value NetBuilder::embedding(const Value& ids, int64_t vocab, int64_t dim, const std::string& name,
                            int* table, int existing) {
  const int w = weight_or_new(existing, name + ".weight", Shape{{vocab, dim}});
  if (table) *table = w;
  Shape out_shape = ids.shape;
  out_shape.dims.push_back(dim);
  const Value y = new_value(name + ".out", out_shape);
  Op op;
  op.name = name;
  op.kind = OpKind::embedding;
  op.in = ids.shape;
  op.out = out_shape;
  op.params = checked_mul(vocab, dim);
  op.gathers_weights = true;
  op.reads = {ids.id, w};
  op.writes = {y.id};
  add(op, true);
  return y;
}

Value NetBuilder::matmul(const Value& a, const Value& b, const std::string& name,
                         bool transpose_b) {
  if (a.shape.dims.size() < 2 || b.shape.dims.size() < 2)
    fail(name, "matmul needs matrices, got " + a.shape.str() + " and " + b.shape.str());
  const int64_t m = a.shape.dims[a.shape.dims.size() - 2], k = a.shape.dims.back();
  const int64_t kb = transpose_b ? b.shape.dims.back() : b.shape.dims[b.shape.dims.size() - 2];
  const int64_t n = transpose_b ? b.shape.dims[b.shape.dims.size() - 2] : b.shape.dims.back();
  if (k != kb)
    fail(name, "matmul of " + a.shape.str() + " and " + b.shape.str() + ": inner sizes differ");
  Shape batch_a{std::vector<int64_t>(a.shape.dims.begin(), a.shape.dims.end() - 2)};
  Shape batch_b{std::vector<int64_t>(b.shape.dims.begin(), b.shape.dims.end() - 2)};
  Shape out_shape;
  if (!broadcast(batch_a, batch_b, out_shape))
    fail(name, "matmul batch dims of " + a.shape.str() + " and " + b.shape.str() + " differ");
  out_shape.dims.push_back(m);
  out_shape.dims.push_back(n);
  const Value y = new_value(name + ".out", out_shape);
  Op op;
  op.name = name;
  op.kind = OpKind::matmul;
  op.function = transpose_b ? "a_bt" : "a_b";
  op.in = a.shape;
  op.out = out_shape;
  op.macs = checked_mul(out_shape.elements(), k);
  op.reads = {a.id, b.id};
  op.writes = {y.id};
  add(op, false);
  return y;
}

Value NetBuilder::attention(const Value& q, const Value& k, const Value& v, int64_t score_ops,
                            bool causal, const std::string& name, double dropout) {
  if (q.shape.dims.size() != 4 || !(k.shape == q.shape) || !(v.shape == q.shape))
    fail(name, "attention needs q, k and v of one shape [batch, heads, sequence, head dim], got " +
                   q.shape.str() + ", " + k.shape.str() + " and " + v.shape.str());
  if (!m_fused_attention) {
    Value scores = matmul(q, k, name + ".scores", true);
    scores = elementwise_const("scale_mask", scores, name + ".scale_mask", score_ops);
    const Value probs = this->dropout(softmax(scores, name + ".softmax"), dropout, name + ".dropout");
    return matmul(probs, v, name + ".context");
  }
  // One kernel: the scores a tile at a time in registers, an online softmax, never in memory.
  // It keeps each row's log-sum-exp (fp32) for its backward pass.
  const int64_t b = q.shape.dims[0], h = q.shape.dims[1], s = q.shape.dims[2],
                dh = q.shape.dims[3];
  const int64_t per_head = causal ? s * (s + 1) / 2 : checked_mul(s, s);
  const int64_t scores = checked_mul(checked_mul(b, h), per_head);
  const Value y = new_value(name + ".out", q.shape);
  Op op;
  op.name = name + ".fused";
  op.kind = OpKind::attention;
  op.function = causal ? "causal" : "full";
  op.in = q.shape;
  op.out = q.shape;
  op.macs = checked_mul(checked_mul(scores, dh), 2);  // q·kᵀ and probabilities·v
  op.other_ops = checked_mul(
      scores, score_ops + kSoftmaxOpsPerElement + (dropout > 0 ? kDropoutOpsPerElement : 0));
  op.reads = {q.id, k.id, v.id};
  op.writes = {y.id, m_graph.add_tensor(name + ".logsumexp", TensorKind::activation,
                                        Shape{{b, h, s}}, 4)};
  add(op, false);
  return y;
}

Value NetBuilder::reshape(const Value& x, const std::vector<int64_t>& dims) const {
  Value v{x.id, Shape{dims}};
  if (v.shape.elements() != x.shape.elements())
    fail("reshape", "cannot view " + x.shape.str() + " as " + v.shape.str());
  return v;
}

Value NetBuilder::flatten(const Value& x, int axis) const {
  std::vector<int64_t> dims(x.shape.dims.begin(), x.shape.dims.begin() + axis);
  int64_t rest = 1;
  for (size_t i = static_cast<size_t>(axis); i < x.shape.dims.size(); ++i)
    rest = checked_mul(rest, x.shape.dims[i]);
  dims.push_back(rest);
  return reshape(x, dims);
}

Value NetBuilder::transpose(const Value& x, const std::vector<int>& perm) const {
  if (perm.size() != x.shape.dims.size())
    fail("transpose", "permutation rank differs from " + x.shape.str());
  Value v{x.id, Shape{}};
  for (int p : perm) {
    if (p < 0 || p >= static_cast<int>(perm.size())) fail("transpose", "bad permutation");
    v.shape.dims.push_back(x.shape.dims[static_cast<size_t>(p)]);
  }
  return v;
}

Graph NetBuilder::finish(const Value& output) {
  if (m_input < 0) fail("finish", "the network has no input");
  m_graph.set_io(m_input, output.id);
  m_graph.set_output_shape(output.shape);
  return std::move(m_graph);
}

}  // namespace frugal::workloads
