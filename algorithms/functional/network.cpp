#include "algorithms/functional/network.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "algorithms/functional/team.h"
#include "results/core/error.h"

namespace frugal::algorithms {
namespace {

using workloads::Op;
using workloads::OpKind;

// Per-sample C, H, W of a shape [batch, C, H, W] or [batch, features].
void geometry(const workloads::Shape& s, int64_t& c, int64_t& h, int64_t& w) {
  if (s.dims.size() == 4) {
    c = s.dims[1];
    h = s.dims[2];
    w = s.dims[3];
  } else {
    c = s.dims.empty() ? 0 : s.elements() / s.dims.front();
    h = w = 1;
  }
}

[[noreturn]] void cannot_train(const Op& op, const std::string& why) {
  throw InputError("the functional face cannot train op '" + op.name + "' (" +
                   std::string(workloads::to_string(op.kind)) + "): " + why);
}

// Input pixel of output position (oy, ox) under kernel offset (ky, kx), or −1 in the padding.
inline int64_t window_input(const Layer& l, int64_t oy, int64_t ox, int64_t ky, int64_t kx) {
  const workloads::Window& w = l.window;
  const int64_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
  const int64_t ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
  if (iy < 0 || iy >= l.in_h || ix < 0 || ix >= l.in_w) return -1;
  return iy * l.in_w + ix;
}

// The output columns ox whose input column ox·stride − pad + kx·dilation lies inside [0, in_w):
// [first, last).
void valid_columns(const Layer& l, int64_t kx, int64_t& first, int64_t& last) {
  const workloads::Window& w = l.window;
  const int64_t offset = kx * w.dilation_w - w.pad_left;  // ix = ox·stride + offset
  first = offset >= 0 ? 0 : (-offset + w.stride_w - 1) / w.stride_w;
  last = l.in_w - offset <= 0 ? 0 : std::min(l.out_w, (l.in_w - offset - 1) / w.stride_w + 1);
  first = std::min(first, last);
}

// Visits every row segment of the unrolled input: for kernel tap k = (channel·kh + ky)·kw + kx,
// sample j and output row oy, visit(k, j, channel, valid, base, first, last, segment) where the
// segment is rows [segment, segment + out_w) of column k, `valid` says whether input row iy is
// inside the image, and output column ox ∈ [first, last) reads input value base + ox·stride of
// the channel's plane (the others read padding).
template <typename Visit>
void for_each_tap_row(const Layer& l, int64_t n, Visit visit) {
  const workloads::Window& w = l.window;
  for (int64_t c = 0; c < l.in_c; ++c)
    for (int64_t ky = 0; ky < w.kernel_h; ++ky)
      for (int64_t kx = 0; kx < w.kernel_w; ++kx) {
        int64_t first = 0, last = 0;
        valid_columns(l, kx, first, last);
        const int64_t k = (c * w.kernel_h + ky) * w.kernel_w + kx;
        const int64_t x_offset = kx * w.dilation_w - w.pad_left;
        for (int64_t j = 0; j < n; ++j)
          for (int64_t oy = 0; oy < l.out_h; ++oy) {
            const int64_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
            visit(k, j, c, iy >= 0 && iy < l.in_h, iy * l.in_w + x_offset, first, last,
                  (j * l.out_h + oy) * l.out_w);
          }
      }
}

// im2col, transposed: cols(j·P + p, k) = the input under kernel tap k at output position p of
// sample j, P = out_h·out_w (k in PyTorch's weight order); padding reads as 0.
void unroll(const Layer& l, const Matrix& x, Matrix& cols) {
  const int64_t n = x.cols(), plane = l.in_h * l.in_w, stride = l.window.stride_w;
  cols.resize(n * l.out_h * l.out_w, l.in_c * l.window.kernel_h * l.window.kernel_w);
  for_each_tap_row(l, n,
                   [&](int64_t k, int64_t j, int64_t c, bool valid, int64_t base, int64_t first,
                       int64_t last, int64_t segment) {
                     float* out = cols.col(k).data() + segment;
                     if (!valid) {
                       std::fill(out, out + l.out_w, 0.0f);
                       return;
                     }
                     const float* in = x.col(j).data() + c * plane;
                     std::fill(out, out + first, 0.0f);
                     for (int64_t ox = first; ox < last; ++ox) out[ox] = in[base + ox * stride];
                     std::fill(out + last, out + l.out_w, 0.0f);
                   });
}

// The adjoint of unroll: adds each entry of dcols back to the input value it came from.
void fold(const Layer& l, const Matrix& dcols, Matrix& dx) {
  const int64_t plane = l.in_h * l.in_w, stride = l.window.stride_w;
  dx.setZero();
  for_each_tap_row(l, dx.cols(),
                   [&](int64_t k, int64_t j, int64_t c, bool valid, int64_t base, int64_t first,
                       int64_t last, int64_t segment) {
                     if (!valid) return;
                     const float* in = dcols.col(k).data() + segment;
                     float* out = dx.col(j).data() + c * plane;
                     for (int64_t ox = first; ox < last; ++ox) out[base + ox * stride] += in[ox];
                   });
}

void pool_forward(const Layer& l, const Matrix& x, Matrix& y, std::vector<int32_t>* argmax) {
  const workloads::Window& w = l.window;
  const int64_t n = x.cols(), plane = l.in_h * l.in_w, out_plane = l.out_h * l.out_w;
  const bool max = l.kind == LayerKind::max_pool;
  const float area = static_cast<float>(w.kernel_h * w.kernel_w);
  y.resize(l.out_size(), n);
  if (argmax) argmax->resize(static_cast<size_t>(l.out_size() * n));
  for (int64_t j = 0; j < n; ++j)
    for (int64_t c = 0; c < l.in_c; ++c) {
      const float* in = x.col(j).data() + c * plane;
      for (int64_t oy = 0; oy < l.out_h; ++oy)
        for (int64_t ox = 0; ox < l.out_w; ++ox) {
          float best = -std::numeric_limits<float>::infinity(), sum = 0;
          int64_t best_at = -1;
          for (int64_t ky = 0; ky < w.kernel_h; ++ky)
            for (int64_t kx = 0; kx < w.kernel_w; ++kx) {
              const int64_t at = window_input(l, oy, ox, ky, kx);
              if (at < 0) continue;  // padding: −∞ for max, 0 for average
              sum += in[at];
              if (in[at] > best) {
                best = in[at];
                best_at = at;
              }
            }
          const int64_t o = c * out_plane + oy * l.out_w + ox;
          y(o, j) = max ? best : sum / area;  // average: count_include_pad, as PyTorch's default
          if (argmax)
            (*argmax)[static_cast<size_t>(j * l.out_size() + o)] =
                static_cast<int32_t>(best_at < 0 ? -1 : c * plane + best_at);
        }
    }
}

void pool_backward(const Layer& l, const Matrix& dy, const std::vector<int32_t>& argmax,
                   Matrix& dx) {
  const workloads::Window& w = l.window;
  const int64_t n = dy.cols(), plane = l.in_h * l.in_w, out_plane = l.out_h * l.out_w;
  const float area = static_cast<float>(w.kernel_h * w.kernel_w);
  dx = Matrix::Zero(l.in_size(), n);
  for (int64_t j = 0; j < n; ++j) {
    if (l.kind == LayerKind::max_pool) {
      for (int64_t o = 0; o < l.out_size(); ++o) {
        const int32_t at = argmax[static_cast<size_t>(j * l.out_size() + o)];
        if (at >= 0) dx(at, j) += dy(o, j);
      }
      continue;
    }
    for (int64_t c = 0; c < l.in_c; ++c)
      for (int64_t oy = 0; oy < l.out_h; ++oy)
        for (int64_t ox = 0; ox < l.out_w; ++ox) {
          const float g = dy(c * out_plane + oy * l.out_w + ox, j) / area;
          for (int64_t ky = 0; ky < w.kernel_h; ++ky)
            for (int64_t kx = 0; kx < w.kernel_w; ++kx) {
              const int64_t at = window_input(l, oy, ox, ky, kx);
              if (at >= 0) dx(c * plane + at, j) += g;
            }
        }
  }
}

}  // namespace

void init_uniform(Matrix& m, float bound, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-bound, bound);
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = u(rng);
}

