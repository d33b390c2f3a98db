#include "algorithms/learning_rule.h"

#include "results/registry.h"

namespace frugal::algorithms {
namespace {

Registry<RuleInfo>& registry() {
  static Registry<RuleInfo> rules("learning rule");
  return rules;
}

}  // namespace

bool register_rule(RuleInfo info) { return registry().add(std::move(info)); }

const std::vector<RuleInfo>& rules() { return registry().all(); }

std::unique_ptr<LearningRule> make_rule(const std::string& name) {
  return registry().find(name).make();
}

}  // namespace frugal::algorithms
