#pragma once
// A scenario: one model, trained (or run) with one learning rule on one hardware preset. Each
// field is an option whose key, unit, help, check and result column are declared once, in the
// table of sim/scenario/options.cpp; the defaults are the initializers here.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace frugal::sim {

struct Scenario {
  std::string model = "mlp:784-256-128-10";
  std::string rule = "bp";
  std::string hw = "cpu";
  int64_t batch = 64;
  std::string optimizer = "momentum";
  int64_t seed = 0;
  // Functional face: train the network for real to measure its accuracy.
  bool train = false;
  int64_t epochs = 1;
  std::string dataset = "fashion-mnist";
  std::string data_dir;                       // default: $FRUGAL_DATA_DIR or Debian's directory
  int64_t train_subset = 0, test_subset = 0;  // 0: the whole split
  double learning_rate = 0.01, momentum = 0.9;
  std::string lr_schedule = "constant";  // constant, cosine or step
  std::string precision = "fp32";        // number format of the step's products
  int64_t devices = 1;                   // GPUs: data x tensor x pipeline parallel
  int64_t tensor_parallel = 1, pipeline_parallel = 1, micro_batches = 0;
  bool shard_optimizer = false;
  // Keep only each block's input in the forward pass and recompute the rest in the backward one.
  bool activation_checkpointing = false;
  int64_t devices_per_node = 8;
  // Job scale: samples per epoch (× epochs), or tokens for language models; 0: not given.
  int64_t samples_per_epoch = 0;
  double tokens = 0;  // may be written 3e11
  // Calibration to a published run: the model-FLOP utilization it achieved (0: as modelled).
  double utilization = 0;
  double pue = 1.0;  // data-centre power usage effectiveness applied to the whole job
  // Grid carbon intensity: a region's (sim/scenario/regions.h), or a figure in gCO2e/kWh (-1:
  // the region's).
  std::string region = "world";
  // Eco-design lever: magnitude pruning of the trained weights to this sparsity, in [0, 1).
  double sparsity = 0;
  // Eco-design lever: stop training once the accuracy on a held-out tenth of the training set
  // has not improved for this many epochs (0: the whole schedule).
  int64_t early_stop = 0;
  // With --train: the test accuracy whose first epoch the *_to_target results report (0: none).
  double target_accuracy = 0;
  // Eco-design lever: start training from a model saved by --save-model ("" or "none": from
  // scratch).
  std::string warm_start;
  bool warm_started() const { return !warm_start.empty() && warm_start != "none"; }
  // The whole project (Schwartz et al.'s Cost ∝ E·D·H): hyper-parameter trials, each a whole
  // training job; and inference requests over the model's life, on the same device.
  int64_t trials = 1;
  double inference_requests = 0;
  double grid_g_per_kwh = -1;
  // Times after programming (s) at which --train measures the accuracy again: "1,3600,86400".
  std::string drift_times;
  // Spiking devices: timesteps per sample, and an assumed spike rate (spikes per neuron per
  // timestep) when the network is not run (-1: measured by --train).
  int64_t timesteps = 32;
  double spike_rate = -1;
  // The step's inputs are on the device already: no host-to-device copy per step.
  bool inputs_on_device = false;
  // GPUs: what launches the kernels: "graph" (back to back) or "eager" (the host dispatches each).
  std::string runtime = "graph";
  int64_t threads = 0;          // CPUs: the runtime's threads (0: all the preset's cores)
  int64_t trainer_threads = 1;  // --train: the threads of frugal's own trainer's products
  // Analog devices trained on the chip: how an update becomes pulses (sgd, mixed-precision).
  std::string analog_update = "sgd";
  // Spiking devices: how layers are placed on cores: "pack" (fewest cores) or "spread" (all).
  std::string placement = "pack";
  // Transformers: attention as "unfused" products and a softmax, or one "fused" kernel.
  std::string attention = "unfused";
  std::string input_shape;                 // ONNX models: dims after the batch, "3x224x224"
  std::string onnx_unsupported = "error";  // or "skip"
  // Preset parameters replaced for this scenario, as (parameter, value with unit) pairs given as
  // `hw.NAME = VALUE` ("hw.dram_energy", "15 pJ/bit"), applied in order.
  std::vector<std::pair<std::string, std::string>> hw_params;
};

// One option setting as the user writes it: key and value text ("batch", "64";
// "hw.dram_energy", "15 pJ/bit").
using Setting = std::pair<std::string, std::string>;

// Prefix of keys that set a hardware preset parameter.
inline constexpr const char* kHwParamPrefix = "hw.";

}  // namespace frugal::sim
