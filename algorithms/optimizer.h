#pragma once
// Optimizers as the cost face sees them: state held per parameter and arithmetic per parameter
// per update.

#include <string>
#include <vector>

namespace frugal::algorithms {

struct Optimizer {
  std::string name;
  int state_per_param = 0;  // extra values stored per parameter
  int ops_per_param = 0;    // arithmetic operations per parameter per update
  std::string description;
};

const std::vector<Optimizer>& optimizers();
// Throws InputError listing the known optimizers.
const Optimizer& find_optimizer(const std::string& name);

}  // namespace frugal::algorithms