void activate_into(const Matrix& a, const std::string& f, Matrix& y) {
  auto activate = [&f](const auto& in, auto&& out) {
    if (f == "relu")
      out = in.array().max(0.0f).matrix();
    else if (f == "tanh")
      out = in.array().tanh().matrix();
    else
      out = (1.0f / (1.0f + (-in.array()).exp())).matrix();  // sigmoid
  };
  if (!worth_splitting(a.cols(), a.size(), kSplitElements)) return activate(a, y);
  y.resize(a.rows(), a.cols());  // y may be a: then its size already
  split_columns(a.cols(), [&](Eigen::Index first, Eigen::Index count) {
    activate(a.middleCols(first, count), y.middleCols(first, count));
  });
}

void multiply_by_derivative(const Matrix& dy, const Matrix& h, const std::string& f, Matrix& dx) {
  auto multiply = [&f](const auto& d_out, const auto& out, auto&& d_in) {
    if (f == "relu")
      d_in = d_out.cwiseProduct((out.array() > 0.0f).template cast<float>().matrix());
    else if (f == "tanh")
      d_in = d_out.cwiseProduct((1.0f - out.array().square()).matrix());
    else
      d_in = d_out.cwiseProduct((out.array() * (1.0f - out.array())).matrix());  // sigmoid
  };
  if (!worth_splitting(dy.cols(), dy.size(), kSplitElements)) return multiply(dy, h, dx);
  dx.resize(dy.rows(), dy.cols());  // dx may be dy
  split_columns(dy.cols(), [&](Eigen::Index first, Eigen::Index count) {
    multiply(dy.middleCols(first, count), h.middleCols(first, count), dx.middleCols(first, count));
  });
}

