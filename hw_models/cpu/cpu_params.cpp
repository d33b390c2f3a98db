#include "hw_models/cpu/cpu_params.h"

namespace frugal::hw::cpu {

using units::Dimension;

const ParamTable<CpuParams>& cpu_param_table() {
  static const ParamTable<CpuParams> table({
      param("core_count", Dimension::dimensionless, 1, 4096, "cores that run the step",
            &CpuParams::core_count)
          .whole(),
      param("clock", Dimension::frequency, 1e8, 1e10, "all-core clock while running vector code",
            &CpuParams::clock_hz),
      param("simd_lanes_fp32", Dimension::dimensionless, 1, 64,
            "fp32 values per vector instruction", &CpuParams::simd_lanes_fp32)
          .whole(),
      param("simd_lanes_bf16", Dimension::dimensionless, 0, 4096,
            "bf16 multiply-accumulates per vector instruction (AVX512_BF16's VDPBF16PS: 32); 0: "
            "the part has no bf16 path and --precision bf16 is an error",
            &CpuParams::simd_lanes_bf16)
          .whole(),
      param("simd_lanes_int8", Dimension::dimensionless, 0, 4096,
            "int8 multiply-accumulates per vector instruction (AVX-512 VNNI's VPDPBUSD: 64); 0: "
            "the part has no int8 dot-product path and --precision int8 is an error",
            &CpuParams::simd_lanes_int8)
          .whole(),
      param("vector_units", Dimension::dimensionless, 1, 8,
            "vector FMA instructions a core issues per cycle", &CpuParams::vector_units)
          .whole(),
      param("gemm_efficiency", Dimension::dimensionless, 0.01, 1,
            "fraction of the peak FMA rate a tuned matrix product sustains",
            &CpuParams::gemm_efficiency),
      param("gemm_threading_macs", Dimension::dimensionless, 1, 1e12,
            "multiply-accumulates per thread below which a matrix product uses fewer threads (a "
            "small product runs on one core)",
            &CpuParams::gemm_threading_macs),
      param("parallel_grain", Dimension::dimensionless, 1, 1e12,
            "elements per thread below which an elementwise op uses fewer threads",
            &CpuParams::parallel_grain),
      param("op_overhead", Dimension::time, 0, 1e-3,
            "fixed time per op of a native trainer running the ops back to back (--runtime "
            "graph): the library call, its checks and temporaries",
            &CpuParams::op_overhead_s),
      param("layout_element_time", Dimension::time, 0, 1e-6,
            "--runtime graph: time per element a native trainer rearranges around its products "
            "and windows: a convolution's unrolled input (im2col) and its fold back (col2im), "
            "its output's layout copy, a pooling window's elements",
            &CpuParams::layout_element_s),
      param("thread_sync", Dimension::time, 0, 1e-3,
            "time to start an op's threads and join them, per op that runs on more than one core",
            &CpuParams::thread_sync_s),
      param("dispatch_op", Dimension::time, 0, 1e-2,
            "--runtime eager: the framework's time per op on the host (Python, dispatcher, "
            "autograd), beside the op's own work",
            &CpuParams::dispatch_op_s),
      param("eager_gemm_efficiency", Dimension::dimensionless, 0.01, 1,
            "--runtime eager: fraction of the peak FMA rate the framework's BLAS sustains on a "
            "large product",
            &CpuParams::eager_gemm_efficiency),
      param("fp32_mac_energy", Dimension::energy, 0, 1e-9,
            "arithmetic energy of one fp32 multiply-accumulate (one lane)",
            &CpuParams::fp32_mac_energy_j),
      param("bf16_mac_energy", Dimension::energy, 0, 1e-9,
            "arithmetic energy of one bf16 multiply-accumulate into fp32 (one lane)",
            &CpuParams::bf16_mac_energy_j),
      param("int8_mac_energy", Dimension::energy, 0, 1e-9,
            "arithmetic energy of one int8 multiply-accumulate into int32 (one lane)",
            &CpuParams::int8_mac_energy_j),
      param("fp32_add_energy", Dimension::energy, 0, 1e-9,
            "arithmetic energy of one other fp32 operation (add, compare, ...; one lane)",
            &CpuParams::fp32_add_energy_j),
      param("instruction_energy", Dimension::energy, 0, 1e-6,
            "energy of issuing one vector instruction, apart from its arithmetic: fetch, decode, "
            "scheduling, register files, L1 operand traffic, clocking",
            &CpuParams::instruction_energy_j),
      param("l1_capacity", Dimension::bytes, 1024, 1e9, "L1 data cache per core",
            &CpuParams::l1_capacity_bytes),
      param("l2_capacity", Dimension::bytes, 1024, 1e10, "L2 cache per core",
            &CpuParams::l2_capacity_bytes),
      param("l2_bandwidth", Dimension::bandwidth, 1e9, 1e13, "L1<->L2 bandwidth of one core",
            &CpuParams::l2_bandwidth_bytes_per_s),
      param("l2_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
            "energy per byte moved between L1 and L2", &CpuParams::l2_energy_per_byte_j),
      param("llc_capacity", Dimension::bytes, 0, 1e11, "shared last-level cache",
            &CpuParams::llc_capacity_bytes),
      param("llc_bandwidth", Dimension::bandwidth, 1e9, 1e15,
            "aggregate last-level cache bandwidth", &CpuParams::llc_bandwidth_bytes_per_s),
      param("llc_core_bandwidth", Dimension::bandwidth, 1e8, 1e13,
            "last-level cache bandwidth one core sustains streaming",
            &CpuParams::llc_core_bandwidth_bytes_per_s),
      param("llc_latency", Dimension::time, 0, 1e-5, "last-level cache access latency",
            &CpuParams::llc_latency_s),
      param("llc_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
            "energy per byte moved between L2 and the last-level cache",
            &CpuParams::llc_energy_per_byte_j),
      param("dram_bandwidth", Dimension::bandwidth, 1e8, 1e14, "peak DRAM bandwidth",
            &CpuParams::dram_bandwidth_bytes_per_s),
      param("dram_efficiency", Dimension::dimensionless, 0.01, 1,
            "fraction of peak DRAM bandwidth sustained by streaming code",
            &CpuParams::dram_efficiency),
      param("dram_core_bandwidth", Dimension::bandwidth, 1e8, 1e13,
            "DRAM bandwidth one core sustains streaming",
            &CpuParams::dram_core_bandwidth_bytes_per_s),
      param("dram_latency", Dimension::time, 0, 1e-5, "DRAM access latency",
            &CpuParams::dram_latency_s),
      param("dram_energy_per_byte", Dimension::energy_per_byte, 0, 1e-8,
            "energy per byte read from or written to DRAM, I/O included",
            &CpuParams::dram_energy_per_byte_j),
      param("dram_capacity", Dimension::bytes, 1e6, 1e15,
            "DRAM installed per socket: a step's weights, gradients, optimizer state and "
            "activations must fit in it",
            &CpuParams::dram_capacity_bytes),
      param("idle_power", Dimension::power, 0, 1e4, "package power when idle (static)",
            &CpuParams::idle_power_w),
      param("dram_background_power", Dimension::power, 0, 1e4,
            "DRAM standby power (refresh, background), drawn all the time",
            &CpuParams::dram_background_power_w),
      param("host_power", Dimension::power, 0, 1e4,
            "the server's power besides the package and DRAM charged to this socket while a job "
            "holds it (board, fans, power-supply losses, network), as a GPU preset's host_power",
            &CpuParams::host_power_w),
  });
  return table;
}

CpuParams CpuParams::from(const Preset& p) { return cpu_param_table().read(p); }

double CpuParams::lanes_for(const std::string& precision) const {
  if (precision == "fp32") return simd_lanes_fp32;
  if (precision == "bf16") return simd_lanes_bf16;
  if (precision == "int8") return simd_lanes_int8;
  return 0;
}

double CpuParams::mac_energy_for(const std::string& precision) const {
  if (precision == "bf16") return bf16_mac_energy_j;
  if (precision == "int8") return int8_mac_energy_j;
  return fp32_mac_energy_j;
}

std::string supported_precisions(const CpuParams& params) {
  std::string text = "fp32";
  if (params.simd_lanes_bf16 > 0) text += params.simd_lanes_int8 > 0 ? ", bf16" : " or bf16";
  if (params.simd_lanes_int8 > 0) text += " or int8";
  return text;
}

}  // namespace frugal::hw::cpu
