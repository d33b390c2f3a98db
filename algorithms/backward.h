#pragma once
// The backward half of a training step for rules that send errors back: BP (through the
// transposed weights), FA (through fixed random matrices), DFA (the output error projected to each
// layer) and DRTP (the label projected to each layer). One reverse pass over the forward graph:
// dense, convolution and matmul ops cost their forward MACs again for each gradient they send
// back; the other ops cost elementwise work (docs/workloads.md); a tensor read twice gets a summed
// gradient; views and additions pass gradients through; tied weights share one gradient.

#include <string>
#include <vector>

#include "algorithms/error_signal.h"
#include "workloads/graph.h"

namespace frugal::algorithms {

struct BackwardOptions {
  std::string rule = "bp";  // for error messages
  ErrorSignal feedback = ErrorSignal::transpose_weights;
  int source = -1;      // direct feedback: the error e or the label tensor
  int64_t classes = 0;  // direct feedback: values of `source` per sample
};

// Appends the backward ops of `forward` (copied into `step`) given the gradient of its output;
// returns, for each tensor id of `step`, its gradient tensor id when it is a trained weight (-1
// otherwise), for add_updates. Throws InputError naming an op the rule cannot train.
std::vector<int> add_backward(workloads::Graph& step, const workloads::Graph& forward,
                              int output_grad, const BackwardOptions& options);

}  // namespace frugal::algorithms
