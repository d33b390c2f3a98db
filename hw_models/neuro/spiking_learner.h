#pragma once
// Learning on a spiking chip: a fully connected network run as spikes for T timesteps per sample,
// with run_spiking's dynamics (the rate-coding encoder, integrate-and-fire hidden layers reset by
// subtraction, an integrating output layer whose mean input o(T)/T is the logits), trained by
//
//   bp    surrogate-gradient backpropagation through time (Neftci, Mostafa and Zenke 2019): the
//         T timesteps' potentials and spikes are kept, the error is swept back through the
//         timesteps and the layers, and the spike's derivative dH/du is replaced by the fast
//         sigmoid's, σ'(u) = 1 / (1 + β|u − θ|)² (β = kSurrogateSlope); the reset is left out
//         of the gradient, as is usual;
//   dfa   online direct feedback alignment: at each timestep t the output's error
//         e(t) = softmax(o(t)/t) − y, sent by a fixed random B_l straight to each hidden layer
//         and gated by σ'(u_l(t)): ΔW_l ∝ Σ_t (B_l e(t) ⊙ σ'(u_l(t))) s_{l−1}(t)ᵀ; the output
//         layer learns e(t) s_{L−1}(t)ᵀ;
//   drtp  online direct random target projection (Frenkel et al. 2021): dfa with the label's
//         projection −B_l y* in place of B_l e(t) in the hidden layers.
//
// The forward-only rules use what each timestep has (the spikes, the potentials, the output's
// error then): no backward sweep and no stored history; their updates are summed over the
// timesteps and the batch and applied once per step, through the network's optimizer, onto
// full-precision weights; the chip runs them rounded to its weight_bits (the scores).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "algorithms/functional/network.h"
#include "hw_models/neuro/spiking.h"

namespace frugal::hw::neuro {

enum class SpikingRule { bptt, dfa, drtp };

// The rule a spiking chip runs for `rule` (bp, dfa or drtp); throws InputError naming the ones
// it has for any other.
SpikingRule spiking_rule(const std::string& rule);

inline constexpr float kSurrogateSlope = 5.0f;  // β, per unit of the threshold

// What a step of learning did, per training sample: the spikes each layer fired (the encoder
// first) and, per step, the samples seen. The chip's cost of learning follows from them.
struct LearningActivity {
  std::vector<double> spikes;  // summed over the samples seen
  int64_t samples = 0;
};

class SpikingLearner final : public algorithms::Learner {
 public:
  // Throws InputError unless the network is dense layers with ReLU between them (as for a
  // conversion) and the neuron has no refractory period.
  SpikingLearner(algorithms::Network& net, algorithms::Numerics& numerics, std::mt19937_64& rng,
                 SpikingRule rule, int64_t timesteps, const NeuronModel& neuron);

  double step(const algorithms::Matrix& x, const uint8_t* labels, float learning_rate,
              int64_t& correct) override;
  // The output layer's potential after T timesteps, the weights rounded to weight_bits.
  void scores(const algorithms::Matrix& x, algorithms::Matrix& out) override;

  const LearningActivity& activity() const { return m_activity; }
  // dfa, drtp: the fixed random matrices, one per hidden layer (neurons × classes).
  std::vector<algorithms::Matrix>& feedback() { return m_feedback; }

 private:
  // Runs the batch's T timesteps, keeping each layer's spikes s (neurons × n·T, timestep t in
  // columns [t·n, (t+1)·n)), the hidden layers' potentials before reset u, and the output's
  // cumulative potential o.
  void forward(const algorithms::Matrix& x);

  std::vector<algorithms::DenseBlock> m_blocks;
  SpikingRule m_rule;
  int64_t m_timesteps;
  NeuronModel m_neuron;
  std::vector<algorithms::Matrix> m_feedback;  // dfa, drtp: per hidden layer, neurons × classes
  std::vector<algorithms::Matrix> m_s, m_u;    // m_s[0]: the encoder; m_u[k]: layer k's
  algorithms::Matrix m_o;
  LearningActivity m_activity;
};

}  // namespace frugal::hw::neuro
