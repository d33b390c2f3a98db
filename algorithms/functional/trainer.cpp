#include "algorithms/functional/trainer.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "results/error.h"

namespace frugal::algorithms {
namespace {

using Matrix = Eigen::MatrixXf;  // features × samples: one column per sample
using Vector = Eigen::VectorXf;

struct Layer {
  Matrix w;   // out × in
  Vector b;   // out
  Matrix vw;  // momentum buffers
  Vector vb;
  Matrix feedback;         // FA: out × in (like W); DFA, DRTP: out × classes (hidden layers)
  std::string activation;  // "" for the output layer
};

// PyTorch's nn.Linear initialization: weights and biases U(−1/√in, 1/√in).
void init_uniform(Matrix& m, float bound, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-bound, bound);
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = u(rng);
}

Matrix activate(const Matrix& a, const std::string& f) {
  if (f == "relu") return a.cwiseMax(0.0f);
  if (f == "tanh") return a.array().tanh().matrix();
  return (1.0f / (1.0f + (-a.array()).exp())).matrix();  // sigmoid
}

// f'(a) from h = f(a).
Matrix derivative(const Matrix& h, const std::string& f) {
  if (f == "relu") return (h.array() > 0.0f).cast<float>().matrix();
  if (f == "tanh") return (1.0f - h.array().square()).matrix();
  return (h.array() * (1.0f - h.array())).matrix();  // sigmoid
}

// Softmax over each column, in place; returns the mean cross-entropy against `labels`.
double softmax_loss(Matrix& z, const uint8_t* labels, int64_t n) {
  double loss = 0;
  for (int64_t j = 0; j < n; ++j) {
    auto col = z.col(j);
    const float m = col.maxCoeff();
    col = (col.array() - m).exp().matrix();
    const float sum = col.sum();
    col /= sum;
    loss -= std::log(std::max(col(labels[j]), 1e-30f));
  }
  return loss / static_cast<double>(n);
}

class Network {
 public:
  Network(const workloads::Graph& forward, const workloads::DataSplit& data,
          const TrainOptions& options, std::mt19937_64& rng)
      : m_rule(options.rule), m_classes(data.train.classes) {
    int64_t in = -1;
    for (const workloads::Op& op : forward.ops()) {
      if (op.kind == workloads::OpKind::dense &&
          (m_layers.empty() || !m_layers.back().activation.empty())) {
        const int64_t n_in = op.in.dims.back(), n_out = op.out.dims.back();
        if (in >= 0 && n_in != in) throw InputError("the network's layers do not chain");
        Layer l;
        l.w.resize(n_out, n_in);
        l.b.resize(n_out);
        const float bound = 1.0f / std::sqrt(static_cast<float>(n_in));
        init_uniform(l.w, bound, rng);
        Matrix b(n_out, 1);
        init_uniform(b, bound, rng);
        l.b = b.col(0);
        l.vw = Matrix::Zero(n_out, n_in);
        l.vb = Vector::Zero(n_out);
        m_layers.push_back(std::move(l));
        in = n_out;
        continue;
      }
      if (op.kind == workloads::OpKind::activation && !m_layers.empty() &&
          m_layers.back().activation.empty() &&
          (op.function == "relu" || op.function == "tanh" || op.function == "sigmoid")) {
        m_layers.back().activation = op.function;
        continue;
      }
      throw InputError("rule " + m_rule + " cannot yet train op '" + op.name + "' of kind " +
                       std::string(workloads::to_string(op.kind)) +
                       " functionally (it trains dense layers with relu, tanh or sigmoid)");
    }
    if (m_layers.empty()) throw InputError("the network has no layer to train");
    if (m_layers.front().w.cols() != data.train.features())
      throw InputError("the model takes " + std::to_string(m_layers.front().w.cols()) +
                       " inputs but data set '" + data.name + "' has " +
                       std::to_string(data.train.features()) + " values per sample");
    if (m_layers.back().w.rows() != data.train.classes)
      throw InputError("the model has " + std::to_string(m_layers.back().w.rows()) +
                       " outputs but data set '" + data.name + "' has " +
                       std::to_string(data.train.classes) + " classes");
    // Fixed random feedback matrices, drawn at the scale of W's initialization.
    for (size_t l = 0; l < m_layers.size(); ++l) {
      Layer& layer = m_layers[l];
      const bool hidden = l + 1 < m_layers.size();
      if (m_rule == "fa") {
        layer.feedback.resize(layer.w.rows(), layer.w.cols());
        init_uniform(layer.feedback, 1.0f / std::sqrt(static_cast<float>(layer.w.cols())), rng);
      } else if ((m_rule == "dfa" || m_rule == "drtp") && hidden) {
        layer.feedback.resize(layer.w.rows(), m_classes);
        init_uniform(layer.feedback, 1.0f / std::sqrt(static_cast<float>(m_classes)), rng);
      }
    }
  }

