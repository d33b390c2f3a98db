// Forward-only rules with a second, modulated forward pass (docs/references.md#rule-costs):
//
//   pepita     PEPITA (Dellaferrera & Kreiman 2022): pass 1 gives the error e; the input is
//              modulated, x + F_in e (F_in ∈ R^{n_0×C} fixed and random); pass 2 runs on it; then
//              ΔW_l = (h_l − h_l^mod)(h_{l-1}^mod)ᵀ for hidden layers (no f'), and
//              ΔW_L = e (h_{L-1}^mod)ᵀ for the output layer. 3F + n_0·C MACs per sample; the
//              first pass's activations are held until the second pass.
//   mempepita  MEMPEPITA (Pau & Aymone 2023; Srinivasan et al. 2024): the first pass is
//              recomputed layer by layer in lockstep with the modulated pass, so only one layer's
//              activations are held: 4F − F_L + n_0·C MACs (the output layer learns from e and
//              needs no recomputation; often rounded to 4F + n_0·C,
//              docs/references.md#rule-costs).
//
// Both train networks of dense layers with activations (mlp specs). Functionally the two are the
// same arithmetic in another order: MEMPEPITA's learner really recomputes the clean pass, so its
// accuracy equals PEPITA's bit for bit while it performs (and counts) F − F_L more MACs.

#include <cmath>
#include <string>
#include <vector>

#include "algorithms/functional/network.h"
#include "algorithms/learning_rule.h"
#include "algorithms/step_builder.h"

namespace frugal::algorithms {
namespace {

using workloads::checked_mul;
using workloads::Graph;
using workloads::Op;
using workloads::OpKind;
using workloads::Phase;
using workloads::Shape;
using workloads::TensorKind;

// h − h^mod: the hidden layer's learning signal.
int difference(Graph& g, const Op& at, int h, int h_mod) {
  const int d = g.add_tensor(at.name + ".pepita_delta", TensorKind::error, g.tensor(h).shape);
  Op op;
  op.name = at.name + ".pepita_delta";
  op.kind = OpKind::elementwise;
  op.function = "sub";
  op.phase = Phase::backward_weight;
  op.layer = at.layer;
  op.in = op.out = at.out;
  op.other_ops = g.tensor(h).elements;
  op.reads = {h, h_mod};
  op.writes = {d};
  g.add_op(op);
  return d;
}

// The cost face of both rules; `step` is the rule's new step over the forward graph.
TrainingStep expand_pepita(TrainingStep step, const Graph& forward, const StepOptions& options,
                           bool recompute) {
  const std::string& rule = step.rule;
  const std::vector<DenseLayer> layers = dense_layers(forward, rule);
  const Optimizer& optimizer = find_optimizer(options.optimizer);
  step.optimizer = optimizer.name;
  Graph& g = step.graph;
  const LossTensors loss = add_loss(g);
  const int forward_ops = static_cast<int>(g.ops().size());
  const int e = add_loss_grad(g, loss, Phase::feedback);

  // x_mod = x + F_in e.
  const int x = g.input_tensor();
  const int64_t n0 = g.tensor(x).elements / g.batch();
  const int64_t classes = g.output_shape().dims.back();
  const int f_in = g.add_tensor("pepita.F_in", TensorKind::feedback, Shape{{n0, classes}});
  const int x_mod = g.add_tensor("x.mod", TensorKind::activation, g.tensor(x).shape);
  Op modulate;
  modulate.name = "pepita.modulate";
  modulate.kind = OpKind::feedback;
  modulate.phase = Phase::feedback;
  modulate.in = modulate.out = layers.front().dense->in;
  modulate.macs = checked_mul(g.tensor(x).elements, classes);
  modulate.other_ops = g.tensor(x).elements;  // the addition to x
  modulate.reads = {x, e, f_in};
  modulate.writes = {x_mod};
  g.add_op(modulate);

  std::vector<int> gradients(g.tensors().size(), -1);
  int h_clean = x, h_mod = x_mod;  // inputs of the current layer, both streams
  for (size_t l = 0; l < layers.size(); ++l) {
    const DenseLayer& layer = layers[l];
    const bool output = l + 1 == layers.size();
    int clean_out = -1;
    if (output) {
      // The output layer learns from e (pass 1): its clean activations are not needed again.
    } else if (recompute) {  // the clean pass again, in lockstep
      clean_out = copy_forward_op(g, *layer.dense, h_clean, Phase::forward, ".recompute");
      if (layer.activation)
        clean_out = copy_forward_op(g, *layer.activation, clean_out, Phase::forward, ".recompute");
    } else {
      clean_out = (layer.activation ? layer.activation : layer.dense)->writes.front();
    }
    int mod_out = copy_forward_op(g, *layer.dense, h_mod, Phase::second_forward, ".mod");
    if (layer.activation)
      mod_out = copy_forward_op(g, *layer.activation, mod_out, Phase::second_forward, ".mod");
    const int signal = output ? e : difference(g, *layer.dense, clean_out, mod_out);
    add_dense_weight_grad(g, *layer.dense, signal, h_mod, gradients);
    h_clean = clean_out;
    h_mod = mod_out;
  }
  gradients.resize(g.tensors().size(), -1);
  add_updates(g, optimizer, gradients);
  step.memory = measure_footprint(g, forward_ops);
  return step;
}

// F_in's scale: 0.05 · U(±√(6/n₀)) (Dellaferrera & Kreiman 2022;
// docs/references.md#dellaferrera-2022).
constexpr float kFeedbackScale = 0.05f;

class PepitaLearner final : public Learner {
 public:
  PepitaLearner(Network& net, Numerics& numerics, bool recompute, std::mt19937_64& rng)
      : Learner(net, numerics), m_recompute(recompute) {
    net.require_fully_connected(recompute ? "mempepita" : "pepita");
    m_blocks = net.dense_blocks();
    m_f_in.resize(net.inputs(), net.classes());
    init_uniform(m_f_in, kFeedbackScale * std::sqrt(6.0f / static_cast<float>(net.inputs())), rng);
  }