double softmax_cross_entropy(Matrix& z, const uint8_t* labels) {
  double loss = 0;
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    auto col = z.col(j);
    const float m = col.maxCoeff();
    col = (col.array() - m).exp().matrix();
    col /= col.sum();
    loss -= std::log(std::max(col(labels[j]), 1e-30f));
  }
  return z.cols() ? loss / static_cast<double>(z.cols()) : 0.0;
}

int64_t count_correct(const Matrix& scores, const uint8_t* labels) {
  int64_t correct = 0;
  for (Eigen::Index j = 0; j < scores.cols(); ++j) {
    Eigen::Index best = 0;
    scores.col(j).maxCoeff(&best);
    correct += best == labels[j];
  }
  return correct;
}

Network::Network(const workloads::Graph& forward, int64_t inputs, int64_t classes,
                 std::mt19937_64& rng, OptimizerSettings optimizer)
    : m_optimizer(std::move(optimizer)) {
  const std::string& o = m_optimizer.name;
  if (o != "sgd" && o != "momentum" && o != "adam" && o != "adamw")
    throw InputError("the functional face trains with sgd, momentum, adam or adamw, not '" + o +
                     "'");
  int previous = forward.input_tensor();
  for (const Op& op : forward.ops()) {
    if (op.reads.empty() || op.reads.front() != previous)
      cannot_train(op,
                   "the functional face trains chains of layers, and this op does not read "
                   "the previous one's output");
    previous = op.writes.front();
    Layer l;
    l.name = op.name;
    geometry(op.in, l.in_c, l.in_h, l.in_w);
    geometry(op.out, l.out_c, l.out_h, l.out_w);
    l.window = op.window;
    switch (op.kind) {
      case OpKind::dense:
        if (op.in.dims.size() != 2) cannot_train(op, "dense layers on [batch, features] only");
        l.kind = LayerKind::dense;
        l.w.resize(l.out_c, l.in_c);
        if (op.reads.size() >= 3) l.b.resize(l.out_c);
        break;
      case OpKind::conv2d:
        if (op.window.groups != 1 || op.window.kernel_h <= 0)
          cannot_train(op, "grouped convolutions are not supported");
        l.kind = LayerKind::conv2d;
        l.w.resize(l.out_c, l.in_c * op.window.kernel_h * op.window.kernel_w);
        if (op.window.bias) l.b.resize(l.out_c);
        break;
      case OpKind::pool:
        if ((op.function != "max" && op.function != "avg") || op.window.kernel_h <= 0 ||
            op.window.ceil_mode)
          cannot_train(op, "max and average pooling with a fixed window, no ceil mode");
        l.kind = op.function == "max" ? LayerKind::max_pool : LayerKind::avg_pool;
        break;
      case OpKind::activation:
        if (op.function != "relu" && op.function != "tanh" && op.function != "sigmoid")
          cannot_train(op, "activations relu, tanh and sigmoid only");
        l.kind = LayerKind::activation;
        l.function = op.function;
        break;
      default:
        cannot_train(op, "it trains dense, conv2d, max/average pooling and relu, tanh or sigmoid");
    }
    if (l.trainable()) {
      // PyTorch's default: kaiming_uniform(a=√5) gives U(±1/√fan_in), and so does the bias.
      const float bound = 1.0f / std::sqrt(static_cast<float>(l.w.cols()));
      init_uniform(l.w, bound, rng);
      if (l.b.size()) {
        Matrix b(l.b.size(), 1);
        init_uniform(b, bound, rng);
        l.b = b.col(0);
      }
      l.vw = Matrix::Zero(l.w.rows(), l.w.cols());
      l.vb = Vector::Zero(l.b.size());
      if (m_optimizer.name == "adam" || m_optimizer.name == "adamw") {
        l.sw = Matrix::Zero(l.w.rows(), l.w.cols());
        l.sb = Vector::Zero(l.b.size());
      }
    }
    m_layers.push_back(std::move(l));
  }
  if (m_layers.empty() ||
      std::none_of(m_layers.begin(), m_layers.end(), [](const Layer& l) { return l.trainable(); }))
    throw InputError("the network has no layer to train");
  if (this->inputs() != inputs)
    throw InputError("the model takes " + std::to_string(this->inputs()) +
                     " inputs but the data set has " + std::to_string(inputs) +
                     " values per sample");
  if (this->classes() != classes)
    throw InputError("the model has " + std::to_string(this->classes()) +
                     " outputs but the data set has " + std::to_string(classes) + " classes");
}

