// The committed gpu:h200 preset against the H200 kernel measurements it was fitted to: the fit
// (hw_models/gpu/kernel_fit.h) reproduces the preset, and every phase is within the calibration
// tolerances or is a known miss whose cause is named.

#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "hw_models/device.h"
#include "hw_models/gpu/kernel_fit.h"
#include "hw_models/gpu/kernel_phases.h"
#include "results/core/error.h"
#include "tests/source_file.h"

using namespace frugal;
using namespace frugal::hw;

namespace {

using testing::source_file;

const std::vector<gpu::KernelPhase>& h200_phases() {
  static const std::vector<gpu::KernelPhase> phases = gpu::kernel_phases(
      results::parse_json(source_file("hw_models/calibration/h200-kernels-2026-12-04.json"),
                          "h200"),
      "h200");
  return phases;
}

Preset h200_base() {
  return Preset::parse(source_file("hw_models/calibration/gpu-h200-base.ini"), "base");
}

// Phases gpu:h200 misses, and why: the model lacks what makes them slow or costly. A phase that
// comes within the tolerances must leave this list (the test says so), so that
// docs/gpu-calibration.md's account stays true.
const std::map<std::string, std::string>& known_misses() {
  static const std::map<std::string, std::string> misses = {
      {"copy_bf16_1gib_graph", "a CUDA graph's copy node runs at 2.7 TB/s, eager copies at 4.3"},
      {"gemm_bf16_resnet_3x3_im2col_graph", "a 64-wide product is slower than its tiles say"},
      {"gemm_bf16_gpt2_lmhead_50257_graph",
       "an unaligned product's extra instructions draw power the model does not charge"},
      {"eager_gemm_bf16_1024",
       "between eager calls the board stays above its idle power (126.8 W with an eager process)"},
      {"eager_gemm_bf16_512", "as the 1024 one, and its call is slower than both its neighbours'"},
  };
  return misses;
}

}  // namespace

TEST_CASE("The fit reproduces the committed gpu:h200 from the H200 measurements",
          "[quick][hw][gpu][calibration]") {
  const gpu::GpuFit fit = gpu::fit_gpu(h200_phases(), h200_base(), "measured on an H200");
  const Preset committed = find_preset("gpu:h200");
  REQUIRE(fit.fitted.size() == gpu::gpu_fit_targets().size() + 3);  // and fp16, int8, fp8
  for (const gpu::FittedParam& f : fit.fitted) {
    INFO(f.param);
    CHECK_FALSE(f.at_bound);
    bool found = false;
    for (const PresetParam& p : committed.params())
      if (p.spec.name == f.param) {
        found = true;
        CHECK(p.text == f.text);  // to the digit: rerun the fit if the model changed
        CHECK(p.source.find(f.phase.empty() ? "derived: op_energy_bf16"
                                            : "fitted so that frugal reproduces the phase " +
                                                  f.phase) != std::string::npos);
      }
    CHECK(found);
    // Solved exactly, then rounded to four digits.
    if (!f.phase.empty()) CHECK(f.modelled == Approx(f.measured).epsilon(0.005));
  }
  // The base's other parameters are the preset's: datasheet figures, not fitted.
  const Preset base = h200_base();
  for (const PresetParam& p : base.params()) {
    bool fitted = false;
    for (const gpu::FittedParam& f : fit.fitted) fitted = fitted || f.param == p.spec.name;
    if (!fitted) CHECK(committed.get(p.spec.name) == p.value);
  }
}

TEST_CASE(
    "gpu:h200 reproduces its kernel phases within 15% in time and 20% in energy, but for "
    "the known misses",
    "[quick][hw][gpu][calibration]") {
  const auto device = make_device(find_preset("gpu:h200"));
  int within = 0;
  for (const gpu::KernelPhase& p : h200_phases()) {
    INFO(p.name);
    const gpu::PhaseCost c = gpu::cost_phase(*device, p);
    const double time = c.time_s / p.measured_s, energy = c.energy_j / p.measured_j;
    INFO("time ratio " << time << ", energy ratio " << energy);
    const bool ok = std::abs(time - 1) <= 0.15 && std::abs(energy - 1) <= 0.20;
    const auto miss = known_misses().find(p.name);
    if (miss == known_misses().end())
      CHECK(ok);
    else
      CHECK_FALSE(ok);  // within now: take it off known_misses() and the docs
    within += ok;
  }
  CHECK(within == 31);
  CHECK(h200_phases().size() == 36);
}

TEST_CASE("Large products on gpu:h200 run at the power limit, at the measured rate",
          "[quick][hw][gpu][calibration]") {
  const auto device = make_device(find_preset("gpu:h200"));
  for (const gpu::KernelPhase& p : h200_phases()) {
    if (p.name != "gemm_bf16_16384_graph" && p.name != "gemm_bf16_4096_graph") continue;
    INFO(p.name);
    const gpu::PhaseCost c = gpu::cost_phase(*device, p);
    // Not fitted to these sizes: the 8192 product set the energy per operation.
    CHECK(c.energy_j / c.time_s == Approx(700).epsilon(0.01));
    CHECK(c.time_s == Approx(p.measured_s).epsilon(0.05));
  }
}

TEST_CASE("The fit refuses measurements without the phases it needs, and a base of another kind",
          "[quick][hw][gpu][calibration]") {
  std::vector<gpu::KernelPhase> some;
  for (const gpu::KernelPhase& p : h200_phases())
    if (p.name != "eager_tiny_add") some.push_back(p);
  CHECK_THROWS_WITH(gpu::fit_gpu(some, h200_base(), "x"),
                    Catch::Contains("the measurements lack the phase eager_tiny_add, to which "
                                    "dispatch_op is fitted"));
  CHECK_THROWS_WITH(gpu::fit_gpu(h200_phases(), find_preset("cpu"), "x"),
                    Catch::Contains("is a cpu preset; a gpu preset is fitted"));
}

TEST_CASE("gpu:h100-sxm takes its die's parameters from gpu:h200's fit, its memory from its own",
          "[quick][hw][gpu][calibration]") {
  // The same GH100 die: rate, energies per operation, SM power, kernel times, the H200's kernel
  // kinds; the H100's own memory, links, idle power and server.
  const Preset h100 = find_preset("gpu:h100-sxm"), h200 = find_preset("gpu:h200");
  for (const char* key : {"sm_count",
                          "gemm_efficiency",
                          "op_energy_fp32",
                          "op_energy_tf32",
                          "op_energy_bf16",
                          "op_energy_fp16",
                          "op_energy_int8",
                          "op_energy_fp8",
                          "sm_active_power",
                          "kernel_launch",
                          "kernel_min_time",
                          "hbm_energy_per_byte",
                          "gemm_unaligned_efficiency",
                          "attention_efficiency",
                          "stream_elementwise",
                          "stream_softmax",
                          "stream_batch_norm",
                          "stream_layer_norm",
                          "stream_pool",
                          "stream_gelu",
                          "stream_dropout",
                          "stream_foreach",
                          "power_softmax",
                          "power_batch_norm",
                          "power_layer_norm",
                          "power_pool",
                          "dispatch_op",
                          "dispatch_product",
                          "tdp"}) {
    INFO(key);
    CHECK(h100.get(key) == h200.get(key));
  }
  CHECK(h100.get("hbm_bandwidth") == Approx(3.35e12));
  CHECK(h100.get("idle_power") == Approx(80));
}