  double step(const Matrix& x, const uint8_t* labels, float learning_rate,
              int64_t& correct) override {
    const auto n = static_cast<float>(x.cols());
    // Pass 1: the error. PEPITA keeps every layer's output; MEMPEPITA keeps none.
    Matrix& p = m_error;
    if (m_recompute) {
      scores(x, p);  // the logits, nothing kept
    } else {
      m_net.forward(x, m_numerics, m_pass);
      p = m_pass.h.back();
    }
    correct += count_correct(p, labels);
    const double loss = softmax_cross_entropy(p, labels);
    for (Eigen::Index j = 0; j < p.cols(); ++j) p(labels[j], j) -= 1.0f;
    const Matrix& e = p;  // per sample: softmax − one-hot
    // Pass 2 on x + F_in e, block by block, each block's update as soon as its signal is known
    // (no later computation of the step reads its weights). Every buffer is the learner's, kept
    // from step to step.
    m_numerics.matmul(m_f_in, Operand::weight, false, e, Operand::gradient, false, m_modulation);
    m_input.noalias() = x + m_modulation;
    m_mod.resize(m_blocks.size());
    m_clean.resize(m_blocks.size());
    m_gradients.resize(m_blocks.size());
    const Matrix* h_mod = &m_input;
    const Matrix* h_clean = &x;
    for (size_t b = 0; b < m_blocks.size(); ++b) {
      const DenseBlock& block = m_blocks[b];
      m_net.forward_block(block, *h_mod, m_numerics, m_mod[b]);
      if (b + 1 == m_blocks.size()) {
        m_signal.noalias() = e / n;
      } else {
        if (m_recompute) {
          m_net.forward_block(block, *h_clean, m_numerics, m_clean[b]);
          h_clean = &m_clean[b];
        } else {
          h_clean = &m_pass.h[block.last + 1];
        }
        m_signal.noalias() = (*h_clean - m_mod[b]) / n;
      }
      Gradients& g = m_gradients[b];
      m_numerics.matmul(m_signal, Operand::gradient, false, *h_mod, Operand::activation, true, g.w);
      if (m_net.layers()[block.dense].b.size()) g.b = m_signal.rowwise().sum();
      m_net.update(block.dense, g, learning_rate, m_numerics);
      h_mod = &m_mod[b];
    }
    return loss;
  }

 private:
  bool m_recompute;
  std::vector<DenseBlock> m_blocks;
  Matrix m_f_in;  // n₀ × C, fixed
  Pass m_pass;
  // A step's buffers: the error, F_in e, the modulated input, a block's signal, and each
  // block's outputs on the modulated and (MEMPEPITA) the clean pass and its gradients.
  Matrix m_error, m_modulation, m_input, m_signal;
  std::vector<Matrix> m_mod, m_clean;
  std::vector<Gradients> m_gradients;
};

// PEPITA keeps the first pass's activations; MEMPEPITA recomputes them.
class PepitaRule : public LearningRule {
 public:
  explicit PepitaRule(bool recompute) : m_recompute(recompute) {}
  TrainingStep expand(const Graph& forward, const StepOptions& options) const override {
    return expand_pepita(new_step(forward, options.optimizer), forward, options, m_recompute);
  }
  bool trains() const override { return true; }
  std::unique_ptr<Learner> learner(Network& net, Numerics& numerics,
                                   std::mt19937_64& rng) const override {
    return std::make_unique<PepitaLearner>(net, numerics, m_recompute, rng);
  }

 private:
  bool m_recompute;
};

class Pepita final : public PepitaRule {
 public:
  Pepita() : PepitaRule(false) {}
};

class MemPepita final : public PepitaRule {
 public:
  MemPepita() : PepitaRule(true) {}
};

}  // namespace
}  // namespace frugal::algorithms

FRUGAL_REGISTER_RULE(pepita, frugal::algorithms::Pepita,
                     frugal::algorithms::training_rule(
                         "pepita",
                         "PEPITA: a second forward pass on the input modulated by the error",
                         frugal::algorithms::kUpdateLocking))
FRUGAL_REGISTER_RULE(mempepita, frugal::algorithms::MemPepita,
                     frugal::algorithms::training_rule(
                         "mempepita",
                         "MEMPEPITA: PEPITA with the first pass recomputed layer by layer",
                         frugal::algorithms::kUpdateLocking))
