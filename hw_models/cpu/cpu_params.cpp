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
  return CpuParams{
      p.get("core_count"),
      p.get("clock"),
      p.get("simd_lanes_fp32"),
      p.get("vector_units"),
      p.get("gemm_efficiency"),
      p.get("op_overhead"),
      p.get("fp32_mac_energy"),
      p.get("fp32_add_energy"),
      p.get("instruction_energy"),
      p.get("l1_capacity"),
      p.get("l2_capacity"),
      p.get("l2_bandwidth"),
      p.get("l2_energy_per_byte"),
      p.get("llc_capacity"),
      p.get("llc_bandwidth"),
      p.get("llc_latency"),
      p.get("llc_energy_per_byte"),
      p.get("dram_bandwidth"),
      p.get("dram_efficiency"),
      p.get("dram_latency"),
      p.get("dram_energy_per_byte"),
      p.get("idle_power"),
      p.get("dram_background_power"),
  };
}

}  // namespace frugal::hw::cpu
