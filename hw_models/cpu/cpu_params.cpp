#include "hw_models/cpu/cpu_params.h"

namespace frugal::hw::cpu {

using units::Dimension;

const std::vector<ParamSpec>& cpu_param_specs() {
  static const std::vector<ParamSpec> specs = {
      {"core_count", Dimension::dimensionless, 1, 4096, "cores that run the step", true},
      {"clock", Dimension::frequency, 1e8, 1e10, "all-core clock while running vector code"},
      {"simd_lanes_fp32", Dimension::dimensionless, 1, 64, "fp32 values per vector instruction",
       true},
      {"vector_units", Dimension::dimensionless, 1, 8,
       "vector FMA instructions a core issues per cycle", true},
      {"gemm_efficiency", Dimension::dimensionless, 0.01, 1,
       "fraction of the peak FMA rate a tuned matrix product sustains"},
      {"op_overhead", Dimension::time, 0, 1e-3,
       "fixed time per op: dispatching it to the cores and joining them"},
      {"fp32_mac_energy", Dimension::energy, 0, 1e-9,
       "arithmetic energy of one fp32 multiply-accumulate (one lane)"},
      {"fp32_add_energy", Dimension::energy, 0, 1e-9,
       "arithmetic energy of one other fp32 operation (add, compare, ...; one lane)"},
      {"instruction_energy", Dimension::energy, 0, 1e-6,
       "energy of issuing one vector instruction, apart from its arithmetic: fetch, decode, "
       "scheduling, register files, L1 operand traffic, clocking"},
      {"l1_capacity", Dimension::bytes, 1024, 1e9, "L1 data cache per core"},
      {"l2_capacity", Dimension::bytes, 1024, 1e10, "L2 cache per core"},
      {"l2_bandwidth", Dimension::bandwidth, 1e9, 1e13, "L1<->L2 bandwidth of one core"},
      {"l2_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
       "energy per byte moved between L1 and L2"},
      {"llc_capacity", Dimension::bytes, 0, 1e11, "shared last-level cache"},
      {"llc_bandwidth", Dimension::bandwidth, 1e9, 1e15, "aggregate last-level cache bandwidth"},
      {"llc_latency", Dimension::time, 0, 1e-5, "last-level cache access latency"},
      {"llc_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
       "energy per byte moved between L2 and the last-level cache"},
      {"dram_bandwidth", Dimension::bandwidth, 1e8, 1e14, "peak DRAM bandwidth"},
      {"dram_efficiency", Dimension::dimensionless, 0.01, 1,
       "fraction of peak DRAM bandwidth sustained by streaming code"},
      {"dram_latency", Dimension::time, 0, 1e-5, "DRAM access latency"},
      {"dram_energy_per_byte", Dimension::energy_per_byte, 0, 1e-8,
       "energy per byte read from or written to DRAM, I/O included"},
      {"idle_power", Dimension::power, 0, 1e4, "package power when idle (static)"},
      {"dram_background_power", Dimension::power, 0, 1e4,
       "DRAM standby power (refresh, background), drawn all the time"},
  };
  return specs;
}

CpuParams CpuParams::from(const Preset& p) {
  // By name, so that the order of fields and declarations can never swap two values.
  CpuParams c{};
  c.core_count = p.get("core_count");
  c.clock_hz = p.get("clock");
  c.simd_lanes_fp32 = p.get("simd_lanes_fp32");
  c.vector_units = p.get("vector_units");
  c.gemm_efficiency = p.get("gemm_efficiency");
  c.op_overhead_s = p.get("op_overhead");
  c.fp32_mac_energy_j = p.get("fp32_mac_energy");
  c.fp32_add_energy_j = p.get("fp32_add_energy");
  c.instruction_energy_j = p.get("instruction_energy");
  c.l1_capacity_bytes = p.get("l1_capacity");
  c.l2_capacity_bytes = p.get("l2_capacity");
  c.l2_bandwidth_bytes_per_s = p.get("l2_bandwidth");
  c.l2_energy_per_byte_j = p.get("l2_energy_per_byte");
  c.llc_capacity_bytes = p.get("llc_capacity");
  c.llc_bandwidth_bytes_per_s = p.get("llc_bandwidth");
  c.llc_latency_s = p.get("llc_latency");
  c.llc_energy_per_byte_j = p.get("llc_energy_per_byte");
  c.dram_bandwidth_bytes_per_s = p.get("dram_bandwidth");
  c.dram_efficiency = p.get("dram_efficiency");
  c.dram_latency_s = p.get("dram_latency");
  c.dram_energy_per_byte_j = p.get("dram_energy_per_byte");
  c.idle_power_w = p.get("idle_power");
  c.dram_background_power_w = p.get("dram_background_power");
  return c;
}

}  // namespace frugal::hw::cpu