  // Forward pass: h[0] = x, h[l+1] = f(W h[l] + b); the last is the logits.
  void forward(const Matrix& x, std::vector<Matrix>& h) const {
    h.resize(m_layers.size() + 1);
    h[0] = x;
    for (size_t l = 0; l < m_layers.size(); ++l) {
      const Layer& layer = m_layers[l];
      Matrix a = layer.w * h[l];
      a.colwise() += layer.b;
      h[l + 1] = layer.activation.empty() ? a : activate(a, layer.activation);
    }
  }

  // MACs per sample of one step, counted as `step` performs them.
  int64_t macs_per_sample() const {
    int64_t macs = 0;
    for (size_t l = 0; l < m_layers.size(); ++l) {
      const int64_t m = m_layers[l].w.rows() * m_layers[l].w.cols();
      macs += 2 * m;  // forward, weight gradient
      if (l > 0) {
        const int64_t below = m_layers[l - 1].w.rows();
        if (m_rule == "bp" || m_rule == "fa")
          macs += m;  // Wᵀδ or Bᵀδ
        else if (m_rule == "dfa")
          macs += below * m_classes;  // B_l e
      }
    }
    return macs;
  }

  // One step on a mini-batch: returns the loss and adds the correct predictions to `correct`.
  double step(const Matrix& x, const uint8_t* labels, int64_t n, const TrainOptions& o,
              float learning_rate, int64_t& correct) {
    std::vector<Matrix> h;
    forward(x, h);
    Matrix p = h.back();
    for (int64_t j = 0; j < n; ++j) {
      Eigen::Index best = 0;
      p.col(j).maxCoeff(&best);
      correct += best == labels[j];
    }
    const double loss = softmax_loss(p, labels, n);
    Matrix onehot = Matrix::Zero(m_classes, n);
    for (int64_t j = 0; j < n; ++j) onehot(labels[j], j) = 1.0f;
    const Matrix e = (p - onehot) / static_cast<float>(n);  // gradient of the mean loss
    Matrix delta = e;
    for (size_t l = m_layers.size(); l-- > 0;) {
      Layer& layer = m_layers[l];
      const Matrix gw = delta * h[l].transpose();
      const Vector gb = delta.rowwise().sum();
      if (l > 0) {
        const Layer& below = m_layers[l - 1];
        Matrix back;
        if (m_rule == "bp")
          back = layer.w.transpose() * delta;
        else if (m_rule == "fa")
          back = layer.feedback.transpose() * delta;
        else if (m_rule == "dfa")
          back = below.feedback * e;
        else
          back = below.feedback * (-onehot / static_cast<float>(n));  // drtp: B (−y*) ≈ B e
        delta = back.cwiseProduct(derivative(h[l], below.activation));
      }
      layer.vw = static_cast<float>(o.momentum) * layer.vw + gw;
      layer.vb = static_cast<float>(o.momentum) * layer.vb + gb;
      layer.w -= learning_rate * layer.vw;
      layer.b -= learning_rate * layer.vb;
    }
    return loss;
  }

  double accuracy(const workloads::Dataset& d) const {
    constexpr int64_t kChunk = 1000;
    int64_t correct = 0;
    std::vector<Matrix> h;
    for (int64_t start = 0; start < d.size(); start += kChunk) {
      const int64_t n = std::min(kChunk, d.size() - start);
      const Eigen::Map<const Matrix> x(d.images.data() + start * d.features(), d.features(), n);
      forward(x, h);
      for (int64_t j = 0; j < n; ++j) {
        Eigen::Index best = 0;
        h.back().col(j).maxCoeff(&best);
        correct += best == d.labels[static_cast<size_t>(start + j)];
      }
    }
    return d.size() ? static_cast<double>(correct) / static_cast<double>(d.size()) : 0.0;
  }

