// Carbon: operational (facility energy x grid intensity) and embodied (amortized manufacture).

#include <catch2/catch.hpp>
#include <cmath>

#include "hw_models/device.h"
#include "results/core/error.h"
#include "sim/metrics/figures.h"
#include "sim/scenario/regions.h"
#include "sim/scenario/run_scenario.h"

using namespace frugal;
using namespace frugal::sim;

namespace {

// A small job on 16 A100s: 3 epochs of 1,000 samples.
Scenario job() {
  Scenario s;
  s.hw = "gpu:a100-80gb";
  s.precision = "bf16";
  s.devices = 16;
  s.batch = 256;
  s.samples_per_epoch = 1000;
  s.epochs = 3;
  return s;
}

}  // namespace

TEST_CASE("Operational carbon scales linearly with grid intensity and PUE",
          "[quick][sim][carbon]") {
  Scenario s = job();
  s.grid_g_per_kwh = 100;
  const ScenarioOutcome a = run_scenario(s);
  s.grid_g_per_kwh = 200;
  const ScenarioOutcome b = run_scenario(s);
  s.pue = 1.5;
  const ScenarioOutcome c = run_scenario(s);
  REQUIRE(co2e_operational_kg(a) > 0);
  CHECK(co2e_operational_kg(b) == Approx(2 * co2e_operational_kg(a)));
  CHECK(co2e_operational_kg(c) == Approx(1.5 * co2e_operational_kg(b)));
  // By hand: (GPUs + servers) x PUE, in kWh, x 200 g.
  CHECK(co2e_operational_kg(c) ==
        Approx((job_energy_j(c) + job_host_energy_j(c)) * 1.5 / 3.6e6 * 200 / 1e3));
  CHECK(co2e_embodied_kg(c) == Approx(co2e_embodied_kg(a)));  // the grid does not build GPUs
  CHECK(co2e_kg(c) == Approx(co2e_operational_kg(c) + co2e_embodied_kg(c)));
  s.grid_g_per_kwh = -1;
  s.region = "france";
  CHECK(grid_g_per_kwh(run_scenario(s)) == 56.0);
}

TEST_CASE("Embodied carbon scales with the share of the devices' lifetime the job uses",
          "[quick][sim][carbon]") {
  Scenario s = job();
  const ScenarioOutcome base = run_scenario(s);
  s.epochs = 6;
  const ScenarioOutcome longer = run_scenario(s);
  CHECK(job_time_s(longer) == Approx(2 * job_time_s(base)));
  CHECK(co2e_embodied_kg(longer) == Approx(2 * co2e_embodied_kg(base)));
  s.epochs = 3;
  s.hw_params = {{"lifetime_years", "12"}};
  CHECK(co2e_embodied_kg(run_scenario(s)) == Approx(co2e_embodied_kg(base) / 2));
  // Luccioni et al. 2022: BLOOM's 384 A100s (48 servers) held 118 days, 150 kg per GPU and
  // 2,500 kg per server over 6 years at 85% use: 11.2 t embodied.
  const double per_device_s = hw::embodied_kg_per_device_second(hw::find_preset("gpu:a100-80gb"));
  CHECK(per_device_s * 384 * 118 * 86400 == Approx(11200).epsilon(0.02));
}

TEST_CASE("Carbon bad input: unknown region, negative intensity, PUE below 1",
          "[quick][sim][carbon]") {
  Scenario s = job();
  s.region = "atlantis";
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("unknown region 'atlantis' (expected one of: "
                                                     "australia, brazil"));
  s.region = "world";
  s.grid_g_per_kwh = -5;
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("--grid-gco2-per-kwh must be within"));
  s.grid_g_per_kwh = -1;
  s.pue = 0.8;
  CHECK_THROWS_AS(run_scenario(s), InputError);
}

