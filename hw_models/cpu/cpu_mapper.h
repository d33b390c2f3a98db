#pragma once
// Maps a step's ops onto the CPU: instructions, cores used, and bytes moved at each level of the
// memory hierarchy. Plain C++: the SystemC platform only turns this work into time.

#include <cstdint>
#include <vector>

#include "hw_models/cpu/cpu_params.h"
#include "workloads/graph.h"

namespace frugal::hw::cpu {

struct CpuOpWork {
  int64_t cores_used = 1;
  int64_t fma_instructions = 0;     // vector FMAs (one per simd_lanes_fp32 MACs)
  int64_t vector_instructions = 0;  // other vector arithmetic
  int64_t l2_bytes = 0;             // moved between L1 and L2
  int64_t llc_bytes = 0;            // moved between L2 and the last-level cache
  int64_t dram_read_bytes = 0;
  int64_t dram_write_bytes = 0;
  // Time on the cores used: the longer of the arithmetic and the L1<->L2 traffic (private to each
  // core, so no contention), plus op_overhead. Shared LLC and DRAM time comes from the platform.
  double core_s = 0.0;
};

// Bytes a cache of `cache_bytes` exchanges with the level above during a matrix product of
// `macs` multiply-accumulates, blocked so that three b×b tiles fit (b = √(S / 3e)): 2·macs·e / b.
// Hong & Kung, "I/O complexity: the red-blue pebble game", STOC 1981 (Θ(macs/√S) words).
int64_t blocked_gemm_traffic(int64_t macs, int element_bytes, double cache_bytes);

// Contract: DRAM traffic is the steady state of a training loop: the step runs twice through a
// whole-tensor LRU model of the last-level cache and the second pass is counted; the input batch
// and labels are new at every step, so they always come from DRAM.
std::vector<CpuOpWork> map_step(const workloads::Graph& step, const CpuParams& params);

}  // namespace frugal::hw::cpu
