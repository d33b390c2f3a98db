#pragma once
// What one step of a learning rule costs before any hardware is chosen: the ops of every phase,
// the memory the step holds, and the rule's structural properties
// (docs/references.md#rule-costs).

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/crossbar_activity.h"
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

// How the step is spread over devices (Megatron-LM's 3-D parallelism, Narayanan et al. 2021):
// `devices` = data × tensor × pipeline. Each data-parallel replica takes batch / data samples;
// within it, `tensor` devices split every layer and `pipeline` stages split the layers, the
// batch cut into micro-batches. With `shard_optimizer`, gradients and optimizer state are
// sharded over the data-parallel replicas (ZeRO stage 2, Rajbhandari et al. 2020).
struct Parallelism {
  int64_t devices = 1;
  int64_t tensor = 1;
  int64_t pipeline = 1;
  int64_t micro_batches = 0;  // per step and pipeline (0: 4 × pipeline)
  bool shard_optimizer = false;
  int64_t devices_per_node = 8;  // devices in a node talk over NVLink, across nodes the network
  int64_t data() const { return devices / (tensor * pipeline); }
  int64_t micro() const { return micro_batches > 0 ? micro_batches : 4 * pipeline; }
};

struct TrainingStep {
  TrainingStep(std::string rule_name, std::string optimizer_name, workloads::Graph step_graph,
               MemoryFootprint footprint = {}, RuleTraits rule_traits = {})
      : rule(std::move(rule_name)),
        optimizer(std::move(optimizer_name)),
        graph(std::move(step_graph)),
        memory(footprint),
        traits(rule_traits) {}

  std::string rule;        // "bp", "inference", ...
  std::string optimizer;   // "momentum", ...; "none" for inference
  workloads::Graph graph;  // all ops of the step, in execution order, tagged by phase
  MemoryFootprint memory;
  RuleTraits traits;
  bool inference = false;          // the rule only runs the network: nothing is learned (RuleInfo)
  std::string precision = "fp32";  // number format of the step's products (--precision)
  // With devices > 1 the graph is one device's share of the step (spread() made it) and its
  // communication; devices cost all of them.
  Parallelism parallelism;
  // Calibration to a published run (--utilization): the fraction of the device's peak that the
  // step's model FLOPs (2 per MAC) achieved; 0 leaves the time to the device model. Only devices
  // whose kind calibrates_utilization honour it.
  double utilization = 0.0;
  // Spiking devices: spikes per neuron per timestep of each layer (the input encoder first, then
  // each dense layer's neurons), measured by a functional run or assumed (one value for all),
  // over `timesteps` per sample.
  std::vector<double> spike_rates;
  bool spike_rates_assumed = true;
  int64_t timesteps = 0;
  // Magnitude pruning: the fraction of each weight matrix set to zero. Only hardware that skips
  // zeros gains from it (a spiking chip sends no event through an absent synapse); dense
  // hardware computes the zeros all the same.
  double weight_sparsity = 0.0;
  // The step's inputs and labels are on the device already (a benchmark's tensors, a data
  // loader that prefetched them): no host-to-device copy in the step.
  bool inputs_on_device = false;
  // What launches the step's kernels on a GPU: "graph" (back to back, as a CUDA graph replays
  // them) or "eager" (PyTorch eager: the host dispatches each op; the GPU waits when it is
  // behind).
  std::string runtime = "graph";
  // The threads a CPU runs the step on (0: all its cores).
  int64_t threads = 0;
  // Analog chips trained on the chip: how updates become pulses (--analog-update).
  std::string analog_update = "sgd";
  // Spiking chips: "pack" (each layer on the fewest cores) or "spread" (all the chip's cores).
  std::string placement = "pack";
  // What training measured of the crossbars' updates and reads (NaN where it measured nothing:
  // the preset's update_pulses, update_row_pulses and update_sample_slots are assumed, and no
  // rereads).
  CrossbarActivity crossbar;

  int64_t batch() const { return graph.batch(); }
};

// Turns `step` (built for one data-parallel replica's share of the batch) into one device's share:
// every op's work, parameter and activation bytes divided by tensor × pipeline (gradients and
// optimizer state also by data with shard_optimizer; activations held also scaled by the
// micro-batches in flight, min(pipeline, micro-batches) of the micro-batches, as a 1F1B schedule
// holds them, Narayanan et al. 2021), and the communication added: the
// gradients' all-reduce over the data-parallel replicas before the updates, the tensor-parallel
// all-reduces of activations (forward) and their gradients (backward) in every other dense
// layer, as Megatron's row-parallel layers, and the pipeline's sends between stages and its
// bubble. Records `p`. Throws InputError if p does not divide the devices, or a tensor-parallel
// group would span nodes.
void spread(TrainingStep& step, const Parallelism& p);

// Activation checkpointing with full recomputation (Chen et al. 2016; Korthikanti et al. 2022's
// "full" recomputation in Megatron-LM): the forward pass keeps only each block's input (a block
// is the ops whose names share the part before the first '.': a transformer layer "h3", a dense
// layer "fc1" with its activation), and the backward pass runs the forward ops again (copies
// marked `recompute`, phase backward_data, before the first backward op). The held
// activations become the block inputs plus the largest block's own; the peak falls by as much.
// Throws InputError for a step without a backward pass (inference) or one that holds nothing.
void checkpoint_activations(TrainingStep& step);

// Liveness over the op sequence: the largest sum of non-parameter tensor bytes alive at once. A
// tensor lives from the first op that writes or reads it to the last op that reads it.
int64_t peak_activation_bytes(const workloads::Graph& graph);

}  // namespace frugal::algorithms