TEST_CASE("Trials multiply the training job; inference requests scale their own cost",
          "[quick][sim][carbon]") {
  Scenario s = job();
  s.rule = "bp";
  const ScenarioOutcome one = run_scenario(s);
  s.trials = 5;
  s.inference_requests = 1e6;
  const ScenarioOutcome five = run_scenario(s);
  CHECK(trials_energy_j(five) == Approx(5 * job_facility_energy_j(one)));
  CHECK(trials_co2e_kg(five) == Approx(5 * co2e_kg(one)));
  // The inference step of the same model on the same 16 GPUs, per sample, times the requests,
  // with the servers (412.5 W per A100) over the time they take.
  Scenario inference = job();
  inference.rule = "inference";
  const ScenarioOutcome step = run_scenario(inference);
  const double per_request_s = step.cost.latency_s / 256;
  CHECK(inference_energy_j(five) ==
        Approx(1e6 * (step.cost.ledger.total() / 256 + 412.5 * 16 * per_request_s)));
  s.inference_requests = 2e6;
  CHECK(inference_energy_j(run_scenario(s)) == Approx(2 * inference_energy_j(five)));
  CHECK(inference_energy_j(one) == 0);
  s.trials = 0;
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("--trials must be an integer from 1"));
}

TEST_CASE("The two inefficiencies are numbers: Landauer and brain factors, rule against bp",
          "[quick][sim][carbon]") {
  Scenario s;
  s.model = "mlp:784-256-128-10";
  s.rule = "bp";
  const ScenarioOutcome bp = run_scenario(s);
  const double per_mac = bp.cost.ledger.total() / static_cast<double>(bp.step.graph.macs());
  CHECK(energy_per_mac_j(bp) == Approx(per_mac));
  CHECK(landauer_factor(bp) ==
        Approx(per_mac / (1.380649e-23 * 300 * std::log(2.0))).epsilon(1e-3));
  CHECK(brain_factor(bp) == Approx(per_mac / 1e-14));
  CHECK(rule_to_bp(bp) == 1.0);
  CHECK(training_to_inference(bp) > 2.0);  // a bp step is about three forward passes
  s.rule = "pepita";
  const ScenarioOutcome pepita = run_scenario(s);
  CHECK(rule_to_bp(pepita) == Approx(pepita.cost.ledger.total() / bp.cost.ledger.total()));
  s.rule = "inference";
  const ScenarioOutcome inference = run_scenario(s);
  CHECK(training_to_inference(inference) == 1.0);
  CHECK(std::isnan(rule_to_bp(inference)));
  CHECK(training_to_inference(bp) ==
        Approx(bp.cost.ledger.total() / inference.cost.ledger.total()));
}

TEST_CASE("Pruning saves energy only on hardware that skips zeros, and costs accuracy",
          "[quick][sim][carbon]") {
  const auto energy = [](const std::string& hw, double sparsity) {
    Scenario s;
    s.hw = hw;
    s.rule = "inference";
    s.sparsity = sparsity;
    if (hw.rfind("neuro", 0) == 0) s.spike_rate = 0.1;
    return run_scenario(s).cost;
  };
  for (const std::string hw : {"cpu", "gpu:a100-80gb", "analog:pcm"}) {
    INFO(hw);
    CHECK(energy(hw, 0.5).ledger.component(hw::Component::compute) ==
          energy(hw, 0.0).ledger.component(hw::Component::compute));
  }
  const hw::Cost dense = energy("neuro:loihi", 0.0), pruned = energy("neuro:loihi", 0.5);
  CHECK(pruned.ledger.component(hw::Component::compute) ==
        Approx(0.5 * dense.ledger.component(hw::Component::compute)));
  CHECK(pruned.ledger.total() < dense.ledger.total());
  // Accuracy: 90% of the weights pruned gives up more than 50% does.
  Scenario s;
  s.model = "mlp:784-256-128-10";
  s.train = true;
  s.train_subset = 3000;
  s.test_subset = 1000;
  s.learning_rate = 0.05;
  s.sparsity = 0.5;
  const algorithms::TrainResult half = *run_scenario(s).training;
  s.sparsity = 0.9;
  const algorithms::TrainResult most = *run_scenario(s).training;
  CHECK(half.trained_test_accuracy() == most.trained_test_accuracy());  // the same training
  CHECK(most.pruned_accuracy < half.pruned_accuracy);
  CHECK(half.pruned_accuracy <= half.trained_test_accuracy() + 0.01);
  CHECK(most.final_test_accuracy() == most.pruned_accuracy);
  s.sparsity = 1.0;
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("--sparsity must be within [0, 1)"));
}

