#pragma once
// Parameters of the CPU device, declared once: presets are checked against these declarations,
// `frugal presets show` prints them, and the model reads them into CpuParams.

#include <vector>

#include "hw_models/param_table.h"

namespace frugal::hw::cpu {

struct CpuParams {
  double core_count;
  double clock_hz;
  double simd_lanes_fp32;
  double vector_units;
  double gemm_efficiency;
  double op_overhead_s;
  double fp32_mac_energy_j;
  double fp32_add_energy_j;
  double instruction_energy_j;
  double l1_capacity_bytes;
  double l2_capacity_bytes;
  double l2_bandwidth_bytes_per_s;
  double l2_energy_per_byte_j;
  double llc_capacity_bytes;
  double llc_bandwidth_bytes_per_s;
  double llc_latency_s;
  double llc_energy_per_byte_j;
  double dram_bandwidth_bytes_per_s;
  double dram_efficiency;
  double dram_latency_s;
  double dram_energy_per_byte_j;
  double idle_power_w;
  double dram_background_power_w;

  static CpuParams from(const Preset& preset);
  double static_power_w() const { return idle_power_w + dram_background_power_w; }
  double dram_sustained_bandwidth() const { return dram_bandwidth_bytes_per_s * dram_efficiency; }
};

// The kind's parameters: preset keys, units, ranges, descriptions and the members they fill.
const ParamTable<CpuParams>& cpu_param_table();

}  // namespace frugal::hw::cpu
