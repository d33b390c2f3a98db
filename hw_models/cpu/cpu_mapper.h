#pragma once
// Maps a step's ops onto the CPU: instructions, cores used, and bytes moved at each level of the
// memory hierarchy. Plain C++: the SystemC platform only turns this work into time.

#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/cpu/cpu_params.h"
#include "workloads/graph.h"

namespace frugal::hw::cpu {

// How the step runs: the format of its products, the threads the runtime may use (0: all the
// preset's cores) and the runtime (graph: a native trainer running the ops back to back, as
// frugal's own; eager: a framework dispatching each op from Python, as PyTorch eager).
struct CpuRun {
  std::string precision = "fp32";
  int64_t threads = 0;
  bool eager = false;
};

struct CpuOpWork {
  int64_t cores_used = 1;
  int64_t fma_instructions = 0;     // vector FMAs (MACs / lanes of the format, lanes filled)
  int64_t vector_instructions = 0;  // other vector arithmetic
  int64_t l2_bytes = 0;             // moved between L1 and L2
  int64_t llc_bytes = 0;            // moved between L2 and the last-level cache
  int64_t dram_read_bytes = 0;
  int64_t dram_write_bytes = 0;
  // Time on the cores used: the longest of the arithmetic and each level's traffic at the rate
  // the cores used sustain from it, plus the op's fixed time (op_overhead, or dispatch_op when
  // eager; thread_sync when it runs on more than one core). The platform adds the shared LLC's
  // and DRAM's aggregate limits.
  double core_s = 0.0;
};

// Bytes a cache of `cache_bytes` exchanges with the level above during a matrix product of
// `macs` multiply-accumulates, blocked so that three b×b tiles fit (b = √(S / 3e)): 2·macs·e / b.
// Hong & Kung, "I/O complexity: the red-blue pebble game", STOC 1981 (Θ(macs/√S) words).
int64_t blocked_gemm_traffic(int64_t macs, int element_bytes, double cache_bytes);

// Contract: L2<->LLC and DRAM traffic are the steady state of a training loop: the step runs twice
// through a whole-tensor LRU model of the L2 caches of the threads and of the last-level cache, and
// the second pass is counted; the input batch and labels are new at every step, so they always
// come from DRAM. `run.precision` must be one the part has (CpuParams::lanes_for > 0).
std::vector<CpuOpWork> map_step(const workloads::Graph& step, const CpuParams& params,
                                const CpuRun& run = {});

}  // namespace frugal::hw::cpu
