#include "algorithms/learning_rule.h"

#include "algorithms/functional/network.h"
#include "results/core/error.h"
#include "results/core/registry.h"

namespace frugal::algorithms {
namespace {

Registry<RuleInfo>& registry() {
  static Registry<RuleInfo> rules("learning rule");
  return rules;
}

// Every training rule is compared with backpropagation (Rumelhart et al. 1986), and inference
// runs networks it trained.
constexpr const char* kBackprop = "bp";

}  // namespace

RuleInfo training_rule(std::string name, std::string description, unsigned properties) {
  RuleInfo info;
  info.trained_by = name;
  info.name = std::move(name);
  info.description = std::move(description);
  info.traits.weight_transport = (properties & kWeightTransport) != 0;
  info.traits.backward_sweep = (properties & kBackwardSweep) != 0;
  info.traits.update_locking = (properties & kUpdateLocking) != 0;
  info.rank_one_updates = (properties & kRankOneUpdates) != 0;
  info.reference = kBackprop;
  return info;
}

RuleInfo forward_only_rule(std::string name, std::string description) {
  RuleInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.inference = true;
  info.trained_by = kBackprop;
  return info;
}

std::unique_ptr<Learner> LearningRule::learner(Network&, Numerics&, std::mt19937_64&) const {
  throw InputError("this rule has no functional face: it cannot train a network");
}

TrainingStep LearningRule::new_step(workloads::Graph graph, const std::string& optimizer) const {
  TrainingStep step{m_info.name, optimizer, std::move(graph), {}, m_info.traits};
  step.inference = m_info.inference;
  return step;
}

bool register_rule(RuleInfo info) { return registry().add(std::move(info)); }

const std::vector<RuleInfo>& rules() { return registry().all(); }

const RuleInfo& rule_info(const std::string& name) { return registry().find(name); }

std::unique_ptr<LearningRule> make_rule(const std::string& name) {
  const RuleInfo& info = registry().find(name);
  std::unique_ptr<LearningRule> rule = info.make();
  rule->m_info = info;
  return rule;
}

const RuleInfo& forward_only_rule() {
  for (const RuleInfo& info : rules())
    if (info.inference) return info;
  throw std::logic_error("no forward-only (inference) rule is registered");
}

}  // namespace frugal::algorithms
