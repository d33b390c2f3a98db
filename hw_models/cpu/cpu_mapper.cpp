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

std::vector<CpuOpWork> map_step(const workloads::Graph& step, const CpuParams& params) {
  const auto lanes = static_cast<int64_t>(params.simd_lanes_fp32);
  const auto cores = static_cast<int64_t>(params.core_count);
  const double issue_rate = params.vector_units * params.clock_hz;  // instructions/s per core
  std::vector<CpuOpWork> work(step.ops().size());
  for (size_t i = 0; i < step.ops().size(); ++i) {
    const workloads::Op& op = step.ops()[i];
    CpuOpWork& w = work[i];
    // Work is split over cores by output vectors: an op with few outputs cannot use them all.
    w.cores_used = std::clamp<int64_t>(ceil_div(op.out.elements(), lanes), 1, cores);
    w.fma_instructions = ceil_div(op.macs, lanes);
    w.vector_instructions = ceil_div(op.other_ops, lanes);
    const int64_t unique = op.bytes_read() + op.bytes_written();
    w.l2_bytes = unique;
    w.llc_bytes = unique;
    if (op.macs > 0) {
      const int e = step.element_bytes();
      w.l2_bytes = std::max(unique, blocked_gemm_traffic(op.macs, e, params.l1_capacity_bytes));
      w.llc_bytes = std::max(unique, blocked_gemm_traffic(op.macs, e, params.l2_capacity_bytes));
    }
    const double c = static_cast<double>(w.cores_used);
    const double arithmetic_s =
        static_cast<double>(w.fma_instructions) / (c * issue_rate * params.gemm_efficiency) +
        static_cast<double>(w.vector_instructions) / (c * issue_rate);
    const double l2_s = static_cast<double>(w.l2_bytes) / (c * params.l2_bandwidth_bytes_per_s);
    w.core_s = std::max(arithmetic_s, l2_s) + params.op_overhead_s;
  }
  const std::vector<OpMisses> misses =
      steady_state_misses(step, static_cast<int64_t>(params.llc_capacity_bytes));
  for (size_t i = 0; i < work.size(); ++i) {
    work[i].dram_read_bytes = misses[i].fetched_bytes;
    work[i].dram_write_bytes = misses[i].written_back_bytes;
  }
  return work;
}

}  // namespace frugal::hw::cpu
