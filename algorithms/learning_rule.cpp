#include "algorithms/learning_rule.h"

#include "algorithms/functional/network.h"
#include "results/error.h"
#include "results/registry.h"

namespace frugal::algorithms {
namespace {

Registry<RuleInfo>& registry() {
  static Registry<RuleInfo> rules("learning rule");
  return rules;
}

}  // namespace

std::unique_ptr<Learner> LearningRule::learner(Network&, Numerics&, std::mt19937_64&) const {
  throw InputError("this rule has no functional face: it cannot train a network");
}

bool register_rule(RuleInfo info) { return registry().add(std::move(info)); }

const std::vector<RuleInfo>& rules() { return registry().all(); }

std::unique_ptr<LearningRule> make_rule(const std::string& name) {
  return registry().find(name).make();
}

}  // namespace frugal::algorithms
