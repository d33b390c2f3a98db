#include "workloads/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "results/core/error.h"
#include "workloads/net_builder.h"

namespace frugal::workloads {
namespace {

// A small tensor whose values are known at import (shapes, axes, clip bounds), from initializers,
// Constant nodes, and shape arithmetic on them.
struct Const {
  std::vector<int64_t> dims;
  std::vector<double> values;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

class Importer {
 public:
  Importer(const std::string& path, const BuildOptions& options)
      : m_path(path), m_options(options), m_net(path, options) {}

  Graph run() {
    read();
    const onnx::GraphProto& g = m_model.graph();
    for (const onnx::TensorProto& t : g.initializer()) m_inits[t.name()] = &t;
    add_input();
    for (int i : topological_order()) convert(g.node(i), i);
    if (g.output_size() == 0) fail_file("the graph has no output");
    const std::string out = g.output(0).name();
    if (!m_values.count(out))
      fail_file("the graph output '" + out + "' is not a tensor it computes");
    Graph graph = m_net.finish(m_values.at(out));
    if (m_exporter_weights > 0)
      m_warnings.push_back(
          std::to_string(m_exporter_weights) + " convolution" +
          (m_exporter_weights == 1 ? "'s weights were" : "s' weights were") +
          " made by the exporter (named 'onnx::...', not after a layer): an evaluation-mode "
          "export folds batch normalization into the convolutions, so the counts are of the "
          "folded network, without the batch norms' scales, shifts and passes (export with "
          "training=torch.onnx.TrainingMode.TRAINING to keep them: scripts/export_onnx.py)");
    for (const std::string& w : m_warnings) graph.add_warning(w);
    return graph;
  }

 private:
  // ---- reading ------------------------------------------------------------------------------

  void read() {
    std::ifstream file(m_path, std::ios::binary);
    if (!file) throw InputError("cannot read ONNX file '" + m_path + "': no such file");
    // Parsed from the stream: the weights are held once, by the message.
    if (!m_model.ParseFromIstream(&file) || !m_model.has_graph())
      throw InputError("'" + m_path +
                       "' is not a readable ONNX model (truncated, corrupt, or "
                       "not ONNX)");
    for (const auto& opset : m_model.opset_import())
      if (opset.domain().empty() || opset.domain() == "ai.onnx") m_opset = opset.version();
  }

  [[noreturn]] void fail_file(const std::string& why) const {
    throw InputError("ONNX file '" + m_path + "': " + why);
  }
  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& why) const {
    throw InputError("ONNX file '" + m_path + "', node '" + node_name(node) + "' (" +
                     node.op_type() + "): " + why);
  }
  std::string node_name(const onnx::NodeProto& node) const {
    if (!node.name().empty()) return node.name();
    return node.op_type() + ":" + (node.output_size() > 0 ? node.output(0) : std::string("?"));
  }
  // A node's i-th input and its first output, refusing a node that has fewer (found by
  // fuzz_onnx: protobuf does not check the index, docs/reliability.md).
  const std::string& input_of(const onnx::NodeProto& node, int i) const {
    if (i >= node.input_size())
      fail(node, "expected at least " + std::to_string(i + 1) + " inputs, found " +
                     std::to_string(node.input_size()));
    return node.input(i);
  }
  const std::string& output_of(const onnx::NodeProto& node) const {
    if (node.output_size() < 1) fail(node, "the node has no output");
    return node.output(0);
  }

