#pragma once
// The spiking device's functional face: a trained fully connected ReLU network converted to a
// spiking one and run for T timesteps (Rueckauer et al. 2017, "Conversion of continuous-valued
// deep networks to efficient event-driven networks"):
//
//   - inputs are rate-coded by a deterministic integrate-and-fire encoder: a pixel of intensity
//     x in [0, 1] adds x to its encoder each timestep and spikes when it reaches 1;
//   - hidden neurons integrate (leaky integrate-and-fire: v ← (1 − leak)·v + W s + b), spike when
//     v ≥ θ, reset by subtraction (v ← v − θ) and stay silent `refractory` timesteps;
//   - the output layer integrates without spiking; its largest potential is the prediction;
//   - threshold balancing from activation statistics: each layer's weights are scaled by
//     λ_{l−1}/λ_l and its biases by 1/λ_l, λ_l the `percentile` of its positive ReLU activations
//     over training samples, so that θ = 1 corresponds to λ_l;
//   - weights are rounded to the device's weight_bits (symmetric, per layer) after scaling.
//
// Counts what a neuromorphic chip would do: spikes per layer, synaptic events (spikes × fan-out)
// and neuron updates, per sample.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "algorithms/functional/network.h"
#include "workloads/dataset.h"

namespace frugal::hw::neuro {

struct NeuronModel {
  double threshold = 1.0;  // θ, in units of the balanced activation scale
  double leak = 0.0;       // fraction of the membrane potential lost per timestep (0: IF)
  int64_t refractory = 0;  // timesteps a neuron stays silent after it spikes
  int weight_bits = 0;     // 0: full precision
};

// How a layer's synaptic input W·s is computed each timestep. `events` adds, for each sample, the
// columns of W whose inputs fired, in input order (what an event-driven chip does: work in
// proportion to the spikes); `dense` multiplies the whole matrix by the 0/1 spike matrix (faster
// when most inputs fire); `automatic` picks by the timestep's spike rate (events below
// kEventRateLimit). The two differ only in the order of the floating-point sums.
enum class SynapticPath { automatic, dense, events };
// The spike rate below which `automatic` propagates events (bench/README.md, BM_Spiking: on
// 784-256-128-10 with 100 samples at once, the event path is the faster up to about this rate;
// with fewer samples, the dense product loses more of its speed).
inline constexpr double kEventRateLimit = 0.4;

struct SpikingOptions {
  int64_t timesteps = 32;
  NeuronModel neuron;
  double percentile = 99.9;        // threshold balancing
  int64_t balance_samples = 1000;  // training samples the statistics come from
  // false: the weights are the spiking network's already (trained on the chip), run as they
  // are, rounded to weight_bits.
  bool balance = true;
  SynapticPath path = SynapticPath::automatic;
};

struct SpikingLayer {
  int64_t neurons = 0;
  int64_t fan_out = 0;           // synapses each of its spikes reaches (the next layer's neurons)
  int64_t fan_in = 0;            // inputs of each neuron (0 for the input layer)
  double spikes_per_sample = 0;  // over the T timesteps
  bool spikes = true;            // false: the output layer integrates only
};

struct SpikingResult {
  double accuracy = 0;  // at T timesteps
  // Test accuracy after t timesteps, for t = 1, 2, 4, ... up to T (and T).
  std::vector<std::pair<int64_t, double>> accuracy_at;
  std::vector<SpikingLayer> layers;  // the input encoder first, then each dense layer
  int64_t timesteps = 0;
  // Per sample: Σ spikes × fan-out, and neuron updates (every neuron, every timestep).
  double synaptic_events_per_sample() const;
  double neuron_updates_per_sample() const;
  // Spikes per neuron per timestep, over the spiking layers (encoder included).
  double mean_rate() const;
};

// A converted layer: weights (out × in) and biases (out, or empty).
struct SpikingWeights {
  algorithms::Matrix w;
  algorithms::Vector b;
};

// The dense blocks of a network a spiking chip can run: dense layers with ReLU between them,
// logits last. Throws InputError naming the layer otherwise, `what` ("the spiking conversion")
// opening the message.
std::vector<algorithms::DenseBlock> spiking_blocks(const algorithms::Network& net,
                                                   const std::string& what);

// Rounds w to `bits` (symmetric, 2^(bits−1) − 1 levels a side of its largest magnitude); 0 or
// fewer: unchanged.
void round_to_bits(algorithms::Matrix& w, int bits);

// The spiking dynamics alone: runs `layers` on `x` (inputs × samples, intensities in [0, 1]) for
// `timesteps`: the input encoder, LIF hidden layers, the last layer integrating. Returns the
// spikes of each neuron summed over the samples, the encoder's first, then each layer's (the last
// layer's are zero). `at_step(t, v)` sees the last layer's potentials after timestep t.
// Contract: the layers chain (each w's columns equal the previous layer's rows, the first's
// x's rows); options checked by the caller.
std::vector<algorithms::Vector> run_spiking(
    const std::vector<SpikingWeights>& layers, const algorithms::Matrix& x,
    const NeuronModel& neuron, int64_t timesteps,
    const std::function<void(int64_t, const algorithms::Matrix&)>& at_step = {},
    SynapticPath path = SynapticPath::automatic);

// Throws InputError when the network is not dense layers with ReLU between them (naming the
// layer), for T ≤ 0, a negative leak or refractory period, or a threshold ≤ 0.
SpikingResult run_converted(const algorithms::Network& net, const workloads::DataSplit& data,
                            const SpikingOptions& options);

}  // namespace frugal::hw::neuro
