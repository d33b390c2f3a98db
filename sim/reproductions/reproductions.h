#pragma once
// frugal's reproductions of published figures (`frugal validate`): each with the published
// value, frugal's, the error and the tolerance.

#include <limits>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace frugal::sim {

struct Reproduction {
  // A consistency check compares frugal with a figure one of its parameters was fitted to, or
  // with an input the same source gave: it checks the fit, not the model. A prediction compares
  // it with a figure nothing was fitted to.
  enum class Kind { consistency, prediction };
  std::string name;    // what is compared
  std::string source;  // where the published figure comes from
  std::string unit;
  double published = 0;
  double frugal = 0;
  double tolerance = 0.25;  // relative
  Kind kind = Kind::consistency;
  // What was fitted to the figure or read back (consistency), or what the prediction rests on.
  std::string basis;
  // frugal's figure without the calibration to this run (NaN where there is none to leave out).
  double uncalibrated = std::numeric_limits<double>::quiet_NaN();
  double error() const { return published != 0 ? frugal / published - 1.0 : 0.0; }
  bool ok() const { return error() >= -tolerance && error() <= tolerance; }
};

// GPT-3 (175B, 300B tokens, fp16) on 10,240 V100s (8 tensor x 16 pipeline x 80 data, ZeRO-2)
// as Patterson et al. 2021 report its run: 19.7% utilization, PUE 1.1, 429 gCO2e/kWh.
Scenario gpt3_as_patterson();

// BLOOM (176B, 366B tokens, bf16) on 384 A100-80GB (4 tensor x 12 pipeline x 8 data, ZeRO-1 as
// ZeRO-2 here, micro-batches of 2 sequences, full activation recomputation) as Luccioni et al.
// 2022 report its run: 118 days (model-FLOP utilization 0.316 derived from them), France's 57
// gCO2e/kWh, the servers' draw beside the GPUs derived from their idle figure (237 W per GPU).
Scenario bloom_as_luccioni();

// Llama 2 7B or 70B (Touvron et al. 2023: 2T tokens, 4M-token batches, sequences of 4,096) on
// A100-80GB, in frugal's GPT blocks with the same parameters and FLOPs, on a cluster assumed here
// (Meta gives GPU-hours per model, not the GPUs of each run): 256 GPUs data-parallel for 7B, 1,024
// with tensor parallelism 8 for 70B; ZeRO-2, full recomputation, fused attention, Adam.
Scenario llama2_as_meta(bool seventy_b);

// The model-FLOP utilization frugal's model gives a scenario's step as modelled (no
// --utilization): its model FLOPs over the devices' peak and the step's time.
double modelled_utilization(Scenario scenario);

// Runs every reproduction in this process (a few seconds): consistency checks first, then
// predictions.
std::vector<Reproduction> run_reproductions();

}  // namespace frugal::sim