  void add_input() {
    const onnx::GraphProto& g = m_model.graph();
    const onnx::ValueInfoProto* input = nullptr;
    int count = 0;
    for (const onnx::ValueInfoProto& v : g.input())
      if (!m_inits.count(v.name())) {
        ++count;
        if (!input) input = &v;
      }
    if (count != 1)
      fail_file("the graph has " + std::to_string(count) +
                " inputs besides its weights; frugal models networks with one input");
    std::vector<int64_t> dims;
    const auto& shape = input->type().tensor_type().shape();
    for (int i = 0; i < shape.dim_size(); ++i) {
      const auto& d = shape.dim(i);
      if (d.has_dim_value() && d.dim_value() <= 0)
        fail_file("input '" + input->name() + "' has dimension " + std::to_string(d.dim_value()) +
                  " (dimensions must be positive)");
      dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    if (dims.empty()) fail_file("input '" + input->name() + "' has no shape");
    m_file_batch = dims.front();
    std::vector<int64_t> per_sample(dims.begin() + 1, dims.end());
    if (!m_options.input_shape.empty()) {
      per_sample = m_options.input_shape;
    } else {
      for (size_t i = 0; i < per_sample.size(); ++i)
        if (per_sample[i] < 0)
          fail_file("input '" + input->name() + "' has a dynamic dimension " +
                    std::to_string(i + 1) + "; give the dimensions after the batch with " +
                    "--input-shape (e.g. --input-shape 3x224x224)");
    }
    for (int64_t d : per_sample)
      if (d <= 0) fail_file("--input-shape dimensions must be positive");
    m_values[input->name()] = m_net.input(per_sample, input->name());
  }

  // Kahn's algorithm: every input produced before it is used; names a missing input or a cycle.
  std::vector<int> topological_order() {
    const onnx::GraphProto& g = m_model.graph();
    std::map<std::string, int> producer;
    for (int i = 0; i < g.node_size(); ++i)
      for (const std::string& out : g.node(i).output())
        if (!out.empty()) producer[out] = i;
    std::vector<int> pending(static_cast<size_t>(g.node_size()), 0);
    std::vector<std::vector<int>> users(static_cast<size_t>(g.node_size()));
    for (int i = 0; i < g.node_size(); ++i) {
      std::set<int> from;
      for (const std::string& in : g.node(i).input()) {
        if (in.empty() || m_inits.count(in) || m_values.count(in)) continue;
        const auto p = producer.find(in);
        if (p == producer.end())
          fail(g.node(i), "input '" + in + "' is produced by no node, initializer or graph input");
        if (from.insert(p->second).second) {
          ++pending[static_cast<size_t>(i)];
          users[static_cast<size_t>(p->second)].push_back(i);
        }
      }
    }
    std::vector<int> order, ready;
    for (int i = g.node_size() - 1; i >= 0; --i)
      if (pending[static_cast<size_t>(i)] == 0) ready.push_back(i);
    while (!ready.empty()) {
      const int i = ready.back();
      ready.pop_back();
      order.push_back(i);
      for (int u : users[static_cast<size_t>(i)])
        if (--pending[static_cast<size_t>(u)] == 0) ready.push_back(u);
    }
    if (static_cast<int>(order.size()) != g.node_size())
      for (int i = 0; i < g.node_size(); ++i)
        if (pending[static_cast<size_t>(i)] > 0)
          fail(g.node(i), "the graph has a cycle through it");
    return order;
  }

  // ---- values, weights, constants -----------------------------------------------------------

  bool is_const(const std::string& name) {
    if (m_consts.count(name)) return true;
    const auto it = m_inits.find(name);
    if (it == m_inits.end()) return false;
    const int type = it->second->data_type();
    return type == onnx::TensorProto::INT64 || type == onnx::TensorProto::INT32;
  }

  static Const tensor_const(const onnx::TensorProto& t) {
    Const c;
    int64_t n = 1;
    for (int64_t d : t.dims()) {
      c.dims.push_back(d);
      n *= d;
    }
    const std::string& raw = t.raw_data();
    auto take = [&](auto sample, auto field) {
      using T = decltype(sample);
      if (!raw.empty()) {
        for (size_t i = 0; i + sizeof(T) <= raw.size(); i += sizeof(T)) {
          T v;
          std::memcpy(&v, raw.data() + i, sizeof(T));
          c.values.push_back(static_cast<double>(v));
        }
      } else {
        for (auto v : field) c.values.push_back(static_cast<double>(v));
      }
    };
    switch (t.data_type()) {
      case onnx::TensorProto::INT64:
        take(int64_t{}, t.int64_data());
        break;
      case onnx::TensorProto::INT32:
        take(int32_t{}, t.int32_data());
        break;
      case onnx::TensorProto::FLOAT:
        take(float{}, t.float_data());
        break;
      case onnx::TensorProto::DOUBLE:
        take(double{}, t.double_data());
        break;
      default:
        break;
    }
    if (static_cast<int64_t>(c.values.size()) != n) c.values.clear();
    return c;
  }

  Const constant(const onnx::NodeProto& node, const std::string& name) {
    if (const auto it = m_consts.find(name); it != m_consts.end()) return it->second;
    if (const auto it = m_inits.find(name); it != m_inits.end()) return tensor_const(*it->second);
    fail(node, "input '" + name + "' must be known at import (a constant)");
  }

  Value value(const onnx::NodeProto& node, int input) {
    if (input >= node.input_size() || input_of(node, input).empty())
      fail(node, "missing input " + std::to_string(input));
    const std::string& name = input_of(node, input);
    if (const auto it = m_values.find(name); it != m_values.end()) return it->second;
    if (m_inits.count(name)) {
      const int w = weight(node, name);
      return {w, m_net.graph().tensor(w).shape};
    }
    fail(node, "input '" + name + "' is not a tensor the network computes");
  }

  // An initializer used as a learned parameter (memoized: a shared initializer is one tensor).
  int weight(const onnx::NodeProto& node, const std::string& name, bool transposed = false) {
    const std::string key = transposed ? name + "^T" : name;
    if (const auto it = m_weights.find(key); it != m_weights.end()) return it->second;
    const auto it = m_inits.find(name);
    if (it == m_inits.end()) fail(node, "'" + name + "' must be an initializer (a weight)");
    std::vector<int64_t> dims(it->second->dims().begin(), it->second->dims().end());
    for (int64_t d : dims)
      if (d <= 0) fail(node, "weight '" + name + "' has a dimension " + std::to_string(d));
    if (transposed && dims.size() == 2) std::swap(dims[0], dims[1]);
    if (dims.empty()) dims = {1};
    const int id = m_net.parameter(name, dims).id;
    m_weights[key] = id;
    return id;
  }

  bool has_input(const onnx::NodeProto& node, int i) const {
    return i < node.input_size() && !input_of(node, i).empty();
  }

  const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name) const {
    for (const onnx::AttributeProto& a : node.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  int64_t int_attr(const onnx::NodeProto& node, const char* name, int64_t fallback) const {
    const auto* a = attribute(node, name);
    return a ? a->i() : fallback;
  }
  std::vector<int64_t> ints_attr(const onnx::NodeProto& node, const char* name,
                                 std::vector<int64_t> fallback) const {
    const auto* a = attribute(node, name);
    if (!a) return fallback;
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  }

  void set(const onnx::NodeProto& node, const Value& v) { m_values[output_of(node)] = v; }

  // ---- conversion ---------------------------------------------------------------------------

  void convert(const onnx::NodeProto& node, int index) {
    const std::string& type = node.op_type();
    const std::string name = node.name().empty() ? type + std::to_string(index) : node.name();
    if (!node.domain().empty() && node.domain() != "ai.onnx") return unsupported(node, name);
    if (type == "Constant") return constant_node(node);
    if ((type == "Identity" || type == "Cast") && node.input_size() >= 1 &&
        m_inits.count(input_of(node, 0)) && !m_values.count(input_of(node, 0))) {
      // PyTorch's exporter keeps one copy of identical initializers (two zero biases) and gives
      // the other names through Identity: each name stays a parameter of its own, as in the
      // model (merging them would undercount).
      m_inits[output_of(node)] = m_inits.at(input_of(node, 0));
      return;
    }
    if (fold_constants(node)) return;
    if (type == "Conv") return conv(node, name);
    if (type == "Gemm") return gemm(node, name);
    if (type == "MatMul") return matmul(node, name);
    if (type == "Add" || type == "Sub" || type == "Mul" || type == "Div" || type == "Pow")
      return binary(node, name, lower(type));
    if (type == "Relu" || type == "Sigmoid" || type == "Tanh" || type == "Gelu")
      return set(node, m_net.activation(value(node, 0), lower(type), name));
    if (type == "Clip") return clip(node, name);
    if (type == "Erf" || type == "Exp" || type == "Log" || type == "Sqrt" || type == "Neg" ||
        type == "Reciprocal" || type == "Abs" || type == "LeakyRelu" || type == "Elu" ||
        type == "HardSigmoid" || type == "HardSwish" || type == "Softplus" || type == "Selu")
      return set(node, m_net.elementwise_const(lower(type), value(node, 0), name));
    if (type == "MaxPool" || type == "AveragePool") return pool(node, name, type == "MaxPool");
    if (type == "GlobalAveragePool") return set(node, m_net.global_avg_pool(value(node, 0), name));
    if (type == "BatchNormalization") {
      return set(node, m_net.batch_norm(value(node, 0), name, weight(node, input_of(node, 1)),
                                        weight(node, input_of(node, 2))));
    }
    if (type == "LayerNormalization") {
      const Value x = value(node, 0);
      const int64_t axis = int_attr(node, "axis", -1);
      if (axis != -1 && axis != static_cast<int64_t>(x.shape.dims.size()) - 1)
        return unsupported(node, name);
      return set(node, m_net.layer_norm(x, name, weight(node, input_of(node, 1)),
                                        has_input(node, 2) ? weight(node, input_of(node, 2)) : -1));
    }
    if (type == "Softmax" || type == "LogSoftmax")
      return set(node, m_net.softmax(value(node, 0), name));
    if (type == "Concat") return concat(node, name);
    if (type == "Identity" || type == "Dropout" || type == "Cast")
      return set(node, value(node, 0));  // no arithmetic (dropout's mask is not modelled)
    if (type == "Flatten") {
      const Value x = value(node, 0);
      int64_t axis = int_attr(node, "axis", 1);
      const auto rank = static_cast<int64_t>(x.shape.dims.size());
      if (axis < -rank || axis > rank)
        fail(node, "Flatten axis " + std::to_string(axis) + " is outside [-" +
                       std::to_string(rank) + ", " + std::to_string(rank) + "] for an input of " +
                       "shape " + x.shape.str());
      if (axis < 0) axis += rank;
      int64_t outer = 1;
      for (int64_t i = 0; i < axis; ++i) outer *= x.shape.dims[static_cast<size_t>(i)];
      return set(node, m_net.reshape(x, {outer, x.shape.elements() / outer}));
    }
    if (type == "Reshape") return reshape(node);
    if (type == "Transpose") return transpose(node);
    if (type == "Squeeze" || type == "Unsqueeze") return squeeze(node, type == "Unsqueeze");
    if (type == "Gather") return gather(node, name);
    unsupported(node, name);
  }

  void unsupported(const onnx::NodeProto& node, const std::string& name) {
    if (!m_options.skip_unsupported)
      fail(node, "op type " + node.op_type() +
                     " is not supported (use --onnx-unsupported=skip to count it as zero-cost; "
                     "docs/workloads.md lists the supported ops)");
    for (int i = 0; i < node.input_size(); ++i)
      if (m_values.count(input_of(node, i))) {
        // Zero cost, shape kept: the best guess without the op's semantics.
        m_warnings.push_back("skipped " + node.op_type() + " node '" + name +
                             "' (counted as zero-cost, output shaped like its input)");
        const Value y = m_net.elementwise_const("skipped:" + node.op_type(),
                                                m_values.at(input_of(node, i)), name, 0);
        for (const std::string& out : node.output()) m_values[out] = y;
        return;
      }
    fail(node, "op type " + node.op_type() + " is not supported and has no tensor input to skip");
  }

  void constant_node(const onnx::NodeProto& node) {
    Const c;
    if (const auto* a = attribute(node, "value")) {
      c = tensor_const(a->t());
    } else if (const auto* vi = attribute(node, "value_int")) {
      c.values = {static_cast<double>(vi->i())};
    } else if (const auto* vis = attribute(node, "value_ints")) {
      for (int64_t v : vis->ints()) c.values.push_back(static_cast<double>(v));
      c.dims = {static_cast<int64_t>(c.values.size())};
    } else if (const auto* vf = attribute(node, "value_float")) {
      c.values = {vf->f()};
    }
    m_consts[output_of(node)] = c;
  }

  // Shape arithmetic on constants (Shape, Gather, Unsqueeze, Concat, Cast, ...): folded here.
  bool fold_constants(const onnx::NodeProto& node) {
    const std::string& type = node.op_type();
    if (type == "Shape") {
      const Value x = value(node, 0);
      Const c;
      for (int64_t d : x.shape.dims) c.values.push_back(static_cast<double>(d));
      c.dims = {static_cast<int64_t>(c.values.size())};
      m_consts[output_of(node)] = c;
      return true;
    }
    for (int i = 0; i < node.input_size(); ++i)
      if (!input_of(node, i).empty() && !is_const(input_of(node, i))) return false;
    if (node.input_size() == 0) return false;
    Const a = constant(node, input_of(node, 0));
    if (type == "Cast" || type == "Identity") {
      m_consts[output_of(node)] = a;
    } else if (type == "Unsqueeze" || type == "Squeeze") {
      m_consts[output_of(node)] = a;  // values unchanged; shapes of constants matter little
    } else if (type == "Concat") {
      for (int i = 1; i < node.input_size(); ++i)
        for (double v : constant(node, input_of(node, i)).values) a.values.push_back(v);
      a.dims = {static_cast<int64_t>(a.values.size())};
      m_consts[output_of(node)] = a;
    } else if (type == "Gather") {
      const Const idx = constant(node, input_of(node, 1));
      Const c;
      for (double i : idx.values) {
        auto k = static_cast<int64_t>(i);
        if (k < 0) k += static_cast<int64_t>(a.values.size());
        if (k < 0 || k >= static_cast<int64_t>(a.values.size())) fail(node, "index out of range");
        c.values.push_back(a.values[static_cast<size_t>(k)]);
      }
      c.dims = idx.dims;
      m_consts[output_of(node)] = c;
    } else if (type == "Add" || type == "Sub" || type == "Mul" || type == "Div") {
      const Const b = constant(node, input_of(node, 1));
      if (b.values.empty() || a.values.empty()) return false;
      Const c = a.values.size() >= b.values.size() ? a : b;
      for (size_t i = 0; i < c.values.size(); ++i) {
        const double x = a.values[i % a.values.size()], y = b.values[i % b.values.size()];
        c.values[i] = type == "Add"   ? x + y
                      : type == "Sub" ? x - y
                      : type == "Mul" ? x * y
                                      : (y != 0 ? std::floor(x / y) : 0);
      }
      m_consts[output_of(node)] = c;
    } else {
      return false;
    }
    return true;
  }

  ConvParams conv_params(const onnx::NodeProto& node, const Value& x, int64_t out,
                         std::vector<int64_t> kernel) {
    if (x.shape.dims.size() != 4 || kernel.size() != 2)
      fail(node,
           "only 2-D convolutions and pooling (NCHW) are supported, got input " + x.shape.str());
    ConvParams c;
    c.out_channels = out;
    c.kernel_h = kernel[0];
    c.kernel_w = kernel[1];
    const auto strides = ints_attr(node, "strides", {1, 1});
    const auto dilations = ints_attr(node, "dilations", {1, 1});
    auto pads = ints_attr(node, "pads", {0, 0, 0, 0});
    if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
      fail(node, "strides, dilations and pads must describe 2 spatial dimensions");
    c.stride_h = strides[0];
    c.stride_w = strides[1];
    c.dilation_h = dilations[0];
    c.dilation_w = dilations[1];
    const auto* auto_pad = attribute(node, "auto_pad");
    if (auto_pad && (auto_pad->s() == "SAME_UPPER" || auto_pad->s() == "SAME_LOWER")) {
      for (int d = 0; d < 2; ++d) {
        const int64_t in = x.shape.dims[static_cast<size_t>(2 + d)],
                      s = strides[static_cast<size_t>(d)];
        const int64_t total = std::max<int64_t>(
            0, ((in + s - 1) / s - 1) * s +
                   (kernel[static_cast<size_t>(d)] - 1) * dilations[static_cast<size_t>(d)] + 1 -
                   in);
        const int64_t small = total / 2, large = total - small;
        const bool upper = auto_pad->s() == "SAME_UPPER";
        pads[static_cast<size_t>(d)] = upper ? small : large;
        pads[static_cast<size_t>(d + 2)] = upper ? large : small;
      }
    }
    c.pad_top = pads[0];
    c.pad_left = pads[1];
    c.pad_bottom = pads[2];
    c.pad_right = pads[3];
    c.groups = int_attr(node, "group", 1);
    return c;
  }

  void conv(const onnx::NodeProto& node, const std::string& name) {
    const Value x = value(node, 0);
    const onnx::TensorProto* w =
        m_inits.count(input_of(node, 1)) ? m_inits.at(input_of(node, 1)) : nullptr;
    if (!w || w->dims_size() != 4) fail(node, "the weight must be a 4-D initializer");
    ConvParams c = conv_params(node, x, w->dims(0), {w->dims(2), w->dims(3)});
    c.bias = has_input(node, 2);
    if (w->name().rfind("onnx::", 0) == 0) ++m_exporter_weights;
    set(node, m_net.conv2d(x, c, name, weight(node, input_of(node, 1)),
                           c.bias ? weight(node, input_of(node, 2)) : -1));
  }

  void pool(const onnx::NodeProto& node, const std::string& name, bool max) {
    if (node.output_size() > 1 && !node.output(1).empty()) return unsupported(node, name);
    const Value x = value(node, 0);
    const ConvParams c = conv_params(node, x, 1, ints_attr(node, "kernel_shape", {}));
    PoolParams p;
    p.kernel_h = c.kernel_h;
    p.kernel_w = c.kernel_w;
    p.stride_h = c.stride_h;
    p.stride_w = c.stride_w;
    p.pad_top = c.pad_top;
    p.pad_left = c.pad_left;
    p.pad_bottom = c.pad_bottom;
    p.pad_right = c.pad_right;
    p.ceil_mode = int_attr(node, "ceil_mode", 0) != 0;
    set(node, max ? m_net.max_pool(x, p, name) : m_net.avg_pool(x, p, name));
  }

  void gemm(const onnx::NodeProto& node, const std::string& name) {
    if (int_attr(node, "transA", 0) != 0) return unsupported(node, name);
    const Value a = value(node, 0);
    if (!m_inits.count(input_of(node, 1)))
      return set(node, m_net.matmul(a, value(node, 1), name, int_attr(node, "transB", 0)));
    const bool trans_b = int_attr(node, "transB", 0) != 0;
    // Stored as out × in: PyTorch's Linear exports W (out × in) with transB = 1.
    const int w = weight(node, input_of(node, 1), !trans_b);
    set(node,
        m_net.dense_with(a, w, has_input(node, 2) ? weight(node, input_of(node, 2)) : -1, name));
  }

  void matmul(const onnx::NodeProto& node, const std::string& name) {
    if (m_inits.count(input_of(node, 0))) return unsupported(node, name);
    const Value a = value(node, 0);
    if (m_inits.count(input_of(node, 1)) && m_inits.at(input_of(node, 1))->dims_size() == 2)
      return set(node, m_net.dense_with(a, weight(node, input_of(node, 1), true), -1, name));
    set(node, m_net.matmul(a, value(node, 1), name));
  }

  void binary(const onnx::NodeProto& node, const std::string& name, const std::string& function) {
    const bool c0 = is_const(input_of(node, 0)) || m_consts.count(input_of(node, 0));
    const bool c1 = is_const(input_of(node, 1)) || m_consts.count(input_of(node, 1));
    if (c0 && c1) return unsupported(node, name);
    if (c0 || c1)
      return set(node, m_net.elementwise_const(function, value(node, c0 ? 1 : 0), name));
    set(node, m_net.elementwise(function, value(node, 0), value(node, 1), name));
  }

  void clip(const onnx::NodeProto& node, const std::string& name) {
    double lo = -1e300, hi = 1e300;
    if (const auto* a = attribute(node, "min")) lo = a->f();
    if (const auto* a = attribute(node, "max")) hi = a->f();
    if (has_input(node, 1) && !constant(node, input_of(node, 1)).values.empty())
      lo = constant(node, input_of(node, 1)).values.front();
    if (has_input(node, 2) && !constant(node, input_of(node, 2)).values.empty())
      hi = constant(node, input_of(node, 2)).values.front();
    const Value x = value(node, 0);
    if (lo == 0 && hi == 6) return set(node, m_net.activation(x, "relu6", name));
    if (lo == 0 && hi >= 1e300) return set(node, m_net.activation(x, "relu", name));
    set(node, m_net.elementwise_const("clip", x, name));
  }

  void concat(const onnx::NodeProto& node, const std::string& name) {
    std::vector<Value> inputs;
    for (int i = 0; i < node.input_size(); ++i) inputs.push_back(value(node, i));
    set(node, m_net.concat(inputs, static_cast<int>(int_attr(node, "axis", 0)), name));
  }

  void reshape(const onnx::NodeProto& node) {
    const Value x = value(node, 0);
    const Const shape = constant(node, input_of(node, 1));
    std::vector<int64_t> dims;
    int infer = -1;
    for (size_t i = 0; i < shape.values.size(); ++i) {
      auto d = static_cast<int64_t>(shape.values[i]);
      if (d == 0 && int_attr(node, "allowzero", 0) == 0 && i < x.shape.dims.size())
        d = x.shape.dims[i];
      if (d == -1) infer = static_cast<int>(i);
      dims.push_back(d);
    }
    // A batch size written into the file follows --batch.
    if (!dims.empty() && m_file_batch > 0 && dims[0] == m_file_batch && !x.shape.dims.empty() &&
        x.shape.dims[0] == m_net.batch())
      dims[0] = m_net.batch();
    if (infer >= 0) {
      int64_t known = 1;
      for (size_t i = 0; i < dims.size(); ++i)
        if (static_cast<int>(i) != infer) known *= dims[i];
      if (known <= 0) fail(node, "cannot infer a dimension of the new shape");
      dims[static_cast<size_t>(infer)] = x.shape.elements() / known;
    }
    for (int64_t d : dims)
      if (d <= 0) fail(node, "new shape has a dimension " + std::to_string(d));
    Shape target{dims};
    if (target.elements() != x.shape.elements())
      fail(node, "cannot reshape " + x.shape.str() + " to " + target.str());
    set(node, m_net.reshape(x, dims));
  }

  void transpose(const onnx::NodeProto& node) {
    const Value x = value(node, 0);
    std::vector<int64_t> perm = ints_attr(node, "perm", {});
    if (perm.empty())
      for (int64_t i = static_cast<int64_t>(x.shape.dims.size()) - 1; i >= 0; --i)
        perm.push_back(i);
    set(node, m_net.transpose(x, std::vector<int>(perm.begin(), perm.end())));
  }

  void squeeze(const onnx::NodeProto& node, bool unsqueeze) {
    const Value x = value(node, 0);
    std::vector<int64_t> axes = ints_attr(node, "axes", {});
    if (axes.empty() && has_input(node, 1))
      for (double v : constant(node, input_of(node, 1)).values)
        axes.push_back(static_cast<int64_t>(v));
    std::vector<int64_t> dims = x.shape.dims;
    if (unsqueeze) {
      const auto rank = static_cast<int64_t>(dims.size() + axes.size());
      for (int64_t& a : axes)
        if (a < 0) a += rank;
      std::sort(axes.begin(), axes.end());
      for (int64_t a : axes)
        dims.insert(dims.begin() + std::min<int64_t>(a, static_cast<int64_t>(dims.size())), 1);
    } else {
      std::vector<int64_t> kept;
      for (size_t i = 0; i < dims.size(); ++i) {
        const bool listed =
            axes.empty()
                ? dims[i] == 1
                : std::count(axes.begin(), axes.end(), static_cast<int64_t>(i)) ||
                      std::count(axes.begin(), axes.end(),
                                 static_cast<int64_t>(i) - static_cast<int64_t>(dims.size()));
        if (!listed) kept.push_back(dims[i]);
      }
      dims = kept;
    }
    set(node, m_net.reshape(x, dims));
  }

  void gather(const onnx::NodeProto& node, const std::string& name) {
    const auto table = m_inits.find(input_of(node, 0));
    if (table == m_inits.end() || table->second->dims_size() != 2 || int_attr(node, "axis", 0) != 0)
      return unsupported(node, name);
    const Value ids = value(node, 1);
    const int64_t vocab = table->second->dims(0), dim = table->second->dims(1);
    set(node, m_net.embedding(ids, vocab, dim, name, nullptr, weight(node, input_of(node, 0))));
  }

  std::string m_path;
  BuildOptions m_options;
  NetBuilder m_net;
  onnx::ModelProto m_model;
  int64_t m_opset = 0;
  int64_t m_file_batch = -1;
  std::map<std::string, const onnx::TensorProto*> m_inits;
  std::map<std::string, int> m_weights;
  std::map<std::string, Value> m_values;
  std::map<std::string, Const> m_consts;
  std::vector<std::string> m_warnings;
  int m_exporter_weights = 0;  // convolutions whose weights the exporter made (folded)
};

}  // namespace

Graph import_onnx(const std::string& path, const BuildOptions& options) {
  if (options.batch <= 0)
    throw InputError("batch must be a positive integer, got " + std::to_string(options.batch));
  return Importer(path, options).run();
}

}  // namespace frugal::workloads

frugal::workloads::OnnxImporter frugal_onnx_importer() { return &frugal::workloads::import_onnx; }
