// `frugal calibrate cpu`: the probe measures this machine, whatever it is, and the fit turns the
// measurements into a preset that loads, whose measured figures are positive and finite, and that
// reproduces the phases it was fitted to. Values are not checked: they are the machine's.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "hw_models/cpu/cpu_fit.h"
#include "hw_models/preset.h"
#include "results/files/json.h"
#include "sim/app/cpu_probe.h"

using namespace frugal;

namespace {

// A made-up machine: 4 cores, AVX-512 without bf16 or VNNI, cpuinfo at 2 GHz; each phase's
// figures chosen so that every fitted value is a round number.
const char* const kHandMeasured = R"({
  "device": "Test CPU", "date": "2026-12-05",
  "machine": {"cores": 4, "l1d_bytes": 49152, "l2_bytes": 1048576, "llc_bytes": 33554432,
              "cpuinfo_mhz": 2000, "flags": "fpu avx2 avx512f", "rapl": "package and dram"},
  "phases": {
    "fma_peak": {"iters": 1, "s_per_iter": 1, "macs": 128e9},
    "gemm_fp32_1024": {"iters": 1, "s_per_iter": 0.04, "macs": 1073741824},
    "gemm_fp32_1024_all": {"iters": 1, "s_per_iter": 0.04, "macs": 1073741824,
                           "package_j_per_iter": 8},
    "stream_l2": {"iters": 1, "s_per_iter": 1e-6, "bytes": 100000},
    "stream_llc": {"iters": 1, "s_per_iter": 1e-6, "bytes": 50000},
    "stream_dram": {"iters": 1, "s_per_iter": 1e-6, "bytes": 10000},
    "stream_llc_all": {"iters": 1, "s_per_iter": 1e-6, "bytes": 40000},
    "stream_dram_all": {"iters": 1, "s_per_iter": 0.01, "bytes": 50000000,
                        "dram_j_per_iter": 0.5},
    "latency_llc": {"iters": 1, "s_per_iter": 40e-9},
    "latency_dram": {"iters": 1, "s_per_iter": 100e-9},
    "trainer_step_tiny": {"iters": 1, "s_per_iter": 2e-6},
    "idle": {"iters": 1, "s_per_iter": 1, "package_j_per_iter": 50, "dram_j_per_iter": 10}
  }})";

const results::JsonValue& measured() {
  static const results::JsonValue file =
      results::parse_json(sim::measure_cpu(
                              0.02, [](const std::string&) {}, 256.0 * (1 << 20)),
                          "probe");
  return file;
}

}  // namespace

TEST_CASE("calibrate cpu: the fitted preset of this machine loads, its measured figures positive",
          "[quick][sim][calibrate]") {
  const hw::cpu::CpuFit fit =
      hw::cpu::fit_cpu(measured(), "probe", hw::find_preset("cpu"), "cpu:test-machine");
  const hw::Preset preset = hw::Preset::parse(fit.preset_text, "fitted.ini");
  CHECK(preset.name() == "cpu:test-machine");
  // 17 from the machine, its products, streams and trainer; 19 with PyTorch installed.
  REQUIRE(fit.fitted.size() >= 17);
  for (const hw::cpu::CpuFitValue& v : fit.fitted) {
    INFO(v.param << " = " << v.text);
    const double value = preset.get(v.param);
    CHECK(std::isfinite(value));
    // A part without bf16 or VNNI has 0 lanes; a value stopped at the end of its range may be 0
    // (a fixed time the measured phase leaves no room for, as under a sanitizer).
    if (v.param == "simd_lanes_bf16" || v.param == "simd_lanes_int8" || v.at_bound)
      CHECK(value >= 0);
    else
      CHECK(value > 0);
  }
  // What was not measured says so, as an assumption for this machine.
  for (const hw::PresetParam& p : preset.params()) {
    bool fitted = false;
    for (const hw::cpu::CpuFitValue& v : fit.fitted) fitted = fitted || v.param == p.spec.name;
    INFO(p.spec.name << ": " << p.source);
    CHECK(p.assumed() == !fitted);
  }
  // Consistency: the phases a parameter was solved for come back (time within 1%), unless the
  // value had to stop at the end of its range (under a sanitizer the FMA probe is slow, so
  // PyTorch's product outruns its "peak"); the fit says so.
  std::vector<std::string> out_of_reach;
  for (const hw::cpu::CpuFitValue& v : fit.fitted)
    if (v.at_bound) out_of_reach.push_back(v.phase);
  for (const hw::cpu::CpuPhaseCheck& c : hw::cpu::check_cpu(measured(), "probe", preset))
    if (c.fitted &&
        std::find(out_of_reach.begin(), out_of_reach.end(), c.phase) == out_of_reach.end()) {
      INFO(c.phase);
      CHECK(c.modelled_s == Approx(c.measured_s).epsilon(0.01));
    }
}

TEST_CASE("calibrate cpu refuses a file that is not a CPU measurement, and a base of another kind",
          "[quick][sim][calibrate]") {
  const results::JsonValue gpu_file =
      results::parse_json(R"({"device": "a GPU", "phases": {}})", "gpu.json");
  CHECK_THROWS_WITH(hw::cpu::fit_cpu(gpu_file, "gpu.json", hw::find_preset("cpu"), "x"),
                    Catch::Contains("gpu.json: not a CPU measurement file"));
  const results::JsonValue cpu_file = results::parse_json(kHandMeasured, "cpu.json");
  CHECK_THROWS_WITH(hw::cpu::fit_cpu(cpu_file, "cpu.json", hw::find_preset("gpu:h200"), "x"),
                    Catch::Contains("gpu:h200 is a gpu preset; a cpu preset is fitted"));
}

