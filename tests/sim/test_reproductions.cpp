// Reproductions of published whole-job figures, end to end through run_scenario.

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "results/core/error.h"
#include "sim/metrics/figures.h"
#include "sim/reproductions/reproductions.h"
#include "sim/scenario/run_scenario.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::sim;

namespace {

// GPT-3 (175B) on V100s as Patterson et al. 2021 report it: 300B tokens, fp16, 14.8 days,
// 24.6 TFLOP/s per GPU (19.7% of the 125 TFLOP/s peak), PUE 1.1, 1,287 MWh. The GPU count is
// 10,240 (8 tensor x 16 pipeline x 80 data) rather than 10,000, which 3-D parallelism over
// 128-GPU replicas cannot divide; docs/gpu-model.md gives the same command line, and
// frugal validate runs the same scenario.
Scenario gpt3_on_v100s() { return gpt3_as_patterson(); }

}  // namespace

TEST_CASE("GPT-3 training on V100s is within 25% of Patterson et al. 2021's energy and days",
          "[quick][sim][reproduction]") {
  const ScenarioOutcome o = run_scenario(gpt3_on_v100s());
  const double days = job_time_s(o) / 86400.0;
  const double mwh = job_facility_energy_j(o) / 3.6e9;
  INFO("frugal: " << days << " days, " << mwh << " MWh");
  CHECK(days == Approx(14.8).epsilon(0.25));
  CHECK(mwh == Approx(1287).epsilon(0.25));
  // The calibration holds: the job's model FLOPs ran at 19.7% of 10,240 peaks.
  const double model_flops =
      2.0 * static_cast<double>(o.step.graph.macs()) * 10240.0 * static_cast<double>(job_steps(o));
  CHECK(model_flops / (10240.0 * 125e12 * job_time_s(o)) == Approx(0.197).epsilon(1e-6));
  // The facility figure is the devices' energy plus their servers', times the PUE.
  CHECK(job_host_energy_j(o) == Approx(137.5 * 10240 * job_time_s(o)).epsilon(1e-12));
  CHECK(job_facility_energy_j(o) ==
        Approx((job_energy_j(o) + job_host_energy_j(o)) * 1.1).epsilon(1e-12));
  // Board power stays between idle and TDP.
  const double board_w = o.cost.ledger.total() / o.cost.latency_s / 10240.0;
  CHECK(board_w > 53.0);
  CHECK(board_w < 300.0);
}

TEST_CASE(
    "Calibrating to a utilization stretches the step down to what the model predicts, on GPUs only",
    "[quick][sim]") {
  Scenario s = gpt3_on_v100s();
  s.utilization = 0;
  const ScenarioOutcome modelled = run_scenario(s);
  s.utilization = 0.197;
  const ScenarioOutcome calibrated = run_scenario(s);
  // The same work, more time, and more energy (the SMs stay occupied and the board's static
  // power runs longer), but less power.
  CHECK(calibrated.cost.latency_s > modelled.cost.latency_s);
  CHECK(calibrated.cost.ledger.total() > modelled.cost.ledger.total());
  CHECK(calibrated.cost.ledger.total() / calibrated.cost.latency_s <
        modelled.cost.ledger.total() / modelled.cost.latency_s);
  s.utilization = 0.9;
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("--utilization 0.9 is above the 0.2") &&
                                         Catch::Contains("this step reaches on gpu:v100"));
  Scenario cpu;
  cpu.utilization = 0.5;
  CHECK_THROWS_AS(run_scenario(cpu), InputError);
  CHECK_THROWS_WITH(run_scenario(cpu), Catch::Contains("--utilization calibrates GPU runs"));
  cpu.utilization = 0;
  cpu.pue = 0.9;
  CHECK_THROWS_WITH(run_scenario(cpu), Catch::Contains("--pue must be in [1, 5]"));
}

TEST_CASE("BLOOM training on A100s is within 25% of Luccioni et al. 2022's footprint",
          "[quick][sim][reproduction]") {
  const ScenarioOutcome o = run_scenario(bloom_as_luccioni());
  const double days = job_time_s(o) / 86400.0;
  const double gpu_mwh = job_energy_j(o) / 3.6e9;
  INFO("frugal: " << days << " days, " << gpu_mwh << " MWh, " << co2e_kg(o) / 1e3 << " t");
  // It fits only with its micro-batches in flight and recomputation: 80 GB per A100.
  CHECK(static_cast<double>(o.step.memory.total_bytes()) < 80e9);
  CHECK(days == Approx(118).epsilon(0.25));
  // Their 433 MWh is GPU-hours x the 400 W TDP: frugal's board power is below it.
  CHECK(gpu_mwh == Approx(433.196).epsilon(0.25));
  CHECK(gpu_mwh < 433.196 * days / 118);
  CHECK(co2e_kg(o) / 1e3 == Approx(50.5).epsilon(0.25));
  // Operational carbon is (GPUs + servers) x 57 g/kWh at PUE 1; embodied is the rest.
  CHECK(co2e_operational_kg(o) ==
        Approx((job_energy_j(o) + job_host_energy_j(o)) / 3.6e6 * 57 / 1e3).epsilon(1e-12));
  Scenario plain = bloom_as_luccioni();
  plain.activation_checkpointing = false;
  plain.micro_batches = 8;  // 8 of 8 micro-batches in flight: every activation held
  CHECK_THROWS_WITH(run_scenario(plain), Catch::Contains("of device memory"));
}

