// The spiking neuromorphic device's cost face: energy per synaptic event against the preset's
// figures, activity, mapping limits and bad input.

#include <catch2/catch.hpp>

#include "results/core/error.h"
#include "tests/hw_models/steps.h"

using namespace frugal;
using namespace frugal::hw;
using testing::simulate;
using testing::step_of;

namespace {

algorithms::TrainingStep spiking_step(const std::string& spec, int64_t batch, double rate,
                                      int64_t timesteps) {
  auto step = step_of("inference", spec, batch, "fp32");
  step.timesteps = timesteps;
  step.spike_rates = {rate};
  return step;
}

}  // namespace

TEST_CASE("A synaptic event on Loihi costs 23.6 pJ plus its routing and neuron-update shares",
          "[quick][hw][neuro]") {
  // One layer of 100 neurons fed by 100 inputs, all on one core (fan-in 100): every input
  // spikes every timestep, so each timestep has 100 x 100 synaptic events, 100 active neuron
  // updates, and 100 packets delivered within the core (the encoder sits at core 0: no hop).
  const auto step = spiking_step("mlp:100-100", 1, 1.0, 10);
  const Cost cost = simulate("neuro:loihi", step);
  const double events = 100.0 * 100 * 10;
  const double synop = cost.ledger.component(Component::compute) / events;
  const double route = cost.ledger.component(Component::spike_route) / events;
  const double update = cost.ledger.component(Component::neuron_update) / events;
  CHECK(synop == Approx(23.6e-12));
  CHECK(route == Approx(100 * 10 * 1.7e-12 / events));  // one packet per input spike
  CHECK(update == Approx(100 * 10 * 81e-12 / events));  // every neuron active
  // The dynamic energy per event, documented in docs/neuro-model.md: 23.6 + 0.017 + 0.81 pJ
  // (a packet serves the 100 synapses of its core; a neuron update serves 100 events).
  CHECK(synop + route + update == Approx((23.6 + 0.017 + 0.81) * 1e-12));
  // Time: a timestep is the core's 10,000 events at 3.5 ns and 100 updates at 8.4 ns, then
  // the barrier (465 ns).
  CHECK(cost.latency_s == Approx(10 * (10000 * 3.5e-9 + 100 * 8.4e-9 + 465e-9)));
  CHECK(cost.ledger.component(Component::static_power) ==
        Approx(0.815e-3 * cost.latency_s));  // one core
  double ops_total = 0;
  for (const OpCost& c : cost.ops) ops_total += c.energy_total_j();
  CHECK(ops_total == Approx(cost.ledger.total()).epsilon(1e-12));
}

TEST_CASE("Spiking energy grows with the timesteps and the spike rate", "[quick][hw][neuro]") {
  const double t16 =
      simulate("neuro:loihi", spiking_step("mlp:784-256-10", 8, 0.1, 16)).ledger.total();
  const double t32 =
      simulate("neuro:loihi", spiking_step("mlp:784-256-10", 8, 0.1, 32)).ledger.total();
  const double busy =
      simulate("neuro:loihi", spiking_step("mlp:784-256-10", 8, 0.3, 16)).ledger.total();
  CHECK(t32 > 1.9 * t16);
  CHECK(busy > 2 * t16);
  // TrueNorth's all-in 26 pJ per event, at its 1 kHz tick.
  const auto small = spiking_step("mlp:200-100-10", 1, 0.5, 8);
  const Cost tn = simulate("neuro:truenorth", small);
  const double events = 0.5 * 200 * 100 * 8 + 0.5 * 100 * 10 * 8;
  CHECK(tn.ledger.total() == Approx(events * 26e-12));
  CHECK(tn.latency_s == Approx(8 * 1e-3));
}

TEST_CASE("Neuromorphic bad input: fan-in, cores, rule, precision", "[quick][hw][neuro]") {
  // TrueNorth neurons take 256 inputs: a 784-input layer cannot be split.
  CHECK_THROWS_WITH(simulate("neuro:truenorth", spiking_step("mlp:784-100-10", 1, 0.1, 8)),
                    Catch::Contains("layer fc1 has a fan-in of 784 but a neuron of "
                                    "neuro:truenorth takes at most 256 inputs"));
  Preset few = find_preset("neuro:loihi");
  few.set("cores", "1");
  CHECK_THROWS_WITH(simulate(few, spiking_step("mlp:784-256-128-10", 1, 0.1, 8)),
                    Catch::Contains("the network needs 4 cores"));
  auto bp = step_of("bp", "mlp:784-10", 1, "fp32");
  bp.timesteps = 8;
  CHECK_THROWS_WITH(simulate("neuro:loihi", bp), Catch::Contains("use --rule inference"));
  auto zero = spiking_step("mlp:784-10", 1, 0.1, 0);
  CHECK_THROWS_WITH(simulate("neuro:loihi", zero), Catch::Contains("--timesteps must be"));
  Preset leaky = find_preset("neuro:loihi");
  CHECK_THROWS_AS(leaky.set("leak", "-0.1"), InputError);
}
