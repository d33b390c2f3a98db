// GCC 12 sees uninitialized lanes in Eigen's AVX-512 product kernels that it instantiates here
// (a false positive: Eigen's own code, as the trainer runs it).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "hw_models/neuro/spiking_learner.h"

#include <cmath>

#include "results/core/error.h"

namespace frugal::hw::neuro {

using algorithms::Matrix;
using algorithms::Vector;

SpikingRule spiking_rule(const std::string& rule) {
  if (rule == "bp") return SpikingRule::bptt;
  if (rule == "dfa") return SpikingRule::dfa;
  if (rule == "drtp") return SpikingRule::drtp;
  throw InputError(
      "a spiking chip learns by bp (surrogate-gradient backpropagation through "
      "time), dfa or drtp (online, forward only), not " +
      rule);
}

namespace {

// σ'(u − θ), the fast sigmoid's derivative, element by element.
Matrix surrogate(const Eigen::Ref<const Matrix>& u, float theta) {
  return (1.0f / (1.0f + kSurrogateSlope * (u.array() - theta).abs()).square()).matrix();
}

}  // namespace

SpikingLearner::SpikingLearner(algorithms::Network& net, algorithms::Numerics& numerics,
                               std::mt19937_64& rng, SpikingRule rule, int64_t timesteps,
                               const NeuronModel& neuron)
    : Learner(net, numerics), m_rule(rule), m_timesteps(timesteps), m_neuron(neuron) {
  if (timesteps <= 0)
    throw InputError("--timesteps must be a positive integer, got " + std::to_string(timesteps));
  if (neuron.refractory != 0)
    throw InputError(
        "learning on a spiking chip models neurons without a refractory period; "
        "set hw.refractory=0");
  if (!(neuron.leak >= 0 && neuron.leak < 1) || !(neuron.threshold > 0))
    throw InputError("the neuron leak must be in [0, 1) and the threshold positive");
  const auto& layers = net.layers();
  m_blocks = spiking_blocks(net, "learning on a spiking chip");
  if (rule != SpikingRule::bptt) {
    m_feedback.resize(m_blocks.size() - 1);
    for (size_t k = 0; k + 1 < m_blocks.size(); ++k) {
      m_feedback[k].resize(layers[m_blocks[k].dense].w.rows(), net.classes());
      algorithms::init_uniform(m_feedback[k], 1.0f / std::sqrt(static_cast<float>(net.classes())),
                               rng);
    }
  }
  m_activity.spikes.assign(m_blocks.size() + 1, 0.0);
}

void SpikingLearner::forward(const Matrix& x) {
  const auto& layers = m_net.layers();
  const Eigen::Index n = x.cols(), T = m_timesteps;
  const auto theta = static_cast<float>(m_neuron.threshold);
  const auto keep = static_cast<float>(1.0 - m_neuron.leak);
  m_s.resize(m_blocks.size());
  m_u.resize(m_blocks.size());
  // The encoder: each input adds its intensity and spikes on reaching 1.
  m_s[0].resize(x.rows(), n * T);
  Matrix encoder = Matrix::Zero(x.rows(), n);
  for (Eigen::Index t = 0; t < T; ++t) {
    encoder += x;
    auto s = m_s[0].middleCols(t * n, n);
    s = (encoder.array() >= 1.0f).cast<float>().matrix();
    encoder -= s;
  }
  Matrix current, v;
  for (size_t k = 0; k < m_blocks.size(); ++k) {
    const algorithms::Layer& l = layers[m_blocks[k].dense];
    // Every timestep's synaptic input at once: the layers feed forward only.
    current.noalias() = l.w * m_s[k];
    if (l.b.size()) current.colwise() += l.b;
    if (k + 1 == m_blocks.size()) {  // the output layer integrates
      m_o.resize(current.rows(), n * T);
      m_o.leftCols(n) = current.leftCols(n);
      for (Eigen::Index t = 1; t < T; ++t)
        m_o.middleCols(t * n, n) = m_o.middleCols((t - 1) * n, n) + current.middleCols(t * n, n);
      break;
    }
    Matrix& u = m_u[k];
    Matrix& s = m_s[k + 1];
    u.resize(current.rows(), n * T);
    s.resize(current.rows(), n * T);
    v = Matrix::Zero(current.rows(), n);
    for (Eigen::Index t = 0; t < T; ++t) {
      u.middleCols(t * n, n) = keep * v + current.middleCols(t * n, n);
      s.middleCols(t * n, n) = (u.middleCols(t * n, n).array() >= theta).cast<float>().matrix();
      v = u.middleCols(t * n, n) - theta * s.middleCols(t * n, n);
    }
  }
}

double SpikingLearner::step(const Matrix& x, const uint8_t* labels, float learning_rate,
                            int64_t& correct) {
  forward(x);
  auto& layers = m_net.layers();
  const Eigen::Index n = x.cols(), T = m_timesteps;
  const auto Tf = static_cast<float>(T), nf = static_cast<float>(n);
  const auto theta = static_cast<float>(m_neuron.threshold);
  const auto keep = static_cast<float>(1.0 - m_neuron.leak);
  const size_t L = m_blocks.size();
  for (size_t k = 0; k < L; ++k) m_activity.spikes[k] += m_s[k].sum();
  m_activity.samples += n;
  // The loss on the logits o(T)/T.
  Matrix p = m_o.rightCols(n) / Tf;
  correct += algorithms::count_correct(p, labels);
  const double loss = algorithms::softmax_cross_entropy(p, labels);
  Matrix error = p / nf;  // (softmax − y) / n, the logits' gradient
  for (Eigen::Index j = 0; j < n; ++j) error(labels[j], j) -= 1.0f / nf;

  std::vector<algorithms::Gradients> g(L);
  if (m_rule == SpikingRule::bptt) {
    // The output: o(T)/T = W · mean_t s(t) + b.
    Matrix mean_spikes = m_s[L - 1].leftCols(n);
    for (Eigen::Index t = 1; t < T; ++t) mean_spikes += m_s[L - 1].middleCols(t * n, n);
    mean_spikes /= Tf;
    g[L - 1].w.noalias() = error * mean_spikes.transpose();
    g[L - 1].b = error.rowwise().sum();
    // The gradient at the last hidden layer's spikes, the same at every timestep.
    Matrix at_spikes(layers[m_blocks[L - 1].dense].w.cols(), n * T);
    const Matrix each = layers[m_blocks[L - 1].dense].w.transpose() * error / Tf;
    for (Eigen::Index t = 0; t < T; ++t) at_spikes.middleCols(t * n, n) = each;
    Matrix delta, later;
    for (size_t k = L - 1; k-- > 0;) {
      // Back through the timesteps: δu(t) = ∂L/∂s(t) ⊙ σ'(u(t)) + (1 − leak)·δu(t + 1).
      delta.resize(at_spikes.rows(), n * T);
      later = Matrix::Zero(at_spikes.rows(), n);
      for (Eigen::Index t = T - 1; t >= 0; --t) {
        later = (at_spikes.middleCols(t * n, n).array() *
                     surrogate(m_u[k].middleCols(t * n, n), theta).array() +
                 keep * later.array())
                    .matrix();
        delta.middleCols(t * n, n) = later;
      }
      g[k].w.noalias() = delta * m_s[k].transpose();
      g[k].b = delta.rowwise().sum();
      if (k > 0) at_spikes.noalias() = layers[m_blocks[k].dense].w.transpose() * delta;
    }
  } else {
    // The output's error at each timestep, from its potential so far: e(t) = softmax(o(t)/t) − y.
    Matrix errors(m_o.rows(), n * T), readout;
    for (Eigen::Index t = 0; t < T; ++t) {
      readout = m_o.middleCols(t * n, n) / static_cast<float>(t + 1);
      algorithms::softmax_cross_entropy(readout, labels);
      for (Eigen::Index j = 0; j < n; ++j) readout(labels[j], j) -= 1.0f;
      errors.middleCols(t * n, n) = readout / (nf * Tf);
    }
    g[L - 1].w.noalias() = errors * m_s[L - 1].transpose();
    g[L - 1].b = errors.rowwise().sum();
    Matrix delta;
    for (size_t k = 0; k + 1 < L; ++k) {
      if (m_rule == SpikingRule::dfa) {
        delta.noalias() = m_feedback[k] * errors;
      } else {  // drtp: the label's projection, the same at every timestep
        delta.resize(m_feedback[k].rows(), n * T);
        for (Eigen::Index t = 0; t < T; ++t)
          for (Eigen::Index j = 0; j < n; ++j)
            delta.col(t * n + j) = -m_feedback[k].col(labels[j]) / (nf * Tf);
      }
      delta.array() *= surrogate(m_u[k], theta).array();
      g[k].w.noalias() = delta * m_s[k].transpose();
      g[k].b = delta.rowwise().sum();
    }
  }
  for (size_t k = 0; k < L; ++k) {
    if (layers[m_blocks[k].dense].b.size() == 0) g[k].b.resize(0);
    m_net.update(m_blocks[k].dense, g[k], learning_rate, m_numerics);
  }
  return loss;
}

void SpikingLearner::scores(const Matrix& x, Matrix& out) {
  const auto& layers = m_net.layers();
  std::vector<SpikingWeights> chip(m_blocks.size());
  for (size_t k = 0; k < m_blocks.size(); ++k) {
    chip[k].w = layers[m_blocks[k].dense].w;
    chip[k].b = layers[m_blocks[k].dense].b;
    round_to_bits(chip[k].w, m_neuron.weight_bits);
  }
  run_spiking(chip, x, m_neuron, m_timesteps, [&](int64_t t, const Matrix& v) {
    if (t == m_timesteps) out = v;
  });
}

}  // namespace frugal::hw::neuro