LayerScratch& Network::scratch(size_t i) const {
  if (m_scratch.size() < m_layers.size()) m_scratch.resize(m_layers.size());
  return m_scratch[i];
}

bool Network::fully_connected() const {
  return std::all_of(m_layers.begin(), m_layers.end(), [](const Layer& l) {
    return l.kind == LayerKind::dense || l.kind == LayerKind::activation;
  });
}

void Network::require_fully_connected(const std::string& rule) const {
  for (const Layer& l : m_layers)
    if (l.kind != LayerKind::dense && l.kind != LayerKind::activation)
      throw InputError("rule " + rule + " cannot train op '" + l.name + "' of kind " +
                       (l.kind == LayerKind::conv2d ? "conv2d" : "pool") +
                       " (it trains fully connected layers with activations: mlp specs)");
}

std::vector<DenseBlock> Network::dense_blocks() const {
  std::vector<DenseBlock> blocks;
  for (size_t i = 0; i < m_layers.size(); ++i) {
    if (!m_layers[i].trainable()) continue;
    const bool activated = i + 1 < m_layers.size() && !m_layers[i + 1].trainable();
    blocks.push_back({i, activated ? i + 1 : i});
  }
  return blocks;
}

void Network::forward_block(const DenseBlock& block, const Matrix& x, Numerics& numerics,
                            Matrix& y) const {
  Pass unused;  // a dense layer keeps nothing
  forward_layer(block.dense, x, numerics, unused, y, false);
  if (block.last != block.dense) activate_into(y, m_layers[block.last].function, y);
}

