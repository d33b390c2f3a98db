#include "algorithms/learning_rule.h"

#include <stdexcept>

#include "results/error.h"

namespace frugal::algorithms {
namespace {

std::vector<RuleInfo>& registry() {
  static std::vector<RuleInfo> infos;
  return infos;
}

}  // namespace

bool register_rule(RuleInfo info) {
  for (const RuleInfo& r : registry())
    if (r.name == info.name) throw std::logic_error("rule '" + info.name + "' registered twice");
  registry().push_back(std::move(info));
  return true;
}

const std::vector<RuleInfo>& rules() { return registry(); }

std::unique_ptr<LearningRule> make_rule(const std::string& name) {
  std::string known;
  for (const RuleInfo& r : registry()) {
    if (r.name == name) return r.make();
    known += (known.empty() ? "" : ", ") + r.name;
  }
  throw InputError("unknown learning rule '" + name + "' (known: " + known + ")");
}

}  // namespace frugal::algorithms
