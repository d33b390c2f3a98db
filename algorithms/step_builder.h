#pragma once
// Building blocks that learning rules share when they expand a forward graph: the loss, the
// elementwise cost of activation derivatives, optimizer updates, and the memory footprint.

#include <string>

#include "algorithms/optimizer.h"
#include "algorithms/training_step.h"
#include "workloads/graph.h"

namespace frugal::algorithms {

// Operations per element to evaluate f'(a) from the stored activation h = f(a) and multiply it
// into the incoming gradient: relu and relu6 1 (mask), tanh 3 (1 - h², ×), sigmoid 3
// (h·(1 - h), ×); gelu 8 (the derivative of its tanh approximation from the input, ×).
int64_t derivative_ops_per_element(const std::string& function);

// The tensors a forward op reads that are activations (or the input batch), and its weights.
std::vector<int> activation_inputs(const workloads::Graph& graph, const workloads::Op& op);
std::vector<int> weight_inputs(const workloads::Graph& graph, const workloads::Op& op);

struct LossTensors {
  int labels = -1;  // y*, one value per sample and class
  int probs = -1;   // softmax(logits)
};

// Appends the softmax cross-entropy of the graph's output (phase forward). Per logit: exp, add to
// the sum, divide (3 ops); per sample: one log of the true class (1 op).
LossTensors add_loss(workloads::Graph& graph);

// Appends e = softmax(z) - y* (1 op per logit; phase backward_data unless given); returns e's id.
int add_loss_grad(workloads::Graph& graph, const LossTensors& loss,
                  workloads::Phase phase = workloads::Phase::backward_data);

// Appends one update op per layer that has weights (phase update) and the optimizer-state tensors
// it reads and writes. `gradients` maps each weight tensor id to its gradient tensor id (-1: none).
// A step whose values are narrower than fp32 trains in mixed precision: fp32 master weights
// (counted with the optimizer's state), gradients and optimizer state, and a cast per layer to
// the narrow copies the products read.
void add_updates(workloads::Graph& graph, const Optimizer& optimizer,
                 const std::vector<int>& gradients);

// The dense layers of an MLP, each with the activation op that follows it (null for the output
// layer). Throws InputError naming `rule` and the first op that is not part of such a network.
struct DenseLayer {
  const workloads::Op* dense = nullptr;
  const workloads::Op* activation = nullptr;
};
std::vector<DenseLayer> dense_layers(const workloads::Graph& forward, const std::string& rule);

// Appends ΔW = signal · inputᵀ for a dense op (its forward MACs) plus the bias gradient (one
// addition per output value), phase backward_weight, named op.name + suffix. The gradients of its
// weights are created, or accumulated into when `gradients` already has them (FF's two passes).
void add_dense_weight_grad(workloads::Graph& graph, const workloads::Op& dense, int signal,
                           int input, std::vector<int>& gradients,
                           const std::string& suffix = ".grad_weight");

// Appends a copy of forward op `op` (same weights, same counts) reading `input` instead of its
// activation input, named op.name + suffix, in `phase`; returns the new tensor it writes.
int copy_forward_op(workloads::Graph& graph, const workloads::Op& op, int input,
                    workloads::Phase phase, const std::string& suffix);

// Weights, gradients, optimizer state, activations held from the forward pass for later phases,
// and the liveness peak, computed from the step's tensors and ops.
// The forward graph as a trained network runs it (PyTorch's eval mode): a batch norm uses its
// running statistics, a scale and a shift per value (function "batch_eval", 2 operations a
// value), not statistics over the batch (7).
workloads::Graph evaluation_mode(const workloads::Graph& forward);

MemoryFootprint measure_footprint(const workloads::Graph& step, int forward_op_count);

}  // namespace frugal::algorithms
