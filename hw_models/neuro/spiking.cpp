// GCC 12 sees uninitialized lanes in Eigen's AVX-512 product kernels that it instantiates here
// (a false positive: Eigen's own code, as the trainer runs it).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "hw_models/neuro/spiking.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "results/core/error.h"

namespace frugal::hw::neuro {

using algorithms::Matrix;
using algorithms::Vector;

namespace {

// The p-th percentile of the positive entries of `a` (1 when there are none).
double positive_percentile(const Matrix& a, double p) {
  std::vector<float> values;
  values.reserve(static_cast<size_t>(a.size()));
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (a.data()[i] > 0) values.push_back(a.data()[i]);
  if (values.empty()) return 1.0;
  const auto k = static_cast<size_t>(
      std::min<double>(static_cast<double>(values.size() - 1),
                       std::floor(p / 100.0 * static_cast<double>(values.size() - 1))));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

void add_bias(Matrix& m, const Vector& b) {
  if (b.size() > 0) m.colwise() += b;
}

// The event path sums kEventRows outputs at a time in 8 vector registers (Eigen's packets:
// 16 floats with AVX-512, 8 with AVX2).
using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int kPackets = 8;
constexpr Eigen::Index kEventRows = kPackets * Eigen::internal::packet_traits<float>::size;

// current = w·s for a 0/1 spike matrix s (inputs × samples) holding `fired` ones: a dense
// product, or for each sample the columns of w whose inputs fired, added in input order
// (`active` holds their indices), kEventRows outputs at a time.
void synaptic_input(const Matrix& w, const Matrix& s, double fired, SynapticPath path,
                    std::vector<Eigen::Index>& active, Matrix& current) {
  const auto slots = static_cast<double>(s.size());
  if (path == SynapticPath::dense ||
      (path == SynapticPath::automatic && fired >= kEventRateLimit * slots)) {
    current.noalias() = w * s;
    return;
  }
  namespace ei = Eigen::internal;
  current.resize(w.rows(), s.cols());
  constexpr auto kLanes = kEventRows / kPackets;
  active.resize(static_cast<size_t>(s.rows()) + 1);
  for (Eigen::Index j = 0; j < s.cols(); ++j) {
    // The inputs that fired: blocks of 16 without a spike skipped at once, the others without a
    // branch per input (their pattern is unpredictable).
    const float* spikes = s.col(j).data();
    Eigen::Index* const list = active.data();
    size_t n = 0;
    Eigen::Index i = 0;
    for (; i + 16 <= s.rows(); i += 16) {
      uint32_t bits[16], any = 0;
      std::memcpy(bits, spikes + i, sizeof bits);
      for (const uint32_t b : bits) any |= b;
      if (any == 0) continue;
      for (Eigen::Index q = i; q < i + 16; ++q) {
        list[n] = q;
        n += spikes[q] != 0.0f;
      }
    }
    for (; i < s.rows(); ++i) {
      list[n] = i;
      n += spikes[i] != 0.0f;
    }
    const Eigen::Index* const end = list + n;
    Eigen::Index r = 0;
    for (; r + kEventRows <= w.rows(); r += kEventRows) {
      Packet sum[kPackets];
      for (Packet& p : sum) p = ei::pset1<Packet>(0.0f);
      for (const Eigen::Index* input = list; input != end; ++input) {
        const float* from = w.col(*input).data() + r;
#pragma GCC unroll 8
        for (int p = 0; p < kPackets; ++p)
          sum[p] = ei::padd(sum[p], ei::ploadu<Packet>(from + p * kLanes));
      }
      float* to = current.col(j).data() + r;
      for (int p = 0; p < kPackets; ++p) ei::pstoreu(to + p * kLanes, sum[p]);
    }
    auto rest = current.col(j).tail(w.rows() - r);
    rest.setZero();
    for (const Eigen::Index* input = list; input != end; ++input)
      rest += w.col(*input).tail(w.rows() - r);
  }
}

// The timesteps after which the accuracy is read: 1, 2, 4, ... and T.
std::vector<int64_t> readout_times(int64_t timesteps) {
  std::vector<int64_t> times;
  for (int64_t t = 1; t < timesteps; t *= 2) times.push_back(t);
  times.push_back(timesteps);
  return times;
}

// The run's spikes per layer and accuracies, per test sample, into `r`.
void finish(SpikingResult& r, const std::vector<double>& spikes,
            const std::vector<int64_t>& checkpoints, const std::vector<int64_t>& correct,
            int64_t tested) {
  const auto samples = static_cast<double>(std::max<int64_t>(1, tested));
  for (size_t k = 0; k < r.layers.size(); ++k) r.layers[k].spikes_per_sample = spikes[k] / samples;
  for (size_t i = 0; i < checkpoints.size(); ++i)
    r.accuracy_at.emplace_back(checkpoints[i], static_cast<double>(correct[i]) / samples);
  r.accuracy = r.accuracy_at.back().second;
}

// A layer of a converted convolutional network as the chip runs it: a dense or convolutional
// layer with integrate-and-fire neurons after it (the output layer: integrating only), or a
// pooling layer of its own neurons (average: integrate-and-fire at threshold 1 on the mean of its
// inputs' spikes; max: each output passes the spikes of the input that has fired most so far,
// Rueckauer et al. 2017's gate).
struct ChipLayer {
  size_t index = 0;  // in the network
  algorithms::LayerKind kind = algorithms::LayerKind::dense;
  bool output = false;
};

// Leaky integrate-and-fire with reset by subtraction and a refractory period, one timestep:
// `current` into `v` (neurons × samples), the spikes into `s`, each neuron's into `counts` when
// given. Awake neurons leak and integrate; those in their refractory period hold. One pass over
// the neurons, branch-free so that it vectorizes. Returns the number of spikes.
double integrate_and_fire(Matrix& v, Matrix& silent, const Matrix& current, const NeuronModel& n,
                          Matrix& s, Vector* counts = nullptr) {
  const auto theta = static_cast<float>(n.threshold);
  const auto keep = static_cast<float>(1.0 - n.leak);
  const auto refractory = static_cast<float>(n.refractory);
  s.resize(v.rows(), v.cols());
  double total = 0;
  // `current` may be shaped otherwise (a convolution's channels × positions·samples): its
  // elements are v's, in the same order.
  const Eigen::Index rows = v.rows();
  for (Eigen::Index j = 0; j < v.cols(); ++j) {
    float* const vj = v.data() + j * rows;
    float* const quiet = silent.data() + j * rows;
    float* const fired = s.data() + j * rows;
    const float* const in = current.data() + j * rows;
    int32_t column = 0;
    for (Eigen::Index i = 0; i < rows; ++i) {
      const bool awake = quiet[i] <= 0.0f;
      float potential = awake ? vj[i] * keep + in[i] : vj[i];
      const bool spike = awake && potential >= theta;
      potential -= spike ? theta : 0.0f;  // reset by subtraction
      vj[i] = potential;
      fired[i] = spike ? 1.0f : 0.0f;
      quiet[i] = spike ? refractory : quiet[i] - 1.0f;
      column += spike;
    }
    if (counts) *counts += s.col(j);
    total += column;
  }
  return total;
}

// The rate-coding encoder, one timestep: each input adds its intensity and spikes on reaching 1,
// into `s` (and each input's into `counts` when given). Returns the number of spikes.
double encode(Matrix& encoder, const Eigen::Ref<const Matrix>& x, Matrix& s,
              Vector* counts = nullptr) {
  s.resize(x.rows(), x.cols());
  double total = 0;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    float* const e = encoder.col(j).data();
    float* const fired = s.col(j).data();
    const float* const in = x.col(j).data();
    int32_t column = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const float sum = e[i] + in[i];
      const bool spike = sum >= 1.0f;
      e[i] = spike ? sum - 1.0f : sum;
      fired[i] = spike ? 1.0f : 0.0f;
      column += spike;
    }
    if (counts) *counts += s.col(j);
    total += column;
  }
  return total;
}

// The layers a convolutional network runs as on the chip; throws InputError naming a layer
// that does not convert (an activation other than ReLU, or none after a hidden layer).
std::vector<ChipLayer> chip_layers(const algorithms::Network& net) {
  using algorithms::LayerKind;
  const auto& layers = net.layers();
  std::vector<ChipLayer> chip;
  for (size_t i = 0; i < layers.size(); ++i) {
    const algorithms::Layer& l = layers[i];
    if (l.kind == LayerKind::activation) {
      if (l.function != "relu" || i == 0 || !layers[i - 1].trainable())
        throw InputError("the spiking conversion needs ReLU right after every hidden layer; " +
                         l.name + " is " + l.function);
      continue;
    }
    ChipLayer c;
    c.index = i;
    c.kind = l.kind;
    if (l.trainable()) {
      c.output = i + 1 == layers.size();
      if (!c.output && layers[i + 1].kind != LayerKind::activation)
        throw InputError("the spiking conversion needs ReLU after every hidden layer; layer " +
                         l.name + " is followed by none");
    }
    chip.push_back(c);
  }
  if (chip.empty() || !chip.back().output || layers.back().kind != LayerKind::dense)
    throw InputError("the spiking conversion needs logits from a dense layer at the output");
  return chip;
}

SpikingResult run_converted_convolutional(const algorithms::Network& net,
                                          const workloads::DataSplit& data,
                                          const SpikingOptions& o) {
  using algorithms::LayerKind;
  const std::vector<ChipLayer> chip = chip_layers(net);
  const auto fp32 = algorithms::make_digital_numerics("fp32");
  // Threshold balancing on training samples (fewer where a layer's activations are large).
  algorithms::Network snn = net;
  auto& layers = snn.layers();
  int64_t widest = 1;
  for (const algorithms::Layer& l : layers) widest = std::max(widest, l.out_size());
  const workloads::Dataset& train = data.train;
  const int64_t n =
      std::clamp<int64_t>(std::min<int64_t>(o.balance_samples, 20000000 / widest), 1, train.size());
  algorithms::Pass pass;
  if (o.balance)
    net.forward(Eigen::Map<const Matrix>(train.images.data(), train.features(), n), *fp32, pass);
  double previous = 1.0;  // inputs are intensities in [0, 1]
  for (const ChipLayer& c : chip) {
    algorithms::Layer& l = layers[c.index];
    if (!l.trainable()) continue;  // a pooling layer keeps its input's scale
    const double lambda =
        c.output || !o.balance
            ? 1.0
            : positive_percentile(pass.h[c.index + 2].cwiseMax(0.0f), o.percentile);
    l.w *= static_cast<float>(previous / lambda);
    if (l.b.size()) l.b /= static_cast<float>(lambda);
    round_to_bits(l.w, o.neuron.weight_bits);
    previous = lambda;
  }
  pass = {};
  pass.argmax.resize(layers.size());
  // The chip's layers: the encoder, then each layer of neurons.
  SpikingResult r;
  r.timesteps = o.timesteps;
  r.layers.resize(chip.size() + 1);
  r.layers[0].neurons = snn.inputs();
  for (size_t k = 0; k < chip.size(); ++k) {
    const algorithms::Layer& l = layers[chip[k].index];
    SpikingLayer& s = r.layers[k + 1];
    s.neurons = l.out_size();
    s.fan_in = l.trainable() ? l.w.cols() : l.window.kernel_h * l.window.kernel_w;
    s.spikes = !chip[k].output;
    // Synapses over the neurons feeding them: each spike's mean fan-out.
    r.layers[k].fan_out = s.neurons * s.fan_in / std::max<int64_t>(1, l.in_size());
  }
  NeuronModel pool_neuron;  // threshold 1 on the mean of 0/1 spikes keeps their rate
  const std::vector<int64_t> checkpoints = readout_times(o.timesteps);
  std::vector<int64_t> correct(checkpoints.size(), 0);
  std::vector<double> spikes(r.layers.size(), 0.0);
  const workloads::Dataset& test = data.test;
  const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(500, 20000000 / widest));
  Matrix s, current, gathered;
  for (int64_t start = 0; start < test.size(); start += chunk) {
    const int64_t m = std::min(chunk, test.size() - start);
    const Eigen::Map<const Matrix> x(test.images.data() + start * test.features(), test.features(),
                                     m);
    Matrix encoder = Matrix::Zero(x.rows(), m), output;
    std::vector<Matrix> v(chip.size()), silent(chip.size()), fired(chip.size());
    for (size_t k = 0; k < chip.size(); ++k) {
      const auto size = layers[chip[k].index].out_size();
      v[k] = silent[k] = Matrix::Zero(size, m);
      if (chip[k].kind == LayerKind::max_pool)
        fired[k] = Matrix::Zero(layers[chip[k].index].in_size(), m);
    }
    size_t next = 0;
    for (int64_t t = 1; t <= o.timesteps; ++t) {
      spikes[0] += encode(encoder, x, s);
      for (size_t k = 0; k < chip.size(); ++k) {
        const size_t i = chip[k].index;
        if (chip[k].kind == LayerKind::max_pool) {
          // The gate: each output passes the spikes of its most active input so far.
          fired[k] += s;
          snn.forward_layer(i, fired[k], *fp32, pass, current, true);
          gathered.resize(current.rows(), m);
          const auto& at = pass.argmax[i];
          for (Eigen::Index j = 0; j < m; ++j)
            for (Eigen::Index q = 0; q < current.rows(); ++q) {
              const int32_t from = at[static_cast<size_t>(j * current.rows() + q)];
              gathered(q, j) = from < 0 ? 0.0f : s(from, j);
            }
          s.swap(gathered);
        } else {
          snn.forward_layer(i, s, *fp32, pass, current, false);
          if (chip[k].output) {
            v[k] += current;
            break;
          }
          integrate_and_fire(v[k], silent[k], current,
                             chip[k].kind == LayerKind::avg_pool ? pool_neuron : o.neuron, s);
        }
        spikes[k + 1] += s.sum();
      }
      if (next < checkpoints.size() && t == checkpoints[next])
        correct[next++] += algorithms::count_correct(v.back(), test.labels.data() + start);
    }
  }
  finish(r, spikes, checkpoints, correct, test.size());
  return r;
}

}  // namespace