TEST_CASE("Early stopping never costs more energy than the whole schedule",
          "[quick][sim][carbon]") {
  Scenario s;
  s.model = "mlp:784-64-10";
  s.train = true;
  s.epochs = 12;
  s.learning_rate = 0.1;
  s.train_subset = 3000;
  s.test_subset = 1000;
  s.early_stop = 2;
  const ScenarioOutcome stopped = run_scenario(s);
  s.early_stop = 0;
  const ScenarioOutcome whole = run_scenario(s);
  const auto& t = *stopped.training;
  CHECK(t.epochs.size() <= 12);
  CHECK(job_energy_j(stopped) <= job_energy_j(whole));
  // The whole schedule on the same split (2,700 of the 3,000 images; 300 held out): 43 steps an
  // epoch, 12 epochs.
  CHECK(t.train_samples == 2700);
  CHECK(early_stop_energy_saved_j(stopped) >= 0);
  CHECK(job_energy_j(stopped) + early_stop_energy_saved_j(stopped) ==
        Approx(43.0 * 12 * stopped.cost.ledger.total()));
  // Stopping at a plateau: the last `patience` epochs did not beat the best validation accuracy.
  if (t.epochs.size() < 12) {
    double best = 0;
    for (size_t e = 0; e + 2 < t.epochs.size(); ++e)
      best = std::max(best, t.epochs[e].validation_accuracy);
    CHECK(t.epochs[t.epochs.size() - 1].validation_accuracy <= best);
    CHECK(t.epochs[t.epochs.size() - 2].validation_accuracy <= best);
  }
  CHECK(early_stop_accuracy_given_up(stopped) ==
        Approx(stopped.full_schedule_accuracy - t.final_test_accuracy()));
  s.early_stop = -1;
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("--early-stop must be >= 0"));
}

TEST_CASE("Energy to a target accuracy: the first epoch that reaches it", "[quick][sim][carbon]") {
  Scenario s;
  s.model = "mlp:784-64-10";
  s.train = true;
  s.epochs = 4;
  s.learning_rate = 0.1;
  s.train_subset = 3000;
  s.test_subset = 1000;
  const ScenarioOutcome none = run_scenario(s);
  CHECK(epochs_to_target(none) == 0);
  CHECK(std::isnan(energy_to_target_j(none)));
  // A target the second epoch reaches (between its accuracy and the first's, when it improved).
  const auto& epochs = none.training->epochs;
  REQUIRE(epochs[1].test_accuracy > epochs[0].test_accuracy);
  s.target_accuracy = (epochs[0].test_accuracy + epochs[1].test_accuracy) / 2;
  const ScenarioOutcome reached = run_scenario(s);
  CHECK(epochs_to_target(reached) == 2);
  // 3,000 images in 47 steps an epoch: two epochs of steps.
  CHECK(energy_to_target_j(reached) == Approx(2 * 47 * reached.cost.ledger.total()));
  CHECK(time_to_target_s(reached) == Approx(2 * 47 * reached.cost.latency_s));
  CHECK(energy_to_target_j(reached) < job_energy_j(reached));
  s.target_accuracy = 0.99;
  const ScenarioOutcome missed = run_scenario(s);
  CHECK(epochs_to_target(missed) == 0);
  CHECK(std::isnan(time_to_target_s(missed)));
  s.train = false;
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("--target-accuracy needs --train"));
}

TEST_CASE("A rule whose bp does not fit the device still runs, without a step/bp ratio",
          "[quick][sim][carbon]") {
  // On a 4-core Loihi with 1 kB of history memory a core, dfa fits (fc1 on two cores, fc2 and
  // fc3 on one each) but bp through time does not: fc1 alone stores 8 × (256 × 4 + 784 / 8) B.
  Scenario s;
  s.hw = "neuro:loihi";
  s.model = "mlp:784-256-128-10";
  s.spike_rate = 0.1;
  s.timesteps = 8;
  s.hw_params = {{"cores", "4"}, {"history_memory", "1 kB"}};
  s.rule = "bp";
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("bp through time stores every timestep"));
  s.rule = "dfa";
  const ScenarioOutcome dfa = run_scenario(s);
  CHECK(dfa.cost.ledger.total() > 0);
  CHECK(std::isnan(rule_to_bp(dfa)));
  REQUIRE(dfa.device_summary.figures.size() == 2);  // the spikes, and this
  CHECK(dfa.device_summary.figures[1].first == "step / bp");
  CHECK_THAT(dfa.device_summary.figures[1].second,
             Catch::Contains("none: bp does not run here (the network needs"));
}
