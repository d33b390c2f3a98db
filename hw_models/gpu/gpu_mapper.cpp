#include "hw_models/gpu/gpu_mapper.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "algorithms/optimizer.h"
#include "hw_models/common/tensor_cache.h"

namespace frugal::hw::gpu {
namespace {

// Threads' worth of outputs one SM handles at a time in an elementwise kernel (a block of 256
// threads, 4 values each): how many SMs a small elementwise op can keep busy.
constexpr double kElementsPerBlock = 1024;
// Smallest output tile a matrix-product kernel uses.
constexpr double kMinTile = 32;
// Shortest slice of a reduction that split-K gives an SM, and the bytes of a partial sum.
constexpr double kMinSplitInner = 256;
constexpr double kPartialSumBytes = 4;

// Whether a product's dimensions are whole 16-byte vectors, as tensor-core kernels load them:
// the inner dimension and the output's last (dense layers, their gradients, attention's
// products). fp32 products run on the CUDA cores, which load scalars. Convolutions are left out:
// cuDNN pads their channels.
bool aligned(const workloads::Op& op, int element_bytes, const std::string& precision) {
  using workloads::OpKind;
  const bool dense_like = op.kind == OpKind::dense || op.kind == OpKind::dense_grad_input ||
                          op.kind == OpKind::dense_grad_weight || op.kind == OpKind::matmul ||
                          op.kind == OpKind::matmul_grad || op.kind == OpKind::attention ||
                          op.kind == OpKind::attention_grad;
  if (!dense_like || precision == "fp32") return true;
  const auto whole = [&](const workloads::Shape& shape) {
    return shape.dims.size() < 2 || shape.dims.back() * element_bytes % 16 == 0;
  };
  return whole(op.in) && whole(op.out);
}

// How many times over its tensors' bytes an optimizer's update streams as PyTorch's foreach
// implementation runs it (algorithms/optimizer.cpp counts the values): Adam 18 values a parameter
// against a fused update's 7, momentum 8 against 5.
double foreach_traffic(const workloads::Op& op) {
  if (op.kind != workloads::OpKind::optimizer_update) return 1.0;
  const algorithms::Optimizer& optimizer = algorithms::find_optimizer(op.function);
  return static_cast<double>(optimizer.foreach_values) / optimizer.fused_values();
}

// An op a compiler can run in the epilogue of the kernel that produces its input.
bool epilogue_op(const workloads::Op& op) {
  using workloads::OpKind;
  if (op.phase != workloads::Phase::forward || op.recompute) return false;
  return op.kind == OpKind::activation || op.kind == OpKind::elementwise ||
         (op.kind == OpKind::norm && op.function == "batch_eval");
}

// --runtime compiled: marks the ops that run in the epilogue of the kernel before them, and takes
// out the memory traffic of the value between them (written by one, read by the other).
void fuse_epilogues(const workloads::Graph& step, std::vector<KernelWork>& work) {
  const std::vector<workloads::Op>& ops = step.ops();
  for (size_t i = 1; i < ops.size(); ++i) {
    const workloads::Op& op = ops[i];
    const workloads::Op& before = ops[i - 1];
    const bool takes_a_kernel =
        work[i - 1].fused || (work[i - 1].matrix_ops > 0 && work[i - 1].link_bytes == 0);
    if (!epilogue_op(op) || !takes_a_kernel || before.writes.empty()) continue;
    const int between = before.writes.front();
    if (std::find(op.reads.begin(), op.reads.end(), between) == op.reads.end()) continue;
    const int64_t bytes = step.tensor(between).bytes;
    KernelWork& w = work[i];
    w.fused = true;
    w.launch_s = 0;
    w.compute_s = 0;  // hidden under the product's main loop
    w.sm_utilization = 0;
    w.l2_bytes = 0;
    w.hbm_read_bytes = std::max<int64_t>(0, w.hbm_read_bytes - bytes);
    // The kernel before writes this op's output instead of the value between them.
    size_t root = i - 1;
    while (root > 0 && work[root].fused) --root;
    work[root].hbm_write_bytes = std::max<int64_t>(0, work[root].hbm_write_bytes - bytes);
  }
}

}  // namespace

std::vector<KernelWork> map_step(const workloads::Graph& step, const GpuParams& p,
                                 const std::string& precision, bool inputs_on_device, bool fuse) {
  const double sms = p.sm_count;
  const double matrix_rate = p.peak_for(precision) * p.gemm_efficiency / sms;  // per SM, OP/s
  const double vector_rate = p.peak.fp32 / sms;
  std::vector<KernelWork> work(step.ops().size());
  std::set<int> from_host;  // tensors that come from the host each step
  for (size_t t = 0; t < step.tensors().size() && !inputs_on_device; ++t)
    if (step.tensors()[t].kind == workloads::TensorKind::input ||
        step.tensors()[t].kind == workloads::TensorKind::label)
      from_host.insert(static_cast<int>(t));
  for (size_t i = 0; i < step.ops().size(); ++i) {
    const workloads::Op& op = step.ops()[i];
    KernelWork& w = work[i];
    w.launch_s = p.kernel_launch_s;
    const double outputs = std::max<double>(1.0, static_cast<double>(op.out.elements()));
    if (op.kind == workloads::OpKind::all_reduce || op.kind == workloads::OpKind::send_recv) {
      // Ring all-reduce (Patarasuk & Yuan 2009): D − 1 reduce-scatter and D − 1 all-gather steps,
      // each sending 1/D of the data: 2·(D − 1)/D of it per device, at the ring's slowest link.
      // A pipeline send: the bytes once, one step.
      const double d = static_cast<double>(op.group);
      const bool ring = op.kind == workloads::OpKind::all_reduce;
      const auto bytes = static_cast<double>(op.collective_bytes);
      w.link_bytes = static_cast<int64_t>(ring ? 2.0 * (d - 1.0) / d * bytes : bytes);
      w.network = op.crosses_nodes;
      const double bandwidth =
          w.network ? p.network_bandwidth_bytes_per_s : p.nvlink_bandwidth_bytes_per_s;
      w.compute_s = static_cast<double>(w.link_bytes) / bandwidth +
                    (ring ? 2.0 * (d - 1.0) : 1.0) * p.collective_latency_s;
      w.l2_bytes = 2 * op.collective_bytes;  // read and written once
      continue;
    }
    if (op.kind == workloads::OpKind::pipeline_bubble) {
      w.launch_s = 0;  // no kernel: the device derives its time from the others (gpu_device)
      w.bubble = true;
      continue;
    }
    if (op.macs > 0) {
      // Output tiles of gemm_tile² values spread over the SMs in waves; each tile's reduction
      // runs at inner / (inner + inner_half) of the SM's best rate.
      const double inner = std::max(1.0, static_cast<double>(op.macs) / outputs);
      // Like cuBLAS's heuristics, smaller tiles for a product too small to fill the SMs with
      // large ones (down to 32 × 32), at the cost of more operand traffic.
      double tile = p.gemm_tile;
      while (tile > kMinTile && std::ceil(outputs / (tile * tile)) < sms) tile /= 2;
      const double tiles = std::ceil(outputs / (tile * tile));
      // Split-K: too few tiles to fill the SMs, and a long reduction, so each tile's reduction
      // is cut into slices that run on SMs of their own; their partial sums (fp32) are added
      // after.
      const double split =
          std::max(1.0, std::min(std::floor(sms / tiles), std::floor(inner / kMinSplitInner)));
      const double slice = inner / split;
      const double waves = std::ceil(tiles * split / sms);
      const double per_slice_ops = 2.0 * slice * outputs / tiles;
      const double efficiency = slice / (slice + p.gemm_inner_half);
      const bool fused_attention =
          op.kind == workloads::OpKind::attention || op.kind == workloads::OpKind::attention_grad;
      const double rate =
          matrix_rate *
          (aligned(op, step.element_bytes(), precision) ? 1.0 : p.gemm_unaligned_efficiency) *
          (fused_attention ? p.attention_efficiency : 1.0);
      w.compute_s += waves * per_slice_ops / (rate * efficiency);
      w.sm_utilization = tiles * split / (waves * sms);
      w.matrix_ops = 2.0 * static_cast<double>(op.macs);
      // Operands re-read from L2 by each tile: 2·macs·e / tile (tiles of A and B per output tile),
      // and the partial sums of a split reduction written and read back.
      w.l2_bytes = static_cast<int64_t>(
          2.0 * static_cast<double>(op.macs) * step.element_bytes() / p.gemm_tile +
          (split > 1 ? 2.0 * split * outputs * kPartialSumBytes : 0.0));
    }
    if (op.other_ops > 0) {
      // A kernel's blocks cover its larger side: the outputs of a map, the inputs of a reduction
      // (a batch norm's weight gradient sums a whole activation into two values per channel).
      const double elements =
          std::max(outputs, static_cast<double>(std::max<int64_t>(1, op.in.elements())));
      const double blocks = std::ceil(elements / kElementsPerBlock);
      const double busy = std::min(sms, blocks);
      w.sm_utilization = std::max(w.sm_utilization, busy / sms);
      w.compute_s += static_cast<double>(op.other_ops) / (vector_rate * busy);
      w.vector_ops = static_cast<double>(op.other_ops);
      // A memory-bound kernel streams its operands at its kind's rate, shared by the SMs it
      // occupies.
      const double stream = p.stream_efficiency(op.kind, op.function);
      const double streamed =
          static_cast<double>(op.bytes_read() + op.bytes_written()) * foreach_traffic(op);
      if (op.macs == 0 && stream > 0)
        w.compute_s =
            std::max(w.compute_s, streamed / (p.hbm_bandwidth_bytes_per_s * stream * busy / sms));
    }
    w.l2_bytes = std::max(w.l2_bytes, op.bytes_read() + op.bytes_written());
    for (int id : op.reads)
      if (from_host.erase(id)) w.host_bytes += step.tensor(id).bytes;
  }
  const std::vector<OpMisses> misses =
      steady_state_misses(step, static_cast<int64_t>(p.l2_capacity_bytes));
  for (size_t i = 0; i < work.size(); ++i) {
    const double passes = foreach_traffic(step.ops()[i]);
    work[i].hbm_read_bytes =
        static_cast<int64_t>(static_cast<double>(misses[i].fetched_bytes) * passes);
    work[i].hbm_write_bytes =
        static_cast<int64_t>(static_cast<double>(misses[i].written_back_bytes) * passes);
    work[i].l2_bytes = static_cast<int64_t>(static_cast<double>(work[i].l2_bytes) * passes);
  }
  if (fuse) fuse_epilogues(step, work);
  return work;
}

}  // namespace frugal::hw::gpu