void round_to_bits(Matrix& w, int bits) {
  if (bits <= 0 || w.size() == 0) return;
  const float max_abs = w.cwiseAbs().maxCoeff();
  if (max_abs <= 0) return;
  const auto levels = static_cast<float>(std::max(1, (1 << (bits - 1)) - 1));
  w = ((w.array() / max_abs * levels).round() / levels * max_abs).matrix();
}

std::vector<algorithms::DenseBlock> spiking_blocks(const algorithms::Network& net,
                                                   const std::string& what) {
  const auto& layers = net.layers();
  for (const algorithms::Layer& l : layers)
    if (l.kind != algorithms::LayerKind::dense && l.kind != algorithms::LayerKind::activation)
      throw InputError(what + " takes fully connected networks; layer " + l.name + " is not dense");
  std::vector<algorithms::DenseBlock> blocks = net.dense_blocks();
  for (size_t k = 0; k < blocks.size(); ++k) {
    const bool hidden = k + 1 < blocks.size();
    const algorithms::Layer& last = layers[blocks[k].last];
    if (hidden && (blocks[k].last == blocks[k].dense || last.function != "relu"))
      throw InputError(what + " needs ReLU after every hidden layer; layer " +
                       layers[blocks[k].dense].name + " is followed by " +
                       (blocks[k].last == blocks[k].dense ? std::string("none") : last.function));
    if (!hidden && blocks[k].last != blocks[k].dense)
      throw InputError(what + " needs logits (no activation) at the output");
  }
  return blocks;
}