void Network::forward(const Matrix& x, Numerics& numerics, Pass& pass) const {
  const size_t n = m_layers.size();
  pass.h.resize(n + 1);
  pass.cols.resize(n);
  pass.argmax.resize(n);
  pass.h[0] = x;
  for (size_t i = 0; i < n; ++i) forward_layer(i, pass.h[i], numerics, pass, pass.h[i + 1]);
}

void Network::forward_layer(size_t i, const Matrix& x, Numerics& numerics, Pass& pass, Matrix& y,
                            bool keep) const {
  const Layer& l = m_layers[i];
  switch (l.kind) {
    case LayerKind::dense:
      numerics.matmul(l.w, Operand::weight, false, x, Operand::activation, false, y);
      if (l.b.size()) y.colwise() += l.b;
      return;
    case LayerKind::conv2d: {
      LayerScratch& scratch = this->scratch(i);
      Matrix& cols = keep ? pass.cols[i] : scratch.cols;
      unroll(l, x, cols);
      Matrix& out = scratch.out;  // (n·P) × out channels
      numerics.matmul(cols, Operand::activation, false, l.w, Operand::weight, true, out);
      const int64_t positions = l.out_h * l.out_w;
      y.resize(l.out_size(), x.cols());
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (int64_t c = 0; c < l.out_c; ++c) {
          const float bias = l.b.size() ? l.b(c) : 0.0f;
          y.col(j).segment(c * positions, positions) =
              (out.col(c).segment(j * positions, positions).array() + bias).matrix();
        }
      return;
    }
    case LayerKind::max_pool:
    case LayerKind::avg_pool:
      pool_forward(l, x, y, keep && l.kind == LayerKind::max_pool ? &pass.argmax[i] : nullptr);
      return;
    case LayerKind::activation:
      activate_into(x, l.function, y);
      return;
  }
}

void Network::backward_layer(size_t i, const Pass& pass, const Matrix& dy, Numerics& numerics,
                             Gradients* g, Matrix* dx, const Matrix* through) const {
  const Layer& l = m_layers[i];
  const Matrix& x = pass.h[i];
  const Matrix& w = through ? *through : l.w;
  switch (l.kind) {
    case LayerKind::dense:
      if (g) {
        numerics.matmul(dy, Operand::gradient, false, x, Operand::activation, true, g->w);
        g->b = l.b.size() ? Vector(dy.rowwise().sum()) : Vector();
        g->d = &dy;
        g->x = &x;
      }
      if (dx) numerics.matmul(w, Operand::weight, true, dy, Operand::gradient, false, *dx);
      return;
    case LayerKind::conv2d: {
      const int64_t positions = l.out_h * l.out_w, n = dy.cols();
      LayerScratch& scratch = this->scratch(i);
      Matrix& d = scratch.d;  // dy in the unrolled layout
      d.resize(n * positions, l.out_c);
      for (int64_t j = 0; j < n; ++j)
        for (int64_t c = 0; c < l.out_c; ++c)
          d.col(c).segment(j * positions, positions) = dy.col(j).segment(c * positions, positions);
      if (g) {
        numerics.matmul(d, Operand::gradient, true, pass.cols[i], Operand::activation, false, g->w);
        g->b = l.b.size() ? Vector(d.colwise().sum().transpose()) : Vector();
        g->d = g->x = nullptr;
      }
      if (dx) {
        Matrix& dcols = scratch.dcols;
        numerics.matmul(d, Operand::gradient, false, w, Operand::weight, false, dcols);
        dx->resize(l.in_size(), n);
        fold(l, dcols, *dx);
      }
      return;
    }
    case LayerKind::max_pool:
    case LayerKind::avg_pool:
      if (dx) pool_backward(l, dy, pass.argmax[i], *dx);
      return;
    case LayerKind::activation:
      if (dx) multiply_by_derivative(dy, pass.h[i + 1], l.function, *dx);
      return;
  }
}

