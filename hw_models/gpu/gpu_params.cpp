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
            &GpuParams::peak, &Peaks::fp32),
      param("peak_tf32", Dimension::op_rate, 0, 1e17, "dense tf32 tensor-core throughput (0: none)",
            &GpuParams::peak, &Peaks::tf32),
      param("peak_fp16", Dimension::op_rate, 0, 1e17, "dense fp16 tensor-core throughput (0: none)",
            &GpuParams::peak, &Peaks::fp16),
      param("peak_bf16", Dimension::op_rate, 0, 1e17, "dense bf16 tensor-core throughput (0: none)",
            &GpuParams::peak, &Peaks::bf16),
      param("peak_int8", Dimension::op_rate, 0, 1e17, "dense int8 tensor-core throughput (0: none)",
            &GpuParams::peak, &Peaks::int8),
      param("peak_fp8", Dimension::op_rate, 0, 1e17, "dense fp8 tensor-core throughput (0: none)",
            &GpuParams::peak, &Peaks::fp8),
      param("gemm_efficiency", Dimension::dimensionless, 0.01, 1,
            "fraction of the peak a large matrix product sustains", &GpuParams::gemm_efficiency),
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
      param(
          "sm_active_power", Dimension::power, 0, 5000,
          "board power, above idle, of all SMs occupied by a kernel whatever they compute (clocks, "
          "schedulers, register files); arithmetic adds (tdp - idle_power - sm_active_power) / "
          "peak "
          "per operation",
          &GpuParams::sm_active_power_w),
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
  if (g.idle_power_w + g.sm_active_power_w >= g.tdp_w)
    throw InputError("preset " + p.name() + ": idle_power + sm_active_power must be below tdp");
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
  const double p = peak_for(precision);
  return p > 0 ? (tdp_w - idle_power_w - sm_active_power_w) / p : 0.0;
}

std::string supported_precisions(const GpuParams& params) {
  std::string list;
  for (const char* p : {"fp32", "tf32", "fp16", "bf16", "int8", "fp8"})
    if (params.peak_for(p) > 0) list += (list.empty() ? "" : ", ") + std::string(p);
  return list;
}

}  // namespace frugal::hw::gpu