TEST_CASE("The model's own utilization is what the calibration stretches from",
          "[quick][sim][reproduction]") {
  // A step calibrated to u runs its model FLOPs at u; the modelled step, at the utilization the
  // model gives it: so u x calibrated time = modelled utilization x modelled time.
  Scenario s = gpt3_on_v100s();
  const double modelled = modelled_utilization(s);
  const double calibrated_s = run_scenario(s).cost.latency_s;
  s.utilization = 0;
  const double modelled_s = run_scenario(s).cost.latency_s;
  CHECK(modelled * modelled_s == Approx(0.197 * calibrated_s).epsilon(1e-6));
  CHECK(modelled > 0.197);  // the model is faster than the published run
  CHECK(modelled < 1.0);
}

TEST_CASE("frugal validate separates consistency from prediction, and says what was fitted",
          "[quick][sim][reproduction]") {
  const std::vector<Reproduction> all = run_reproductions();
  int consistency = 0, prediction = 0, transfers = 0;
  for (const Reproduction& r : all) {
    INFO(r.name);
    CHECK(!r.basis.empty());
    CHECK(!r.source.empty());
    if (r.kind == Reproduction::Kind::consistency) ++consistency;
    if (r.kind == Reproduction::Kind::prediction) ++prediction;
    if (r.name.find("calibration") != std::string::npos) {
      ++transfers;
      CHECK(r.kind == Reproduction::Kind::prediction);
    }
  }
  CHECK(consistency >= 10);
  CHECK(prediction >= 9);
  CHECK(transfers == 4);  // GPT-3 -> BLOOM and BLOOM -> GPT-3, time and energy
  // An analog chip nothing was fitted to: IBM's analog-AI chip, from the HERMES fit.
  int analog_predictions = 0;
  for (const Reproduction& r : all)
    if (r.kind == Reproduction::Kind::prediction && r.name.find("Ambrogio") != std::string::npos) {
      ++analog_predictions;
      CHECK(r.unit == "TOPS/W");
      CHECK(r.ok());
    }
  CHECK(analog_predictions == 1);
  // A calibrated duration leans on its fit: without it the model is far off (over 20%), so the
  // check in the consistency group says little about the model; carried over from the other
  // run, the calibration predicts it.
  for (const Reproduction& r : all) {
    if (r.name != "GPT-3 training duration" && r.name != "BLOOM training duration") continue;
    INFO(r.name);
    CHECK(r.kind == Reproduction::Kind::consistency);
    CHECK(std::abs(r.uncalibrated / r.published - 1) > 0.2);
    CHECK(std::abs(r.error()) < 0.05);
  }
}

TEST_CASE("Llama 2's GPU-hours: predicted from the model's FLOPs and the cluster, nothing fitted",
          "[sim][reproduction]") {
  // The stand-ins have Llama 2's parameters (Touvron et al. 2023: 6.74 B and 69 B, within 1%).
  const auto parameters = [](bool seventy) {
    workloads::BuildOptions options;
    options.batch = 1;
    return static_cast<double>(
        workloads::build_model(llama2_as_meta(seventy).model, options).params());
  };
  CHECK(parameters(false) == Approx(6.74e9).epsilon(0.01));
  CHECK(parameters(true) == Approx(6.90e10).epsilon(0.01));
  const auto gpu_hours = [](bool seventy) {
    const Scenario s = llama2_as_meta(seventy);
    return job_time_s(run_scenario(s)) * static_cast<double>(s.devices) / 3600;
  };
  const double small = gpu_hours(false), large = gpu_hours(true);
  for (const Reproduction& r : run_reproductions())
    if (r.name.rfind("Llama 2 ", 0) == 0) {
      INFO(r.name);
      CHECK(r.kind == Reproduction::Kind::prediction);
      CHECK(r.frugal == Approx(r.name.find("70B") != std::string::npos ? large : small));
    }
  // The published ratio of the two runs, 1,720,320 / 184,320 = 9.33, against the model's (11.5):
  // its FLOPs (10.2x) and its parallelism, within validate's tolerance.
  CHECK(large / small == Approx(1720320.0 / 184320.0).epsilon(0.25));
}