void Network::update(size_t i, const Gradients& g, float learning_rate, Numerics& numerics) {
  Layer& l = m_layers[i];
  const OptimizerSettings& o = m_optimizer;
  ++l.steps;
  Matrix& delta = scratch(i).delta;
  // pass(delta, g.w, vw, sw) on the whole of W's step, gradient and optimizer state, or on each
  // team member's block of their columns (elementwise; a block's unaligned ends may be computed
  // by scalar code, so the last bit can differ from the whole pass's).
  auto by_columns = [&](const auto& pass) {
    if (!worth_splitting(l.w.cols(), l.w.size(), kSplitElements))
      return pass(delta, g.w, l.vw, l.sw);
    delta.resize(l.w.rows(), l.w.cols());
    split_columns(l.w.cols(), [&](Eigen::Index first, Eigen::Index count) {
      // sgd and momentum keep no second moment: sw is empty, and the pass does not touch it.
      auto sw = l.sw.size() ? l.sw.middleCols(first, count) : l.sw.middleCols(0, 0);
      pass(delta.middleCols(first, count), g.w.middleCols(first, count),
           l.vw.middleCols(first, count), sw);
    });
  };
  if (o.name == "sgd") {
    if (numerics.updates_per_sample() && g.d && g.x) {
      numerics.update_outer(l.w, learning_rate, *g.d, *g.x);
    } else {
      by_columns([&](auto&& step, const auto& gw, auto&&, auto&&) { step = learning_rate * gw; });
      numerics.update(l.w, delta, learning_rate);
    }
    if (l.b.size()) l.b -= learning_rate * g.b;
  } else if (o.name == "momentum") {
    by_columns([&](auto&& step, const auto& gw, auto&& vw, auto&&) {
      vw = o.momentum * vw + gw;
      step = learning_rate * vw;
    });
    numerics.update(l.w, delta, learning_rate);
    if (l.b.size()) {
      l.vb = o.momentum * l.vb + g.b;
      l.b -= learning_rate * l.vb;
    }
  } else {  // adam, adamw
    const auto t = static_cast<float>(l.steps);
    const float c1 = 1.0f - std::pow(o.beta1, t), c2 = 1.0f - std::pow(o.beta2, t);
    const float step = learning_rate / c1;
    by_columns([&](auto&& out, const auto& gw, auto&& vw, auto&& sw) {
      vw = o.beta1 * vw + (1.0f - o.beta1) * gw;
      sw = o.beta2 * sw + (1.0f - o.beta2) * gw.cwiseAbs2();
      out = (step * vw.array() / ((sw.array() / c2).sqrt() + o.epsilon)).matrix();
    });
    // AdamW's decoupled decay, w *= 1 − η·λ before Adam's step: the same as adding η·λ·w to it.
    const float decay = o.name == "adamw" ? learning_rate * o.weight_decay : 0.0f;
    if (decay > 0) delta += decay * l.w;
    numerics.update(l.w, delta, learning_rate);
    if (l.b.size()) {
      l.vb = o.beta1 * l.vb + (1.0f - o.beta1) * g.b;
      l.sb = o.beta2 * l.sb + (1.0f - o.beta2) * g.b.cwiseAbs2();
      l.b -=
          (step * l.vb.array() / ((l.sb.array() / c2).sqrt() + o.epsilon)).matrix() + decay * l.b;
    }
  }
}

void Learner::scores(const Matrix& x, Matrix& out) {
  Pass pass;
  Matrix y = x;
  for (size_t i = 0; i < m_net.layers().size(); ++i) {
    Matrix next;
    m_net.forward_layer(i, y, m_numerics, pass, next, false);
    y.swap(next);
  }
  out.swap(y);
}

