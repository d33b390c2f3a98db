#include "hw_models/gpu/gpu_params.h"

#include "results/core/error.h"

namespace frugal::hw::gpu {

using units::Dimension;

const ParamTable<GpuParams>& gpu_param_table() {
  static const ParamTable<GpuParams> table({
      param("sm_count", Dimension::dimensionless, 1, 1024, "streaming multiprocessors",
            &GpuParams::sm_count)
          .whole(),
      param("peak_fp32", Dimension::op_rate, 1e9, 1e17, "dense fp32 throughput (CUDA cores)",
            &GpuParams::peak, &PerPrecision::fp32),
      param("peak_tf32", Dimension::op_rate, 0, 1e17, "dense tf32 tensor-core throughput (0: none)",
            &GpuParams::peak, &PerPrecision::tf32),
      param("peak_fp16", Dimension::op_rate, 0, 1e17, "dense fp16 tensor-core throughput (0: none)",
            &GpuParams::peak, &PerPrecision::fp16),
      param("peak_bf16", Dimension::op_rate, 0, 1e17, "dense bf16 tensor-core throughput (0: none)",
            &GpuParams::peak, &PerPrecision::bf16),
      param("peak_int8", Dimension::op_rate, 0, 1e17, "dense int8 tensor-core throughput (0: none)",
            &GpuParams::peak, &PerPrecision::int8),
      param("peak_fp8", Dimension::op_rate, 0, 1e17, "dense fp8 tensor-core throughput (0: none)",
            &GpuParams::peak, &PerPrecision::fp8),
      param("op_energy_fp32", Dimension::energy, 0, 1e-9,
            "energy of one fp32 operation on the CUDA cores (a MAC is two), also for the other "
            "arithmetic of every kernel",
            &GpuParams::op_energy, &PerPrecision::fp32),
      param("op_energy_tf32", Dimension::energy, 0, 1e-9,
            "energy of one tf32 tensor-core operation (0 where there is no such mode)",
            &GpuParams::op_energy, &PerPrecision::tf32),
      param("op_energy_fp16", Dimension::energy, 0, 1e-9,
            "energy of one fp16 tensor-core operation (0 where there is no such mode)",
            &GpuParams::op_energy, &PerPrecision::fp16),
      param("op_energy_bf16", Dimension::energy, 0, 1e-9,
            "energy of one bf16 tensor-core operation (0 where there is no such mode)",
            &GpuParams::op_energy, &PerPrecision::bf16),
      param("op_energy_int8", Dimension::energy, 0, 1e-9,
            "energy of one int8 tensor-core operation (0 where there is no such mode)",
            &GpuParams::op_energy, &PerPrecision::int8),
      param("op_energy_fp8", Dimension::energy, 0, 1e-9,
            "energy of one fp8 tensor-core operation (0 where there is no such mode)",
            &GpuParams::op_energy, &PerPrecision::fp8),
      param("gemm_efficiency", Dimension::dimensionless, 0.01, 1,
            "fraction of the peak a large matrix product sustains below the power limit",
            &GpuParams::gemm_efficiency),
      param("gemm_unaligned_efficiency", Dimension::dimensionless, 0.01, 1,
            "fraction of its rate a tensor-core product keeps when a dimension is not a whole "
            "number of 16-byte vectors",
            &GpuParams::gemm_unaligned_efficiency),
      param("attention_efficiency", Dimension::dimensionless, 0.01, 1,
            "fraction of a matrix product's rate a fused attention kernel (--attention fused) "
            "keeps, forward and backward: its softmax and online rescaling run between the "
            "products",
            &GpuParams::attention_efficiency),
      param("gemm_tile", Dimension::dimensionless, 8, 1024,
            "edge of the square output tile one SM computes at a time in a matrix product",
            &GpuParams::gemm_tile)
          .whole(),
      param("gemm_inner_half", Dimension::dimensionless, 0, 1e6,
            "inner (reduction) length at which a tile runs at half its best rate: short reductions "
            "spend their time loading operands, not multiplying",
            &GpuParams::gemm_inner_half),
      param("hbm_capacity", Dimension::bytes, 1e6, 1e13, "device memory",
            &GpuParams::hbm_capacity_bytes),
      param("hbm_bandwidth", Dimension::bandwidth, 1e9, 1e14, "peak device-memory bandwidth",
            &GpuParams::hbm_bandwidth_bytes_per_s),
      param("hbm_efficiency", Dimension::dimensionless, 0.01, 1,
            "fraction of peak device-memory bandwidth a streaming kernel sustains",
            &GpuParams::hbm_efficiency),
      param("stream_elementwise", Dimension::dimensionless, 0.01, 1,
            "bytes read plus written per second by elementwise kernels (activations, additions, "
            "optimizer updates, losses), as a fraction of hbm_bandwidth, from L2 or HBM",
            &GpuParams::stream, &StreamEfficiency::elementwise),
      param("stream_softmax", Dimension::dimensionless, 0.01, 1,
            "the same for softmax kernels, forward and backward", &GpuParams::stream,
            &StreamEfficiency::softmax),
      param("stream_batch_norm", Dimension::dimensionless, 0.01, 1,
            "the same for batch-norm kernels (statistics over the batch), forward and backward",
            &GpuParams::stream, &StreamEfficiency::batch_norm),
      param("stream_layer_norm", Dimension::dimensionless, 0.01, 1,
            "the same for layer-norm kernels (statistics per row), forward and backward",
            &GpuParams::stream, &StreamEfficiency::layer_norm),
      param("stream_pool", Dimension::dimensionless, 0.01, 1,
            "the same for pooling kernels, forward and backward", &GpuParams::stream,
            &StreamEfficiency::pool),
      param("stream_gelu", Dimension::dimensionless, 0.01, 1,
            "the same for GELU, forward and backward (its tanh)", &GpuParams::stream,
            &StreamEfficiency::gelu),
      param("stream_dropout", Dimension::dimensionless, 0.01, 1,
            "the same for dropout's forward kernel (its random draws and mask; its backward is a "
            "plain product, at stream_elementwise)",
            &GpuParams::stream, &StreamEfficiency::dropout),
      param("stream_foreach", Dimension::dimensionless, 0.01, 1,
            "the same for optimizer updates, as torch.optim's foreach kernels stream them",
            &GpuParams::stream, &StreamEfficiency::foreach),
      param("hbm_latency", Dimension::time, 0, 1e-5, "device-memory access latency",
            &GpuParams::hbm_latency_s),
      param("hbm_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
            "energy per byte read from or written to device memory",
            &GpuParams::hbm_energy_per_byte_j),
      param("l2_capacity", Dimension::bytes, 0, 1e10, "L2 cache shared by the SMs",
            &GpuParams::l2_capacity_bytes),
      param("l2_bandwidth", Dimension::bandwidth, 1e9, 1e15, "aggregate L2 bandwidth",
            &GpuParams::l2_bandwidth_bytes_per_s),
      param("l2_latency", Dimension::time, 0, 1e-5, "L2 access latency", &GpuParams::l2_latency_s),
      param("l2_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
            "energy per byte moved between the SMs and L2", &GpuParams::l2_energy_per_byte_j),
      param("kernel_launch", Dimension::time, 0, 1e-3,
            "time per kernel not overlapped with work: launch, ramp-up and tail",
            &GpuParams::kernel_launch_s),
      param("kernel_min_time", Dimension::time, 0, 1e-3,
            "the shortest time a kernel takes however little it computes (back-to-back tiny "
            "kernels replayed from a CUDA graph)",
            &GpuParams::kernel_min_s),
      param("dispatch_op", Dimension::time, 0, 1e-2,
            "--runtime eager: the host's time to dispatch one op (framework, driver, launch)",
            &GpuParams::dispatch_op_s),
      param("dispatch_product", Dimension::time, 0, 1e-2,
            "--runtime eager: the host's time to dispatch one matrix product (a cuBLAS or cuDNN "
            "call)",
            &GpuParams::dispatch_product_s),
      param("host_bandwidth", Dimension::bandwidth, 1e8, 1e13,
            "host-to-device link bandwidth (the input batch crosses it every step)",
            &GpuParams::host_bandwidth_bytes_per_s),
      param("host_energy_per_byte", Dimension::energy_per_byte, 0, 1e-8,
            "energy per byte across the host link", &GpuParams::host_energy_per_byte_j),
      param("nvlink_bandwidth", Dimension::bandwidth, 1e8, 1e13,
            "GPU-to-GPU bandwidth within a node, per GPU and direction (NVLink)",
            &GpuParams::nvlink_bandwidth_bytes_per_s),
      param("nvlink_energy_per_byte", Dimension::energy_per_byte, 0, 1e-8,
            "energy per byte sent between GPUs of a node", &GpuParams::nvlink_energy_per_byte_j),
      param("network_bandwidth", Dimension::bandwidth, 1e8, 1e13,
            "bandwidth between nodes, per GPU and direction (InfiniBand)",
            &GpuParams::network_bandwidth_bytes_per_s),
      param("network_energy_per_byte", Dimension::energy_per_byte, 0, 1e-7,
            "energy per byte sent between nodes: adapters, switches, links",
            &GpuParams::network_energy_per_byte_j),
      param("collective_latency", Dimension::time, 0, 1e-3,
            "latency of one step of a ring collective (send, receive, reduce)",
            &GpuParams::collective_latency_s),
      param("tdp", Dimension::power, 1, 5000,
            "board power limit: the GPU slows down rather than exceed it", &GpuParams::tdp_w),
      param("idle_power", Dimension::power, 0, 1000,
            "board power while allocated and idle (constant and static power)",
            &GpuParams::idle_power_w),
      param("sm_active_power", Dimension::power, 0, 5000,
            "board power, above idle, of all SMs occupied by a kernel whatever they compute "
            "(clocks, schedulers, register files); arithmetic and bytes add their energies",
            &GpuParams::sm_active_power_w),
      param("power_softmax", Dimension::power, 0, 5000,
            "the same while the SMs run softmax kernels (and the loss over the logits), forward "
            "and backward; sm_active_power for the kinds without a figure of their own",
            &GpuParams::kind_power, &KindPower::softmax),
      param("power_batch_norm", Dimension::power, 0, 5000,
            "the same for batch-norm kernels, forward and backward", &GpuParams::kind_power,
            &KindPower::batch_norm),
      param("power_layer_norm", Dimension::power, 0, 5000,
            "the same for layer-norm kernels, forward and backward", &GpuParams::kind_power,
            &KindPower::layer_norm),
      param("power_pool", Dimension::power, 0, 5000,
            "the same for pooling kernels, forward and backward", &GpuParams::kind_power,
            &KindPower::pool),
      param(
          "host_power", Dimension::power, 0, 5000,
          "the server's power per GPU (host CPUs, DRAM, NICs, switches, fans) while the job holds "
          "it: counted in the whole job's energy, not the step's",
          &GpuParams::host_power_w),
  });
  return table;
}

GpuParams GpuParams::from(const Preset& p) {
  const GpuParams g = gpu_param_table().read(p);
  for (const auto& [name, active] :
       {std::pair<const char*, double>{"sm_active_power", g.sm_active_power_w},
        {"power_softmax", g.kind_power.softmax},
        {"power_batch_norm", g.kind_power.batch_norm},
        {"power_layer_norm", g.kind_power.layer_norm},
        {"power_pool", g.kind_power.pool}})
    if (g.idle_power_w + active >= g.tdp_w)
      throw InputError("preset " + p.name() + ": idle_power + " + name + " must be below tdp");
  for (const char* precision : {"fp32", "tf32", "fp16", "bf16", "int8", "fp8"})
    if (g.peak_for(precision) > 0 && !(g.energy_per_op_j(precision) > 0))
      throw InputError("preset " + p.name() + ": op_energy_" + precision +
                       " must be positive, as the part computes in " + precision);
  return g;
}

double GpuParams::peak_for(const std::string& precision) const {
  if (precision == "fp32") return peak.fp32;
  if (precision == "tf32") return peak.tf32;
  if (precision == "fp16") return peak.fp16;
  if (precision == "bf16") return peak.bf16;
  if (precision == "int8") return peak.int8;
  if (precision == "fp8") return peak.fp8;
  return 0;
}

double GpuParams::energy_per_op_j(const std::string& precision) const {
  if (peak_for(precision) <= 0) return 0.0;
  if (precision == "fp32") return op_energy.fp32;
  if (precision == "tf32") return op_energy.tf32;
  if (precision == "fp16") return op_energy.fp16;
  if (precision == "bf16") return op_energy.bf16;
  if (precision == "int8") return op_energy.int8;
  return op_energy.fp8;
}

namespace {

// The memory-bound kernel an op runs as.
enum class KernelKind {
  none,
  elementwise,
  softmax,
  batch_norm,
  layer_norm,
  pool,
  gelu,
  dropout,
  foreach
};

KernelKind kernel_kind(workloads::OpKind kind, const std::string& function) {
  using workloads::OpKind;
  switch (kind) {
    case OpKind::softmax:
    case OpKind::softmax_grad:
    case OpKind::loss:  // softmax and cross-entropy over the logits
      return KernelKind::softmax;
    case OpKind::norm:
    case OpKind::norm_grad_input:
    case OpKind::norm_grad_weight:
      if (function == "batch_eval") return KernelKind::elementwise;  // a scale and a shift
      return function == "layer" ? KernelKind::layer_norm : KernelKind::batch_norm;
    case OpKind::pool:
    case OpKind::pool_grad:
      return KernelKind::pool;
    case OpKind::activation:
      if (function == "gelu") return KernelKind::gelu;
      if (function == "dropout") return KernelKind::dropout;  // its draws and its mask
      return KernelKind::elementwise;
    case OpKind::activation_grad:
      // GELU's derivative computes its tanh again; dropout's is a plain product by the mask.
      return function == "gelu" ? KernelKind::gelu : KernelKind::elementwise;
    case OpKind::elementwise:
    case OpKind::concat:
    case OpKind::embedding:
    case OpKind::goodness:
    case OpKind::loss_grad:
    case OpKind::elementwise_grad:
    case OpKind::embedding_grad:
    case OpKind::grad_accumulate:
      return KernelKind::elementwise;
    case OpKind::optimizer_update:
      return KernelKind::foreach;
    default:
      return KernelKind::none;
  }
}

}  // namespace

double GpuParams::stream_efficiency(workloads::OpKind kind, const std::string& function) const {
  switch (kernel_kind(kind, function)) {
    case KernelKind::elementwise:
      return stream.elementwise;
    case KernelKind::softmax:
      return stream.softmax;
    case KernelKind::batch_norm:
      return stream.batch_norm;
    case KernelKind::layer_norm:
      return stream.layer_norm;
    case KernelKind::pool:
      return stream.pool;
    case KernelKind::gelu:
      return stream.gelu;
    case KernelKind::dropout:
      return stream.dropout;
    case KernelKind::foreach:
      return stream.foreach;
    case KernelKind::none:
      break;
  }
  return 0.0;
}

double GpuParams::active_power_w(workloads::OpKind kind, const std::string& function) const {
  switch (kernel_kind(kind, function)) {
    case KernelKind::softmax:
      return kind_power.softmax;
    case KernelKind::batch_norm:
      return kind_power.batch_norm;
    case KernelKind::layer_norm:
      return kind_power.layer_norm;
    case KernelKind::pool:
      return kind_power.pool;
    case KernelKind::elementwise:
    case KernelKind::gelu:
    case KernelKind::dropout:
    case KernelKind::foreach:
    case KernelKind::none:
      break;
  }
  return sm_active_power_w;
}

std::string supported_precisions(const GpuParams& params) {
  std::string list;
  for (const char* p : {"fp32", "tf32", "fp16", "bf16", "int8", "fp8"})
    if (params.peak_for(p) > 0) list += (list.empty() ? "" : ", ") + std::string(p);
  return list;
}

}  // namespace frugal::hw::gpu
