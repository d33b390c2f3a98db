// The kernel phases of a GPU measurement file (hw_models/gpu/kernel_phases.h), read from the
// committed H200 measurements.

#include <catch2/catch.hpp>
#include <map>

#include "hw_models/device.h"
#include "hw_models/gpu/kernel_phases.h"
#include "results/core/error.h"
#include "tests/source_file.h"

using namespace frugal;
using namespace frugal::hw;

namespace {

results::JsonValue h200() {
  return results::parse_json(
      testing::source_file("hw_models/calibration/h200-kernels-2026-12-04.json"), "h200");
}

}  // namespace

TEST_CASE("Every measured kernel phase is built as frugal's work or said to be skipped, and why",
          "[quick][hw][gpu][calibration]") {
  std::vector<gpu::SkippedPhase> skipped;
  const std::vector<gpu::KernelPhase> phases = gpu::kernel_phases(h200(), "h200", &skipped);
  CHECK(phases.size() + skipped.size() == 38);  // every phase of the file
  CHECK(phases.size() == 36);
  std::map<std::string, const gpu::KernelPhase*> by_name;
  for (const gpu::KernelPhase& p : phases) by_name[p.name] = &p;
  for (const gpu::SkippedPhase& s : skipped) {
    INFO(s.name);
    CHECK(!s.why.empty());
    CHECK(by_name.count(s.name) == 0);
  }
  // A square product is one kernel of n^3 MACs whose operands are on the device already.
  const gpu::KernelPhase& gemm = *by_name.at("gemm_bf16_8192_graph");
  REQUIRE(gemm.step);
  CHECK(gemm.graph);
  CHECK(gemm.step->graph.ops().size() == 1);
  CHECK(gemm.step->graph.macs() == int64_t{8192} * 8192 * 8192);
  CHECK(gemm.step->precision == "bf16");
  CHECK(gemm.step->inputs_on_device);
  CHECK(gemm.measured_s == 0.001630664203252034);
  // The host copy phase crosses the host link; the eager products are not graph replays.
  CHECK_FALSE(by_name.at("h2d_pinned_1gib")->step->inputs_on_device);
  CHECK_FALSE(by_name.at("eager_gemm_fp32_8192")->graph);
  CHECK(by_name.at("eager_gemm_fp32_8192")->step->runtime == "eager");  // the host dispatches
  CHECK(gemm.step->runtime == "graph");
  CHECK(by_name.at("eager_gemm_fp32_8192")->step->precision == "fp32");
  // The output layer of GPT-2: 8192 tokens x 768 by 768 x 50257.
  CHECK(by_name.at("gemm_bf16_gpt2_lmhead_50257_graph")->step->graph.macs() ==
        int64_t{8192} * 768 * 50257);
  CHECK_FALSE(by_name.at("idle")->step);
}

TEST_CASE("A preset's costs of the phases: idle is the idle power, and the copy crosses the link",
          "[quick][hw][gpu][calibration]") {
  const std::vector<gpu::KernelPhase> phases = gpu::kernel_phases(h200(), "h200");
  const auto device = make_device(find_preset("gpu:h100-sxm"));
  std::map<std::string, gpu::PhaseCost> cost;
  for (const gpu::KernelPhase& p : phases) cost[p.name] = gpu::cost_phase(*device, p);
  CHECK(cost.at("idle").energy_j == Approx(80.0 * 0.050162679899999854));  // 80 W x the time
  // 1 GiB at the preset's 50 GB/s host link, then a copy of it on the device.
  CHECK(cost.at("h2d_pinned_1gib").time_s > 1073741824.0 / 50e9);
  // Larger products take longer, in proportion once the SMs are full (at the power limit, a
  // little less: their bytes grow 4x, not 8x).
  CHECK(cost.at("gemm_bf16_16384_graph").time_s ==
        Approx(8 * cost.at("gemm_bf16_8192_graph").time_s).epsilon(0.03));
  for (const auto& [name, c] : cost) {
    INFO(name);
    CHECK(c.time_s > 0);
    CHECK(c.energy_j > 0);
  }
}

TEST_CASE("A file that is not a measurement file is refused, naming it",
          "[quick][hw][gpu][calibration]") {
  CHECK_THROWS_WITH(gpu::kernel_phases(results::parse_json("{}", "m.json"), "m.json"),
                    Catch::Contains("m.json: no member \"phases\""));
  CHECK_THROWS_WITH(
      gpu::kernel_phases(
          results::parse_json("{\"phases\": {\"idle\": {\"s_per_iter\": 1}}}", "m.json"), "m.json"),
      Catch::Contains("m.json: phase idle: no member \"j_per_iter\""));
  CHECK_THROWS_WITH(
      gpu::kernel_phases(results::parse_json("{\"phases\": {\"idle\": {\"s_per_iter\": -1, "
                                             "\"j_per_iter\": 1}}}",
                                             "m.json"),
                         "m.json"),
      Catch::Contains("must be positive"));
  // The probe's smoke test (small sizes), and a file without board energy.
  CHECK_THROWS_WITH(
      gpu::kernel_phases(results::parse_json("{\"quick\": true, \"phases\": {}}", "q.json"),
                         "q.json"),
      Catch::Contains("q.json: a --quick probe's file"));
  CHECK_THROWS_WITH(
      gpu::kernel_phases(results::parse_json("{\"energy\": \"none\", \"phases\": {}}", "e.json"),
                         "e.json"),
      Catch::Contains("e.json: measured without board energy"));
}