ErrorLearner::ErrorLearner(Network& net, Numerics& numerics, ErrorSignal signal,
                           std::mt19937_64& rng)
    : Learner(net, numerics), m_signal(signal) {
  // Fixed random feedback matrices at the scale of W's initialization
  // (docs/references.md#rule-costs).
  const auto& layers = net.layers();
  size_t last = layers.size();
  while (!layers[--last].trainable()) {
  }
  m_feedback.resize(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i].trainable()) continue;
    Matrix& b = m_feedback[i];
    if (signal == ErrorSignal::random_matrices) {
      b.resize(layers[i].w.rows(), layers[i].w.cols());
      init_uniform(b, 1.0f / std::sqrt(static_cast<float>(layers[i].w.cols())), rng);
    } else if ((signal == ErrorSignal::direct_error || signal == ErrorSignal::direct_label) &&
               i != last) {
      b.resize(layers[i].out_size(), net.classes());
      init_uniform(b, 1.0f / std::sqrt(static_cast<float>(net.classes())), rng);
    }
  }
}

double ErrorLearner::step(const Matrix& x, const uint8_t* labels, float learning_rate,
                          int64_t& correct) {
  m_net.forward(x, m_numerics, m_pass);
  const auto& layers = m_net.layers();
  const auto n = static_cast<float>(x.cols());
  Matrix p = m_pass.h.back();
  correct += count_correct(p, labels);
  const double loss = softmax_cross_entropy(p, labels);
  for (Eigen::Index j = 0; j < p.cols(); ++j) p(labels[j], j) -= 1.0f;
  const Matrix e = p / n;  // gradient of the mean loss at the logits
  const bool propagates =
      m_signal == ErrorSignal::transpose_weights || m_signal == ErrorSignal::random_matrices;
  size_t first = 0, last = layers.size() - 1;  // the first and last trainable layers
  while (!layers[first].trainable()) ++first;
  while (!layers[last].trainable()) --last;
  Matrix& grad = m_grad;
  Matrix& below = m_below;
  grad = e;
  if (m_gradients.size() < layers.size()) m_gradients.resize(layers.size());
  for (size_t i = layers.size(); i-- > first;) {
    Gradients& g = m_gradients[i];
    const Layer& l = layers[i];
    bool direct_here = false;
    if (!propagates && i < last) {
      // A direct signal arrives at the output of each hidden trainable layer's block (after its
      // activation, if any): B_l e (dfa) or B_l (−y*)/n, a column of B_l per sample (drtp).
      direct_here = l.kind == LayerKind::activation && i > 0 && layers[i - 1].trainable();
      const bool bare = l.trainable() && layers[i + 1].kind != LayerKind::activation;
      if (direct_here || bare) {
        const Matrix& b = m_feedback[direct_here ? i - 1 : i];
        if (m_signal == ErrorSignal::direct_error) {
          m_numerics.matmul(b, Operand::weight, false, e, Operand::gradient, false, grad);
        } else {
          grad.resize(b.rows(), x.cols());
          for (Eigen::Index j = 0; j < x.cols(); ++j) grad.col(j) = -b.col(labels[j]) / n;
        }
      } else if (!l.trainable()) {
        continue;  // pooling, or an activation after one: no signal passes through it
      }
    }
    const bool need_input = i > first && (propagates || i > last || direct_here);
    const Matrix* through =
        m_signal == ErrorSignal::random_matrices && l.trainable() ? &m_feedback[i] : nullptr;
    m_net.backward_layer(i, m_pass, grad, m_numerics, l.trainable() ? &g : nullptr,
                         need_input ? &below : nullptr, through);
    if (l.trainable()) m_net.update(i, g, learning_rate, m_numerics);
    if (need_input) grad.swap(below);
  }
  return loss;
}

}  // namespace frugal::algorithms
