#include "algorithms/optimizer.h"

#include "results/error.h"

namespace frugal::algorithms {

const std::vector<Optimizer>& optimizers() {
  // Operation counts per parameter, from the update equations:
  //   sgd:      w -= η·g                                         (2: multiply, subtract)
  //   momentum: v = μ·v + g; w -= η·v                            (4)
  //   adam:     m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
  //             w -= η·m / (sqrt(v) + ε)                         (3 + 4 + 5 = 12)
  static const std::vector<Optimizer> table = {
      {"sgd", 0, 2, "plain stochastic gradient descent"},
      {"momentum", 1, 4, "SGD with (heavy-ball) momentum"},
      {"adam", 2, 12, "Adam (Kingma & Ba 2015), first and second moments"},
  };
  return table;
}

const Optimizer& find_optimizer(const std::string& name) {
  std::string known;
  for (const Optimizer& o : optimizers()) {
    if (o.name == name) return o;
    known += (known.empty() ? "" : ", ") + o.name;
  }
  throw InputError("unknown optimizer '" + name + "' (known: " + known + ")");
}

}  // namespace frugal::algorithms
