#include "algorithms/optimizer.h"

#include "results/core/registry.h"

namespace frugal::algorithms {
namespace {

const Registry<Optimizer>& table() {
  // Operation counts per parameter, from the update equations:
  //   sgd:      w -= η·g                                         (2: multiply, subtract)
  //   momentum: v = μ·v + g; w -= η·v                            (4)
  //   adam:     m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
  //             w -= η·m / (sqrt(v) + ε)                         (3 + 4 + 5 = 12)
  //   adamw:    w *= 1 − η·λ, then adam's                         (1 + 12 = 13)
  // Values per parameter in torch.optim's foreach kernels (_multi_tensor_*):
  //   sgd:      p -= η·g                                         (3, one pass)
  //   momentum: buf *= μ; buf += g; p -= η·buf                   (2 + 3 + 3 = 8)
  //   adam:     m.lerp_(g); v *= β2; v += (1-β2)·g²; t = sqrt(v);
  //             t /= √(1-β2ᵗ); t += ε; p -= η'·m / t             (3+2+3+2+2+2+4 = 18)
  //   adamw:    p *= 1 − η·λ, then adam's                         (2 + 18 = 20)
  static const Registry<Optimizer> optimizers = [] {
    Registry<Optimizer> r("optimizer");
    r.add({"sgd", 0, 2, 3, "plain stochastic gradient descent"});
    r.add({"momentum", 1, 4, 8, "SGD with (heavy-ball) momentum"});
    r.add({"adam", 2, 12, 18, "Adam (Kingma & Ba 2015), first and second moments"});
    r.add({"adamw", 2, 13, 20,
           "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay 0.01 (PyTorch's "
           "default), biases included"});
    return r;
  }();
  return optimizers;
}

}  // namespace

const std::vector<Optimizer>& optimizers() { return table().all(); }

const Optimizer& find_optimizer(const std::string& name) { return table().find(name); }

}  // namespace frugal::algorithms