 private:
  std::string m_rule;
  int64_t m_classes;
  std::vector<Layer> m_layers;
};

// SplitMix64 (Steele, Lea & Flood 2014): the sample order's generator, simple enough to replicate
// exactly elsewhere (bench/torch_mlp_compare.py does, to feed PyTorch the same order).
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Fisher–Yates from the back: swap item i with item (next % (i + 1)), i = n−1 .. 1.
void shuffle(std::vector<int64_t>& order, uint64_t& state) {
  for (size_t i = order.size(); i-- > 1;)
    std::swap(order[i], order[static_cast<size_t>(splitmix64(state) % (i + 1))]);
}

}  // namespace

double scheduled_learning_rate(double base, const std::string& schedule, int64_t epoch,
                               int64_t epochs) {
  if (schedule == "cosine")
    return base * 0.5 *
           (1.0 + std::cos(M_PI * static_cast<double>(epoch - 1) / static_cast<double>(epochs)));
  if (schedule == "step") {
    const double done = static_cast<double>(epoch - 1) / static_cast<double>(epochs);
    return base * (done >= 0.9 ? 0.01 : done >= 0.6 ? 0.1 : 1.0);
  }
  return base;
}

bool trains_functionally(const std::string& rule) {
  return rule == "bp" || rule == "fa" || rule == "dfa" || rule == "drtp";
}

TrainResult train_mlp(const workloads::Graph& forward, const workloads::DataSplit& data,
                      const TrainOptions& o,
                      const std::function<void(const EpochStats&)>& on_epoch) {
  if (!trains_functionally(o.rule))
    throw InputError("rule " + o.rule +
                     " has no functional face yet (it trains: bp, fa, dfa, drtp)");
  if (o.epochs < 1)
    throw InputError("--epochs must be a positive integer, got " + std::to_string(o.epochs));
  if (o.batch < 1) throw InputError("--batch must be a positive integer");
  if (!(o.learning_rate > 0) || !(o.momentum >= 0 && o.momentum < 1))
    throw InputError("--lr must be positive and --momentum in [0, 1)");
  if (o.lr_schedule != "constant" && o.lr_schedule != "cosine" && o.lr_schedule != "step")
    throw InputError("--lr-schedule must be constant, cosine or step, got '" + o.lr_schedule + "'");
  if (data.train.size() == 0) throw InputError("the training set is empty");
  std::mt19937_64 rng(o.seed);
  Network net(forward, data, o, rng);
  const workloads::Dataset& train = data.train;
  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  std::iota(order.begin(), order.end(), int64_t{0});
  Matrix x(train.features(), o.batch);
  std::vector<uint8_t> labels(static_cast<size_t>(o.batch));
  uint64_t order_state = o.seed;  // the sample order has its own stream (see shuffle)
  TrainResult result;
  result.train_samples = train.size();
  result.macs_per_sample = net.macs_per_sample();
  for (int64_t epoch = 1; epoch <= o.epochs; ++epoch) {
    shuffle(order, order_state);
    const auto rate = static_cast<float>(
        scheduled_learning_rate(o.learning_rate, o.lr_schedule, epoch, o.epochs));
    double loss_sum = 0;
    int64_t batches = 0, correct = 0;
    for (int64_t start = 0; start < train.size(); start += o.batch) {
      const int64_t n = std::min(o.batch, train.size() - start);
      if (x.cols() != n) x.resize(train.features(), n);
      for (int64_t j = 0; j < n; ++j) {
        const int64_t i = order[static_cast<size_t>(start + j)];
        x.col(j) =
            Eigen::Map<const Vector>(train.images.data() + i * train.features(), train.features());
        labels[static_cast<size_t>(j)] = train.labels[static_cast<size_t>(i)];
      }
      loss_sum += net.step(x, labels.data(), n, o, rate, correct);
      ++batches;
    }
    EpochStats s;
    s.epoch = epoch;
    s.train_loss = loss_sum / static_cast<double>(batches);
    s.train_accuracy = static_cast<double>(correct) / static_cast<double>(train.size());
    s.test_accuracy = net.accuracy(data.test);
    result.epochs.push_back(s);
    if (on_epoch) on_epoch(s);
  }
  return result;
}

}  // namespace frugal::algorithms
