#pragma once
// The rules with backpropagation's structure and an error signal of their own (bp, fa, dfa,
// drtp; docs/rules.md): softmax cross-entropy, then the signal from the output error to every
// trainable layer, each layer updated once its signal has passed. The cost face is the shared
// backward pass (algorithms/backward.h); the functional face is ErrorLearner
// (algorithms/functional/network.h). A new rule of this family derives from it with its signal.

#include <memory>
#include <random>

#include "algorithms/error_signal.h"
#include "algorithms/learning_rule.h"

namespace frugal::algorithms {

class ErrorSignalRule : public LearningRule {
 public:
  explicit ErrorSignalRule(ErrorSignal signal) : m_signal(signal) {}
  TrainingStep expand(const workloads::Graph& forward, const StepOptions& options) const override;
  bool trains() const override { return true; }
  std::unique_ptr<Learner> learner(Network& net, Numerics& numerics,
                                   std::mt19937_64& rng) const override;

 private:
  ErrorSignal m_signal;
};

}  // namespace frugal::algorithms
