#pragma once
// frugal's reproductions of published figures (`frugal validate`): each with the published
// value, frugal's, the error and the tolerance.

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace frugal::sim {

struct Reproduction {
  std::string name;    // what is compared
  std::string source;  // where the published figure comes from
  std::string unit;
  double published = 0;
  double frugal = 0;
  double tolerance = 0.25;  // relative
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

// Runs every reproduction in this process (under a second).
std::vector<Reproduction> run_reproductions();

}  // namespace frugal::sim
