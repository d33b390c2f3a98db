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
  // Values read plus written per parameter by PyTorch's foreach implementation (the default on
  // CUDA: one kernel per step of the update equations, each streaming whole tensors).
  int foreach_values = 0;
  std::string description;
  // Values read plus written per parameter by a fused update: the parameter and its state read
  // and written once, the gradient read.
  int fused_values() const { return 3 + 2 * state_per_param; }
};

const std::vector<Optimizer>& optimizers();
// Throws InputError listing the known optimizers.
const Optimizer& find_optimizer(const std::string& name);

}  // namespace frugal::algorithms
