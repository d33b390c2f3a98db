#include "hw_models/cpu/cpu_mapper.h"

#include <algorithm>
#include <cmath>

#include "hw_models/common/tensor_cache.h"

namespace frugal::hw::cpu {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

int64_t blocked_gemm_traffic(int64_t macs, int element_bytes, double cache_bytes) {
  const double e = element_bytes;
  const double tile = std::sqrt(cache_bytes / (3.0 * e));
  return static_cast<int64_t>(std::ceil(2.0 * static_cast<double>(macs) * e / tile));
}

namespace {

bool is_product(workloads::OpKind kind) {
  using workloads::OpKind;
  return kind == OpKind::dense || kind == OpKind::dense_grad_input ||
         kind == OpKind::dense_grad_weight || kind == OpKind::matmul || kind == OpKind::matmul_grad;
}

// Elements a native trainer rearranges for the op (CpuParams::layout_element_s): a convolution
// unrolls its input into MACs / output channels values and copies its output into place; its
// weight gradient copies the output's gradient into the unrolled layout; its input gradient
// folds the unrolled gradient back; pooling visits its input's elements, and scatters its
// output's gradient back.
int64_t layout_elements(const workloads::Op& op) {
  using workloads::OpKind;
  if (op.in.dims.size() < 2 || op.out.dims.size() < 2) return 0;
  switch (op.kind) {
    case OpKind::conv2d:
      return op.macs / std::max<int64_t>(1, op.out.dims[1]) + op.out.elements();
    case OpKind::conv2d_grad_weight:
      return op.in.elements();
    case OpKind::conv2d_grad_input:
      return op.macs / std::max<int64_t>(1, op.in.dims[1]);
    case OpKind::pool:
    case OpKind::pool_grad:
      return op.in.elements();
    default:
      return 0;
  }
}

}  // namespace

std::vector<CpuOpWork> map_step(const workloads::Graph& step, const CpuParams& params,
                                const CpuRun& run) {
  const auto fp32_lanes = static_cast<int64_t>(params.simd_lanes_fp32);
  const double mac_lanes = params.lanes_for(run.precision);
  const auto cores = static_cast<int64_t>(params.core_count);
  const int64_t threads = run.threads > 0 ? std::min(run.threads, cores) : cores;
  const double issue_rate = params.vector_units * params.clock_hz;  // instructions/s per core
  const double efficiency = run.eager ? params.eager_gemm_efficiency : params.gemm_efficiency;
  std::vector<CpuOpWork> work(step.ops().size());
  for (size_t i = 0; i < step.ops().size(); ++i) {
    const workloads::Op& op = step.ops()[i];
    CpuOpWork& w = work[i];
    const int64_t outputs = op.out.elements();
    if (op.macs > 0) {
      // A product takes a thread per gemm_threading_macs (Eigen's and the BLAS libraries'
      // threshold), and one per output vector at most.
      const auto by_work =
          static_cast<int64_t>(static_cast<double>(op.macs) / params.gemm_threading_macs);
      w.cores_used =
          std::clamp<int64_t>(std::min(by_work, ceil_div(outputs, fp32_lanes)), 1, threads);
      // A product vectorizes along its output rows: a row of 10 fills 10 of 16 lanes.
      double filled = 1.0;
      if (is_product(op.kind) && op.out.dims.size() >= 2) {
        const int64_t row = op.out.dims.back();
        filled =
            static_cast<double>(row) / static_cast<double>(ceil_div(row, fp32_lanes) * fp32_lanes);
      }
      w.fma_instructions =
          static_cast<int64_t>(std::ceil(static_cast<double>(op.macs) / (mac_lanes * filled)));
    } else {
      w.cores_used = std::clamp<int64_t>(
          static_cast<int64_t>(std::ceil(static_cast<double>(outputs) / params.parallel_grain)), 1,
          threads);
    }
    w.vector_instructions = ceil_div(op.other_ops, fp32_lanes);
    const int64_t unique = op.bytes_read() + op.bytes_written();
    w.l2_bytes = unique;
    if (op.macs > 0) {
      // Blocked re-reads only when the operands outgrow the cache; otherwise the product reads
      // them once (what the LRU model below counts).
      const int e = step.element_bytes();
      w.l2_bytes = std::max(unique, blocked_gemm_traffic(op.macs, e, params.l1_capacity_bytes));
      if (static_cast<double>(unique) > params.l2_capacity_bytes * static_cast<double>(threads))
        w.llc_bytes = blocked_gemm_traffic(op.macs, e, params.l2_capacity_bytes);
    }
  }
  // What the L2 caches of the threads and the last-level cache miss, in the steady state.
  const std::vector<OpMisses> l2_misses = steady_state_misses(
      step, static_cast<int64_t>(params.l2_capacity_bytes * static_cast<double>(threads)));
  const std::vector<OpMisses> llc_misses =
      steady_state_misses(step, static_cast<int64_t>(params.llc_capacity_bytes));
  for (size_t i = 0; i < work.size(); ++i) {
    CpuOpWork& w = work[i];
    w.llc_bytes =
        std::max(w.llc_bytes, l2_misses[i].fetched_bytes + l2_misses[i].written_back_bytes);
    w.dram_read_bytes = llc_misses[i].fetched_bytes;
    w.dram_write_bytes = llc_misses[i].written_back_bytes;
    const double c = static_cast<double>(w.cores_used);
    const double arithmetic_s =
        static_cast<double>(w.fma_instructions) / (c * issue_rate * efficiency) +
        static_cast<double>(w.vector_instructions) / (c * issue_rate);
    const double memory_s =
        std::max({static_cast<double>(w.l2_bytes) / (c * params.l2_bandwidth_bytes_per_s),
                  static_cast<double>(w.llc_bytes) / (c * params.llc_core_bandwidth_bytes_per_s),
                  static_cast<double>(w.dram_read_bytes + w.dram_write_bytes) /
                      (c * params.dram_core_bandwidth_bytes_per_s)});
    const double layout_s = run.eager ? 0.0
                                      : static_cast<double>(layout_elements(step.ops()[i])) *
                                            params.layout_element_s / c;
    w.core_s = std::max(arithmetic_s, memory_s) + layout_s +
               (run.eager ? params.dispatch_op_s : params.op_overhead_s) +
               (w.cores_used > 1 ? params.thread_sync_s : 0.0);
  }
  return work;
}

}  // namespace frugal::hw::cpu
