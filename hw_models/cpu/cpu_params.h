#pragma once
// Parameters of the CPU device, declared once: presets are checked against these declarations,
// `frugal presets show` prints them, and the model reads them into CpuParams.

#include <string>
#include <vector>

#include "hw_models/param_table.h"

namespace frugal::hw::cpu {

struct CpuParams {
  double core_count;
  double clock_hz;
  double simd_lanes_fp32;
  double simd_lanes_bf16;  // bf16 MACs per vector instruction (0: the part has no bf16 path)
  double simd_lanes_int8;  // int8 MACs per vector instruction (0: no int8 dot-product path)
  double vector_units;
  double gemm_efficiency;
  double gemm_threading_macs;  // a product uses one more thread per this many MACs
  double parallel_grain;       // elements per thread of a parallel elementwise op
  double op_overhead_s;
  double layout_element_s;  // --runtime graph: per element a native trainer rearranges
  double thread_sync_s;
  double dispatch_op_s;          // --runtime eager: the framework's host time per op
  double eager_gemm_efficiency;  // --runtime eager: the framework's BLAS
  double fp32_mac_energy_j;
  double bf16_mac_energy_j;
  double int8_mac_energy_j;
  double fp32_add_energy_j;
  double instruction_energy_j;
  double l1_capacity_bytes;
  double l2_capacity_bytes;
  double l2_bandwidth_bytes_per_s;
  double l2_energy_per_byte_j;
  double llc_capacity_bytes;
  double llc_bandwidth_bytes_per_s;
  double llc_core_bandwidth_bytes_per_s;
  double llc_latency_s;
  double llc_energy_per_byte_j;
  double dram_bandwidth_bytes_per_s;
  double dram_efficiency;
  double dram_core_bandwidth_bytes_per_s;
  double dram_latency_s;
  double dram_energy_per_byte_j;
  double dram_capacity_bytes;
  double idle_power_w;
  double dram_background_power_w;
  double host_power_w;

  static CpuParams from(const Preset& preset);
  // MACs one vector instruction does in `precision` (0: the part has no path for it).
  double lanes_for(const std::string& precision) const;
  // The arithmetic energy of one MAC in `precision` (fp32 for formats without their own).
  double mac_energy_for(const std::string& precision) const;
  double static_power_w() const { return idle_power_w + dram_background_power_w; }
  double dram_sustained_bandwidth() const { return dram_bandwidth_bytes_per_s * dram_efficiency; }
};

// The kind's parameters: preset keys, units, ranges, descriptions and the members they fill.
const ParamTable<CpuParams>& cpu_param_table();

// The formats the part computes in, in words ("fp32, bf16 or int8").
std::string supported_precisions(const CpuParams& params);

}  // namespace frugal::hw::cpu
