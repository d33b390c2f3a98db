#pragma once
// What one step of a learning rule costs before any hardware is chosen: the ops of every phase,
// the memory the step holds, and the rule's structural properties (REFERENCES.md section 7).

#include <cstdint>
#include <string>

#include "workloads/graph.h"

namespace frugal::algorithms {

struct MemoryFootprint {
  int64_t weights_bytes = 0;
  int64_t gradients_bytes = 0;
  int64_t optimizer_state_bytes = 0;
  int64_t feedback_bytes = 0;         // fixed random feedback matrices (FA, DFA, DRTP, PEPITA)
  int64_t activations_bytes = 0;      // activations (and labels) held for the backward pass
  int64_t peak_activation_bytes = 0;  // most activation bytes alive at once (includes the above)
  int64_t total_bytes() const {       // throws InputError if it overflows
    using workloads::checked_add;
    return checked_add(checked_add(checked_add(weights_bytes, gradients_bytes), feedback_bytes),
                       checked_add(optimizer_state_bytes, peak_activation_bytes));
  }
};

struct RuleTraits {
  bool weight_transport = false;  // the backward pass uses the forward weights (Wᵀ)
  bool backward_sweep = false;    // errors travel back through every layer in sequence
  bool update_locking = false;    // no layer can update before the whole forward pass is done
};

// How the step is spread over devices: data parallelism, each of `devices` replicas holding the
// whole model and a `batch / devices` share of the batch, their gradients summed by a ring
// all-reduce before the update.
struct Parallelism {
  int64_t devices = 1;
  int64_t devices_per_node = 8;  // replicas on one node talk over NVLink, across nodes the network
};

struct TrainingStep {
  std::string rule;        // "bp", "inference", ...
  std::string optimizer;   // "momentum", ...; "none" for inference
  workloads::Graph graph;  // all ops of the step, in execution order, tagged by phase
  MemoryFootprint memory;
  RuleTraits traits;
  std::string precision = "fp32";  // number format of the step's products (--precision)
  // With devices > 1 the graph is one replica's step (its share of the batch) and add_data_
  // parallel has inserted the gradients' all-reduce; devices cost all replicas.
  Parallelism parallelism;

  int64_t batch() const { return graph.batch(); }
};

// Data parallelism over `p.devices` replicas: inserts one all_reduce op of every weight gradient
// before the first update (phase update) and records `p`. Contract: `step.graph` was built for
// one replica's share of the batch.
void add_data_parallel(TrainingStep& step, const Parallelism& p);

// Liveness over the op sequence: the largest sum of non-parameter tensor bytes alive at once. A
// tensor lives from the first op that writes or reads it to the last op that reads it.
int64_t peak_activation_bytes(const workloads::Graph& graph);

}  // namespace frugal::algorithms
