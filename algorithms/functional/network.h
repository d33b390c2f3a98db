#pragma once
// The functional face's network: the layers of a sequential forward graph (dense, conv2d, max
// and average pooling, relu/tanh/sigmoid) as Eigen matrices, with a forward pass and per-layer
// backward steps that every rule composes. Values are features × samples (one column per
// sample), features in the graph's C·H·W order, so flattening is free. Every product goes
// through a Numerics (numerics.h); its activity counts the MACs the faces compare.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "algorithms/error_signal.h"
#include "algorithms/functional/numerics.h"
#include "workloads/graph.h"

namespace frugal::algorithms {

enum class LayerKind { dense, conv2d, max_pool, avg_pool, activation };

struct Layer {
  LayerKind kind = LayerKind::dense;
  std::string name;      // the graph op's
  std::string function;  // activation: relu, tanh or sigmoid
  // Per-sample geometry (C, H, W; dense: C = features, H = W = 1) and the sliding window.
  int64_t in_c = 0, in_h = 1, in_w = 1, out_c = 0, out_h = 1, out_w = 1;
  workloads::Window window;
  Matrix w;  // dense: out × in; conv2d: out channels × (in channels · kh · kw), PyTorch's order
  Vector b;  // out (dense) or out channels; zero-sized without a bias
  Matrix vw, sw;  // optimizer state: momentum or Adam's first moment, Adam's second moment
  Vector vb, sb;
  int64_t steps = 0;  // updates applied (Adam's bias correction)
  bool trainable() const { return kind == LayerKind::dense || kind == LayerKind::conv2d; }
  int64_t in_size() const { return in_c * in_h * in_w; }
  int64_t out_size() const { return out_c * out_h * out_w; }
  int64_t fan_in() const { return w.cols(); }
};

// What a forward pass keeps for the backward one.
struct Pass {
  std::vector<Matrix> h;                     // h[0] the input, h[i + 1] the output of layer i
  std::vector<Matrix> cols;                  // conv2d: the unrolled input (im2col), per layer
  std::vector<std::vector<int32_t>> argmax;  // max pooling: the input feature of each output
};

// A dense layer and the activation after it (last == dense when it has none).
struct DenseBlock {
  size_t dense = 0, last = 0;
};

struct Gradients {
  Matrix w;
  Vector b;
  // A dense layer's weight gradient by its factors, w = d·xᵀ (its output errors and its inputs,
  // a column per sample), for a device that applies updates sample by sample; null for other
  // layers. They point into the step's pass and last until the next backward pass.
  const Matrix* d = nullptr;
  const Matrix* x = nullptr;
};

// Buffers a layer's passes reuse from step to step: once the first step has sized them, a step
// allocates nothing, so the kernel maps and zeroes no fresh pages (which cost more than the
// arithmetic on a small network).
struct LayerScratch {
  Matrix cols;   // conv2d: the unrolled input, when the pass does not keep it
  Matrix out;    // conv2d: the product in the unrolled layout
  Matrix d;      // conv2d: the output's gradient in the unrolled layout
  Matrix dcols;  // conv2d: the unrolled input's gradient
  Matrix delta;  // the optimizer's step on W
};

// The update rule, in PyTorch's conventions: sgd (W −= ηg), momentum (v = μv + g, W −= ηv),
// adam (Kingma & Ba 2015: β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸, bias-corrected moments).
struct OptimizerSettings {
  std::string name = "momentum";
  float momentum = 0.9f;
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
  float weight_decay = 0.01f;  // adamw's λ: each step scales every parameter by 1 − η·λ
};

class Network {
 public:
  // The layers of `forward`, initialized as PyTorch's nn.Linear and nn.Conv2d are (weights and
  // biases U(±1/√fan_in)) from `rng`. Throws InputError naming an op it cannot train (kind, or a
  // graph that is not a chain), or sizes that do not fit `inputs` values per sample and
  // `classes` outputs.
  Network(const workloads::Graph& forward, int64_t inputs, int64_t classes, std::mt19937_64& rng,
          OptimizerSettings optimizer = {});

