#include "hw_models/gpu/gpu_params.h"

#include "results/error.h"

namespace frugal::hw::gpu {

using units::Dimension;

const std::vector<ParamSpec>& gpu_param_specs() {
  static const std::vector<ParamSpec> specs = {
      {"sm_count", Dimension::dimensionless, 1, 1024, "streaming multiprocessors", true},
      {"peak_fp32", Dimension::op_rate, 1e9, 1e17, "dense fp32 throughput (CUDA cores)"},
      {"peak_tf32", Dimension::op_rate, 0, 1e17, "dense tf32 tensor-core throughput (0: none)"},
      {"peak_fp16", Dimension::op_rate, 0, 1e17, "dense fp16 tensor-core throughput (0: none)"},
      {"peak_bf16", Dimension::op_rate, 0, 1e17, "dense bf16 tensor-core throughput (0: none)"},
      {"peak_int8", Dimension::op_rate, 0, 1e17, "dense int8 tensor-core throughput (0: none)"},
      {"peak_fp8", Dimension::op_rate, 0, 1e17, "dense fp8 tensor-core throughput (0: none)"},
      {"gemm_efficiency", Dimension::dimensionless, 0.01, 1,
       "fraction of the peak a large matrix product sustains"},
      {"gemm_tile", Dimension::dimensionless, 8, 1024,
       "edge of the square output tile one SM computes at a time in a matrix product", true},
      {"gemm_inner_half", Dimension::dimensionless, 0, 1e6,
       "inner (reduction) length at which a tile runs at half its best rate: short reductions "
       "spend their time loading operands, not multiplying"},
      {"hbm_capacity", Dimension::bytes, 1e6, 1e13, "device memory"},
      {"hbm_bandwidth", Dimension::bandwidth, 1e9, 1e14, "peak device-memory bandwidth"},
      {"hbm_efficiency", Dimension::dimensionless, 0.01, 1,
       "fraction of peak device-memory bandwidth a streaming kernel sustains"},
      {"hbm_latency", Dimension::time, 0, 1e-5, "device-memory access latency"},
      {"hbm_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
       "energy per byte read from or written to device memory"},
      {"l2_capacity", Dimension::bytes, 0, 1e10, "L2 cache shared by the SMs"},
      {"l2_bandwidth", Dimension::bandwidth, 1e9, 1e15, "aggregate L2 bandwidth"},
      {"l2_latency", Dimension::time, 0, 1e-5, "L2 access latency"},
      {"l2_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
       "energy per byte moved between the SMs and L2"},
      {"kernel_launch", Dimension::time, 0, 1e-3,
       "time per kernel not overlapped with work: launch, ramp-up and tail"},
      {"host_bandwidth", Dimension::bandwidth, 1e8, 1e13,
       "host-to-device link bandwidth (the input batch crosses it every step)"},
      {"host_energy_per_byte", Dimension::energy_per_byte, 0, 1e-8,
       "energy per byte across the host link"},
      {"nvlink_bandwidth", Dimension::bandwidth, 1e8, 1e13,
       "GPU-to-GPU bandwidth within a node, per GPU and direction (NVLink)"},
      {"nvlink_energy_per_byte", Dimension::energy_per_byte, 0, 1e-8,
       "energy per byte sent between GPUs of a node"},
      {"network_bandwidth", Dimension::bandwidth, 1e8, 1e13,
       "bandwidth between nodes, per GPU and direction (InfiniBand)"},
      {"network_energy_per_byte", Dimension::energy_per_byte, 0, 1e-7,
       "energy per byte sent between nodes: adapters, switches, links"},
      {"collective_latency", Dimension::time, 0, 1e-3,
       "latency of one step of a ring collective (send, receive, reduce)"},
      {"tdp", Dimension::power, 1, 5000,
       "board power limit: the GPU slows down rather than exceed it"},
      {"idle_power", Dimension::power, 0, 1000,
       "board power while allocated and idle (constant and static power)"},
      {"sm_active_power", Dimension::power, 0, 5000,
       "board power, above idle, of all SMs occupied by a kernel whatever they compute (clocks, "
       "schedulers, register files); arithmetic adds (tdp - idle_power - sm_active_power) / peak "
       "per operation"},
      {"host_power", Dimension::power, 0, 5000,
       "the server's power per GPU (host CPUs, DRAM, NICs, switches, fans) while the job holds "
       "it: counted in the whole job's energy, not the step's"},
  };
  return specs;
}

GpuParams GpuParams::from(const Preset& p) {
  GpuParams g{};
  g.sm_count = p.get("sm_count");
  g.peak = {p.get("peak_fp32"), p.get("peak_tf32"), p.get("peak_fp16"),
            p.get("peak_bf16"), p.get("peak_int8"), p.get("peak_fp8")};
  g.gemm_efficiency = p.get("gemm_efficiency");
  g.gemm_tile = p.get("gemm_tile");
  g.gemm_inner_half = p.get("gemm_inner_half");
  g.hbm_capacity_bytes = p.get("hbm_capacity");
  g.hbm_bandwidth_bytes_per_s = p.get("hbm_bandwidth");
  g.hbm_efficiency = p.get("hbm_efficiency");
  g.hbm_latency_s = p.get("hbm_latency");
  g.hbm_energy_per_byte_j = p.get("hbm_energy_per_byte");
  g.l2_capacity_bytes = p.get("l2_capacity");
  g.l2_bandwidth_bytes_per_s = p.get("l2_bandwidth");
  g.l2_latency_s = p.get("l2_latency");
  g.l2_energy_per_byte_j = p.get("l2_energy_per_byte");
  g.kernel_launch_s = p.get("kernel_launch");
  g.host_bandwidth_bytes_per_s = p.get("host_bandwidth");
  g.host_energy_per_byte_j = p.get("host_energy_per_byte");
  g.nvlink_bandwidth_bytes_per_s = p.get("nvlink_bandwidth");
  g.nvlink_energy_per_byte_j = p.get("nvlink_energy_per_byte");
  g.network_bandwidth_bytes_per_s = p.get("network_bandwidth");
  g.network_energy_per_byte_j = p.get("network_energy_per_byte");
  g.collective_latency_s = p.get("collective_latency");
  g.tdp_w = p.get("tdp");
  g.idle_power_w = p.get("idle_power");
  g.sm_active_power_w = p.get("sm_active_power");
  g.host_power_w = p.get("host_power");
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
