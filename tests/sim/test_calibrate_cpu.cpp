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

const results::JsonValue& measured() {
  static const results::JsonValue file =
      results::parse_json(sim::measure_cpu(0.02, [](const std::string&) {}), "probe");
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
    if (v.param == "simd_lanes_bf16" || v.param == "simd_lanes_int8")
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
  CHECK_THROWS_WITH(hw::cpu::fit_cpu(measured(), "probe", hw::find_preset("gpu:h200"), "x"),
                    Catch::Contains("gpu:h200 is a gpu preset; a cpu preset is fitted"));
}
