#pragma once
// Maps a step's ops onto a GPU as kernels: each op is one kernel whose time comes from its work
// split into tiles over the SMs (wave quantization), the rate of its precision's units with an
// efficiency that falls for short reductions, and its memory traffic (L2, and HBM behind a
// whole-tensor model of L2). Plain C++: the SystemC platform turns this into time with
// contention, and the device into energy.

#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/gpu/gpu_params.h"
#include "workloads/graph.h"

namespace frugal::hw::gpu {

struct KernelWork {
  double launch_s = 0.0;        // launch, ramp-up and tail: not overlapped with work
  double compute_s = 0.0;       // the SMs' time: matrix units and CUDA cores, wave-quantized
  double sm_utilization = 0.0;  // fraction of SMs the kernel's blocks occupy (0: none)
  double matrix_ops = 0.0;      // 2 per MAC, at the step's precision
  double vector_ops = 0.0;      // other arithmetic, fp32 on CUDA cores
  int64_t l2_bytes = 0;         // SMs <-> L2
  int64_t hbm_read_bytes = 0;
  int64_t hbm_write_bytes = 0;
  int64_t host_bytes = 0;  // the input batch and labels, copied from the host before the kernel
  int64_t link_bytes = 0;  // sent to other GPUs (all_reduce): 2·(D − 1)/D of the gradients
  bool network = false;    // over the network between nodes, else NVLink
  bool bubble = false;     // a pipeline bubble: idle time, sized by the device
  // Run in the epilogue of the kernel before it (--runtime compiled): no kernel of its own.
  bool fused = false;
};

// Contract: `precision` is supported by `params` (peak_for > 0). With `inputs_on_device`, no
// tensor is copied from the host. With `fuse_epilogues` (a compiler: TensorRT, torch.compile),
// each forward elementwise op (an activation, an addition, dropout, an eval-mode batch norm) that
// takes the output of the kernel just before it, a product or an op fused into one, runs in that
// kernel's epilogue: no launch, and the value between them never goes to memory.
std::vector<KernelWork> map_step(const workloads::Graph& step, const GpuParams& params,
                                 const std::string& precision, bool inputs_on_device = false,
                                 bool fuse_epilogues = false);

}  // namespace frugal::hw::gpu