TEST_CASE(
    "calibrate cpu: fitted figures match a hand calculation from a measurement file, RAPL "
    "energies included",
    "[quick][sim][calibrate]") {
  const results::JsonValue json = results::parse_json(kHandMeasured, "test.json");
  const hw::cpu::CpuFit fit = hw::cpu::fit_cpu(json, "test.json", hw::find_preset("cpu"), "cpu:t");
  const hw::Preset p = hw::Preset::parse(fit.preset_text, "t.ini");
  CHECK(p.get("core_count") == 4);
  CHECK(p.get("simd_lanes_fp32") == 16);
  CHECK(p.get("simd_lanes_bf16") == 0);
  CHECK(p.get("simd_lanes_int8") == 0);
  // 128e9 MACs/s / 16 lanes = 8e9 FMAs/s: 4 per cycle at cpuinfo's 2 GHz, so 4 units at 2 GHz.
  CHECK(p.get("vector_units") == 4);
  CHECK(p.get("clock") == Approx(2e9));
  // gemm_efficiency is solved so that the model's 1024^3 product takes the measured 40 ms. At
  // these bandwidths the product is compute-bound, so it is the ratio of rates: 2^30 MACs in
  // 40 ms = 26.8e9 MACs/s of 128e9, 0.2097.
  CHECK(p.get("gemm_efficiency") == Approx(1073741824 / 0.04 / 128e9).epsilon(1e-3));
  // The check of the 1024^3 product of a measurement file against a preset.
  const auto product = [](const results::JsonValue& measured, const hw::Preset& preset) {
    for (const hw::cpu::CpuPhaseCheck& c : hw::cpu::check_cpu(measured, "test.json", preset))
      if (c.phase == "gemm_fp32_1024") return c;
    FAIL("no gemm_fp32_1024 check");
    return hw::cpu::CpuPhaseCheck{};
  };
  CHECK(product(json, p).modelled_s == Approx(0.04).epsilon(1e-3));
  CHECK(p.get("l2_bandwidth") == Approx(100e9));
  CHECK(p.get("llc_core_bandwidth") == Approx(50e9));
  CHECK(p.get("dram_core_bandwidth") == Approx(10e9));
  CHECK(p.get("llc_bandwidth") == Approx(4 * 40e9));
  CHECK(p.get("dram_bandwidth") == Approx(4 * 5e9));
  CHECK(p.get("llc_latency") == Approx(40e-9));
  CHECK(p.get("dram_latency") == Approx(100e-9));
  // RAPL: idle 50 W; the all-core product draws 200 W, 150 W above idle, over 4 x 2^30 / 16 /
  // 0.04 s = 6.71e9 FMAs/s: 22.35 pJ each, less 16 lanes of fp32_mac_energy.
  CHECK(p.get("idle_power") == Approx(50));
  const double per_fma = 150.0 / (4 * 1073741824.0 / 16 / 0.04);
  CHECK(p.get("instruction_energy") ==
        Approx(per_fma - 16 * p.get("fp32_mac_energy")).epsilon(1e-3));
  // DRAM: 10 W at idle; the streams' 0.5 J over 10 ms, less 0.1 J of idle, over 4 x 50 MB.
  CHECK(p.get("dram_background_power") == Approx(10));
  CHECK(p.get("dram_energy_per_byte") == Approx(0.4 / 200e6).epsilon(1e-3));
  // Where another limit binds, the ratio of rates would not reproduce the phase: with the stream
  // within the last-level cache on one core 100 times slower, the model's product is
  // memory-bound beyond the measured 40 ms at any efficiency. The fit keeps the nearer end of
  // the range and reports the value out of reach (it wrote 0.2097, silently, before).
  std::string slow_llc = kHandMeasured;
  const std::string stream = R"("stream_llc": {"iters": 1, "s_per_iter": 1e-6)";
  REQUIRE(slow_llc.find(stream) != std::string::npos);
  slow_llc.replace(slow_llc.find(stream), stream.size(),
                   R"("stream_llc": {"iters": 1, "s_per_iter": 1e-4)");
  const results::JsonValue slow_json = results::parse_json(slow_llc, "slow.json");
  const hw::cpu::CpuFit slow_fit =
      hw::cpu::fit_cpu(slow_json, "slow.json", hw::find_preset("cpu"), "cpu:slow");
  const hw::Preset slow = hw::Preset::parse(slow_fit.preset_text, "slow.ini");
  bool out_of_reach = false;
  for (const hw::cpu::CpuFitValue& v : slow_fit.fitted)
    if (v.param == "gemm_efficiency") out_of_reach = v.at_bound;
  CHECK(out_of_reach);
  CHECK(slow.get("gemm_efficiency") == 1);
  CHECK(product(slow_json, slow).modelled_s > 0.04);
  // Without PyTorch's phases, its figures stay the base's, marked assumed.
  for (const char* kept : {"dispatch_op", "eager_gemm_efficiency", "thread_sync"}) {
    INFO(kept);
    CHECK(std::find(fit.kept.begin(), fit.kept.end(), kept) != fit.kept.end());
    CHECK(p.get(kept) == hw::find_preset("cpu").get(kept));
  }
}
