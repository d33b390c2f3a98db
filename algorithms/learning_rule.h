#pragma once
// A learning rule by name, with two faces. The cost face expands a forward graph into one
// training step (ops, MACs, bytes, memory); the functional face trains an Eigen network through
// a device's Numerics (algorithms/functional/). Each rule is one file under algorithms/rules/
// registering itself with FRUGAL_REGISTER_RULE and a descriptor (RuleInfo) that says what the
// layers above need to know of it: no other layer compares rule names.

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "algorithms/error_signal.h"
#include "algorithms/training_step.h"
#include "workloads/graph.h"

namespace frugal::algorithms {

class Learner;
class Network;
class Numerics;

struct StepOptions {
  std::string optimizer = "momentum";
};

// What a rule is, for the layers above algorithms/.
struct RuleInfo {
  std::string name;  // "bp"
  std::string description;
  RuleTraits traits;  // weight transport, backward sweep, update locking
  // The step only runs the network: nothing is learned (the rule "inference").
  bool inference = false;
  // The rule this one's step is compared with (the rule_to_bp column): backpropagation for every
  // training rule, itself for bp; none ("") for inference.
  std::string reference;
  // The rule that trains the network this rule runs: itself; for inference, the rule that
  // trains a network off the device before it is deployed (bp).
  std::string trained_by;
  // Each dense layer's step is its error times its input, summed over the batch's samples (the
  // learner gives the two factors, Gradients::d and ::x): a device can apply it sample by sample
  // as rank-one updates.
  bool rank_one_updates = false;
  std::function<std::unique_ptr<class LearningRule>()> make;
};

// A rule's structural properties (RuleTraits), as flags: training_rule("fa", ..., kBackwardSweep |
// kUpdateLocking).
enum RuleProperty : unsigned {
  kLocal = 0,             // none of the below
  kWeightTransport = 1u,  // the backward pass uses the forward weights (Wᵀ)
  kBackwardSweep = 2u,    // errors travel back through every layer in sequence
  kUpdateLocking = 4u,    // no layer can update before the whole forward pass is done
  kRankOneUpdates = 8u,   // each layer's step is its error times its input (RuleInfo)
};

// Descriptors for the registration macro: a rule that trains (compared with bp), and the rule
// that only runs a network (trained by bp off the device).
RuleInfo training_rule(std::string name, std::string description, unsigned properties);
RuleInfo forward_only_rule(std::string name, std::string description);

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
  // The rule's descriptor (set by make_rule).
  const RuleInfo& info() const { return m_info; }

 protected:
  // A step of this rule over `graph` (the rule's name, traits and kind from its descriptor).
  TrainingStep new_step(workloads::Graph graph, const std::string& optimizer) const;

 private:
  friend std::unique_ptr<LearningRule> make_rule(const std::string& name);
  RuleInfo m_info;
};

bool register_rule(RuleInfo info);
const std::vector<RuleInfo>& rules();
// Throws InputError naming the rule and listing the known ones.
const RuleInfo& rule_info(const std::string& name);
std::unique_ptr<LearningRule> make_rule(const std::string& name);
// The registered rule whose step only runs the network (inference).
const RuleInfo& forward_only_rule();

}  // namespace frugal::algorithms

// Registers `Type` under the descriptor `info` (training_rule(...) or forward_only_rule(...)).
#define FRUGAL_REGISTER_RULE(ident, Type, info)                                             \
  namespace {                                                                               \
  [[maybe_unused]] const bool ident##_registered = [] {                                     \
    ::frugal::algorithms::RuleInfo described = info;                                        \
    described.make = [] {                                                                   \
      return std::unique_ptr<::frugal::algorithms::LearningRule>(std::make_unique<Type>()); \
    };                                                                                      \
    return ::frugal::algorithms::register_rule(std::move(described));                       \
  }();                                                                                      \
  }