double SpikingResult::synaptic_events_per_sample() const {
  double events = 0;
  for (const SpikingLayer& l : layers)
    events += l.spikes_per_sample * static_cast<double>(l.fan_out);
  return events;
}

double SpikingResult::neuron_updates_per_sample() const {
  double updates = 0;
  for (size_t i = 1; i < layers.size(); ++i)
    updates += static_cast<double>(layers[i].neurons * timesteps);
  return updates;
}

double SpikingResult::mean_rate() const {
  double spikes = 0, slots = 0;
  for (const SpikingLayer& l : layers)
    if (l.spikes) {
      spikes += l.spikes_per_sample;
      slots += static_cast<double>(l.neurons * timesteps);
    }
  return slots > 0 ? spikes / slots : 0.0;
}

std::vector<Vector> run_spiking(const std::vector<SpikingWeights>& layers, const Matrix& x,
                                const NeuronModel& neuron, int64_t timesteps,
                                const std::function<void(int64_t, const Matrix&)>& at_step,
                                SynapticPath path) {
  const Eigen::Index m = x.cols();
  std::vector<Vector> counts(layers.size() + 1);
  counts[0] = Vector::Zero(x.rows());
  Matrix encoder = Matrix::Zero(x.rows(), m);
  std::vector<Matrix> v(layers.size()), silent(layers.size());
  for (size_t k = 0; k < layers.size(); ++k) {
    v[k] = Matrix::Zero(layers[k].w.rows(), m);
    silent[k] = Matrix::Zero(layers[k].w.rows(), m);
    counts[k + 1] = Vector::Zero(layers[k].w.rows());
  }
  Matrix s, current;
  std::vector<Eigen::Index> active;
  for (int64_t t = 1; t <= timesteps; ++t) {
    double fired = encode(encoder, x, s, &counts[0]);
    for (size_t k = 0; k < layers.size(); ++k) {
      synaptic_input(layers[k].w, s, fired, path, active, current);
      add_bias(current, layers[k].b);
      if (k + 1 == layers.size()) {  // the output layer integrates
        v[k] += current;
        break;
      }
      fired = integrate_and_fire(v[k], silent[k], current, neuron, s, &counts[k + 1]);
    }
    if (at_step) at_step(t, v.back());
  }
  return counts;
}