  std::vector<Layer>& layers() { return m_layers; }
  const std::vector<Layer>& layers() const { return m_layers; }
  int64_t inputs() const { return m_layers.front().in_size(); }
  int64_t classes() const { return m_layers.back().out_size(); }
  // Whether every layer is dense or an activation (what pepita, mempepita and ff train).
  bool fully_connected() const;
  // Throws InputError unless fully_connected(), naming `rule` and the first other op.
  void require_fully_connected(const std::string& rule) const;
  // The dense layers with their activations, in order (fully connected networks).
  std::vector<DenseBlock> dense_blocks() const;
  // One block on x: y = f(W x + b), nothing kept for a backward pass.
  void forward_block(const DenseBlock& block, const Matrix& x, Numerics& numerics, Matrix& y) const;

  // Forward pass of x (inputs × n) through every layer; pass.h.back() holds the logits.
  void forward(const Matrix& x, Numerics& numerics, Pass& pass) const;
  // Layer i alone: y from x (pass.cols and pass.argmax at i are filled when `keep`).
  void forward_layer(size_t i, const Matrix& x, Numerics& numerics, Pass& pass, Matrix& y,
                     bool keep = true) const;
  // Backward through layer i: from dy (the loss's gradient at its output, out × n) to its weight
  // gradients (g, trainable layers) and to the gradient at its input (dx, when given). `x` and
  // `y` are the layer's input and output in `pass`; `through` replaces W in dx (feedback
  // alignment's B); nullptr uses W.
  void backward_layer(size_t i, const Pass& pass, const Matrix& dy, Numerics& numerics,
                      Gradients* g, Matrix* dx, const Matrix* through = nullptr) const;
  // One optimizer step of layer i (OptimizerSettings), W's step applied through `numerics`.
  void update(size_t i, const Gradients& g, float learning_rate, Numerics& numerics);

 private:
  LayerScratch& scratch(size_t i) const;

  std::vector<Layer> m_layers;
  OptimizerSettings m_optimizer;
  mutable std::vector<LayerScratch> m_scratch;  // one per layer; contents never outlive a call
};

// Activation function f, y = f(a), and dx = dy ⊙ f'(h) with f' from h = f(a), into existing
// storage (y may be a, dx may be dy).
void activate_into(const Matrix& a, const std::string& function, Matrix& y);
void multiply_by_derivative(const Matrix& dy, const Matrix& h, const std::string& function,
                            Matrix& dx);
// Softmax over each column, in place; returns the mean cross-entropy against `labels`.
double softmax_cross_entropy(Matrix& z, const uint8_t* labels);
// Predictions (argmax of each column) that match `labels`.
int64_t count_correct(const Matrix& scores, const uint8_t* labels);
// U(−bound, bound) in column-major order from `rng`.
void init_uniform(Matrix& m, float bound, std::mt19937_64& rng);

// A rule's functional face bound to one network and one Numerics (see LearningRule::learner).
class Learner {
 public:
  virtual ~Learner() = default;
  // One training step on the mini-batch x (inputs × n) with `labels`: returns the step's mean
  // loss; adds to `correct` the samples its own forward pass classified right, when it has one
  // that predicts (measures_train_accuracy()).
  virtual double step(const Matrix& x, const uint8_t* labels, float learning_rate,
                      int64_t& correct) = 0;
  virtual bool measures_train_accuracy() const { return true; }
  // Class scores (classes × n) whose column argmax is the prediction. Default: the logits.
  virtual void scores(const Matrix& x, Matrix& out);

 protected:
  Learner(Network& net, Numerics& numerics) : m_net(net), m_numerics(numerics) {}
  Network& m_net;
  Numerics& m_numerics;
};

// bp, fa, dfa and drtp: a forward pass, softmax cross-entropy, then the signal from the output
// error to every trainable layer, each updated once its signal has passed.
class ErrorLearner final : public Learner {
 public:
  ErrorLearner(Network& net, Numerics& numerics, ErrorSignal signal, std::mt19937_64& rng);
  double step(const Matrix& x, const uint8_t* labels, float learning_rate,
              int64_t& correct) override;

 private:
  ErrorSignal m_signal;
  std::vector<Matrix> m_feedback;  // per layer: fa like W; dfa/drtp out size × classes
  Pass m_pass;
  // Reused from step to step (see LayerScratch): the gradients per layer, and the signal.
  std::vector<Gradients> m_gradients;
  Matrix m_grad, m_below;
};

}  // namespace frugal::algorithms
