#pragma once
// A learning rule by name, with two faces. The cost face expands a forward graph into one
// training step (ops, MACs, bytes, memory); the functional face trains an Eigen network through
// a device's Numerics (algorithms/functional/). Each rule is one file under algorithms/rules/
// registering itself with FRUGAL_REGISTER_RULE.

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "algorithms/training_step.h"
#include "workloads/graph.h"

namespace frugal::algorithms {

class Learner;
class Network;
class Numerics;

struct StepOptions {
  std::string optimizer = "momentum";
};

class LearningRule {
 public:
  virtual ~LearningRule() = default;
  // Contract: `forward` is a forward graph from workloads::build_model; the returned step holds a
  // copy of it followed by the rule's own ops. Throws InputError for an op the rule cannot expand.
  virtual TrainingStep expand(const workloads::Graph& forward,
                              const StepOptions& options) const = 0;
  // Functional face: whether the rule trains for real, and its learner bound to `net` (drawing
  // its fixed random matrices from `rng`). Throws InputError for a network the rule cannot train
  // (naming the op). The learner keeps references to `net` and `numerics`.
  virtual bool trains() const { return false; }
  virtual std::unique_ptr<Learner> learner(Network& net, Numerics& numerics,
                                           std::mt19937_64& rng) const;
};

struct RuleInfo {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<LearningRule>()> make;
};

bool register_rule(RuleInfo info);
const std::vector<RuleInfo>& rules();
// Throws InputError naming the rule and listing the known ones.
std::unique_ptr<LearningRule> make_rule(const std::string& name);

}  // namespace frugal::algorithms

#define FRUGAL_REGISTER_RULE(ident, name, description, Type)                                   \
  namespace {                                                                                  \
  [[maybe_unused]] const bool ident##_registered = ::frugal::algorithms::register_rule(        \
      {name, description, [] {                                                                 \
         return std::unique_ptr<::frugal::algorithms::LearningRule>(std::make_unique<Type>()); \
       }});                                                                                    \
  }