SpikingResult run_converted(const algorithms::Network& net, const workloads::DataSplit& data,
                            const SpikingOptions& o) {
  if (o.timesteps <= 0)
    throw InputError("--timesteps must be a positive integer, got " + std::to_string(o.timesteps));
  if (!(o.neuron.leak >= 0 && o.neuron.leak < 1))
    throw InputError("the neuron leak must be in [0, 1) per timestep, got " +
                     std::to_string(o.neuron.leak));
  if (o.neuron.refractory < 0) throw InputError("the refractory period must be >= 0 timesteps");
  if (!(o.neuron.threshold > 0)) throw InputError("the spiking threshold must be positive");
  if (!net.fully_connected()) return run_converted_convolutional(net, data, o);
  const auto& layers = net.layers();
  const std::vector<algorithms::DenseBlock> blocks = spiking_blocks(net, "the spiking conversion");
  // Threshold balancing on training samples.
  const workloads::Dataset& train = data.train;
  const int64_t n = std::min<int64_t>(std::max<int64_t>(1, o.balance_samples), train.size());
  Matrix a = Eigen::Map<const Matrix>(train.images.data(), train.features(), n);
  std::vector<SpikingWeights> snn(blocks.size());
  double previous = 1.0;  // inputs are intensities in [0, 1]
  for (size_t k = 0; k < blocks.size(); ++k) {
    const algorithms::Layer& l = layers[blocks[k].dense];
    double lambda = 1.0;
    if (o.balance && k + 1 < blocks.size()) {  // a hidden layer's activations set its scale
      Matrix z = l.w * a;
      add_bias(z, l.b);
      a = z.cwiseMax(0.0f);
      lambda = positive_percentile(a, o.percentile);
    }
    snn[k].w = l.w * static_cast<float>(previous / lambda);
    snn[k].b = l.b.size() ? Vector(l.b / static_cast<float>(lambda)) : Vector();
    round_to_bits(snn[k].w, o.neuron.weight_bits);
    previous = lambda;
  }
  // The layers as a chip sees them: the encoder, then each dense layer.
  SpikingResult r;
  r.timesteps = o.timesteps;
  r.layers.resize(blocks.size() + 1);
  r.layers[0].neurons = net.inputs();
  for (size_t k = 0; k < blocks.size(); ++k) {
    SpikingLayer& s = r.layers[k + 1];
    s.neurons = snn[k].w.rows();
    s.fan_in = snn[k].w.cols();
    s.spikes = k + 1 < blocks.size();
    r.layers[k].fan_out = s.neurons;
  }
  const std::vector<int64_t> checkpoints = readout_times(o.timesteps);
  std::vector<int64_t> correct(checkpoints.size(), 0);
  std::vector<double> spikes(r.layers.size(), 0.0);
  const workloads::Dataset& test = data.test;
  constexpr int64_t kChunk = 500;
  for (int64_t start = 0; start < test.size(); start += kChunk) {
    const int64_t m = std::min(kChunk, test.size() - start);
    const Eigen::Map<const Matrix> x(test.images.data() + start * test.features(), test.features(),
                                     m);
    size_t next = 0;
    const std::vector<Vector> counts = run_spiking(
        snn, x, o.neuron, o.timesteps,
        [&](int64_t t, const Matrix& v) {
          if (next < checkpoints.size() && t == checkpoints[next])
            correct[next++] += algorithms::count_correct(v, test.labels.data() + start);
        },
        o.path);
    for (size_t k = 0; k < counts.size(); ++k) spikes[k] += counts[k].sum();
  }
  finish(r, spikes, checkpoints, correct, test.size());
  return r;
}

}  // namespace frugal::hw::neuro
