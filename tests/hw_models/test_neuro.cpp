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
                                      int64_t timesteps, const std::string& rule = "inference") {
  auto step = step_of(rule, spec, batch, "fp32");
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
  // the barrier (465 ns); one layer, so no delay between layers.
  CHECK(cost.latency_s == Approx(10 * (10000 * 3.5e-9 + 100 * 8.4e-9 + 465e-9)));
  CHECK(cost.sample_latency_s == Approx(cost.latency_s));
  // Static power: the whole chip's 128 cores (power_gating 0), or the one core in use.
  CHECK(cost.ledger.component(Component::static_power) == Approx(128 * 0.815e-3 * cost.latency_s));
  Preset gated = find_preset("neuro:loihi");
  gated.set("power_gating", "1");
  CHECK(simulate(gated, step).ledger.component(Component::static_power) ==
        Approx(0.815e-3 * cost.latency_s));
  // IO: the 100 inputs' 1,000 spikes come from off the chip, and the 100 outputs' potentials
  // leave it, 61 pJ a packet.
  CHECK(cost.ledger.component(Component::interconnect) == Approx((1000 + 100) * 61e-12));
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
  const double io = 0.5 * 200 * 8 + 10;  // input spikes and output potentials
  CHECK(tn.ledger.component(Component::compute) == Approx(events * 26e-12));
  CHECK(tn.ledger.total() == Approx(events * 26e-12 + io * 61e-12));
  // 8 timesteps, and one more for the spikes to cross from the first layer to the second.
  CHECK(tn.latency_s == Approx(9 * 1e-3));
}

TEST_CASE("A spiking chip pipelines a batch: per-sample latency and throughput",
          "[quick][hw][neuro]") {
  // Two layers on TrueNorth's 1 ms tick: a sample takes T timesteps plus one for the spikes to
  // reach the second layer; a batch of B, B·T + 1, its samples following one another through
  // the layers.
  const Cost one = simulate("neuro:truenorth", spiking_step("mlp:200-100-10", 1, 0.5, 8));
  const Cost batch = simulate("neuro:truenorth", spiking_step("mlp:200-100-10", 16, 0.5, 8));
  CHECK(one.sample_latency_s == Approx(9e-3));
  CHECK(batch.sample_latency_s == Approx(9e-3));
  CHECK(batch.latency_s == Approx((16 * 8 + 1) * 1e-3));
  // Energy per sample: the events scale with the samples.
  CHECK(batch.ledger.component(Component::compute) ==
        Approx(16 * one.ledger.component(Component::compute)));
}

TEST_CASE("Spreading the layers over the chip's cores shortens the timestep for more packets",
          "[quick][hw][neuro]") {
  auto step = spiking_step("mlp:784-256-128-10", 1, 0.2, 32);
  const Cost pack = simulate("neuro:loihi", step);
  step.placement = "spread";
  const Cost spread = simulate("neuro:loihi", step);
  // Packed: fc1 (784 x 256 synapses) on 2 cores, fc2 and fc3 on one each; its timestep is
  // fc1's half of 0.2 x 784 x 256 events at 3.5 ns and 128 neuron updates at 8.4 ns (every
  // neuron has input), then the longest hop (fc1's cores at x 0.5, fc2's at x 2: 2 hops east,
  // 4.1 ns each) and the barrier.
  const double fc1_s = 0.2 * 784 * 256 * 3.5e-9 + 256 * 8.4e-9;
  const double hops_s = 2 * 4.1e-9;
  const double pack_step = fc1_s / 2 + hops_s + 465e-9;
  CHECK(pack.sample_latency_s == Approx((32 + 2) * pack_step));
  // Spread: the 124 spare cores go to the layers with the most work per core; no layer's cores
  // can work less than the whole network's work over 128 cores.
  CHECK(spread.sample_latency_s < pack.sample_latency_s / 20);
  const double fc2_s = 0.2 * 256 * 128 * 3.5e-9 + 128 * 8.4e-9;
  const double fc3_s = 0.2 * 128 * 10 * 3.5e-9 + 10 * 8.4e-9;
  CHECK(spread.sample_latency_s / 34 > (fc1_s + fc2_s + fc3_s) / 128 + 465e-9);
  // The same events, more packets (each spike goes to every core of the next layer), and the
  // whole chip's static power either way, over a shorter time.
  CHECK(spread.ledger.component(Component::compute) ==
        Approx(pack.ledger.component(Component::compute)));
  CHECK(spread.ledger.component(Component::spike_route) >
        10 * pack.ledger.component(Component::spike_route));
  CHECK(spread.ledger.component(Component::static_power) / spread.latency_s ==
        Approx(pack.ledger.component(Component::static_power) / pack.latency_s));
  // --placement is a spiking chip's.
  auto cpu = step_of("inference", "mlp:784-10", 1, "fp32");
  cpu.placement = "spread";
  CHECK_THROWS_WITH(simulate("cpu", cpu),
                    Catch::Contains("--placement is modelled for spiking devices"));
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
  CHECK_THROWS_WITH(simulate("neuro:truenorth", bp),
                    Catch::Contains("has no learning engine: it runs trained networks converted"));
  auto pepita = step_of("pepita", "mlp:784-10", 1, "fp32");
  pepita.timesteps = 8;
  CHECK_THROWS_WITH(simulate("neuro:loihi", pepita),
                    Catch::Contains("a spiking chip learns by bp (surrogate-gradient"));
  auto zero = spiking_step("mlp:784-10", 1, 0.1, 0);
  CHECK_THROWS_WITH(simulate("neuro:loihi", zero), Catch::Contains("--timesteps must be"));
  Preset leaky = find_preset("neuro:loihi");
  CHECK_THROWS_AS(leaky.set("leak", "-0.1"), InputError);
}

TEST_CASE("Learning on Loihi: a tag update per synaptic event, the weights per step, by hand",
          "[quick][hw][neuro]") {
  // mlp:100-10 (one layer on one core), dfa, 2 samples of 4 timesteps, half the inputs spiking
  // each timestep: 500 synaptic events a timestep, and every neuron has input.
  const auto step = spiking_step("mlp:100-10", 2, 0.5, 4, "dfa");
  const Cost cost = simulate("neuro:loihi", step);
  // Each event updates its synapse's tag (120 pJ), as the rule's product is zero where the
  // input did not spike; the 1,000 weights are written once per step.
  const double events = 2 * 4 * 500.0;
  CHECK(cost.ledger.component(Component::compute) ==
        Approx(events * 23.6e-12 + events * 120e-12 + 1000 * 120e-12));
  CHECK(cost.ledger.phase(workloads::Phase::update) == Approx(1000 * 120e-12));
  // The 10 neurons update their potential and compute their error each timestep (81 pJ each).
  CHECK(cost.ledger.component(Component::neuron_update) == Approx(2 * 4 * 10 * 2 * 81e-12));
  // A timestep: the events (3.5 ns), the tags (6.1 ns), the neurons' two updates (8.4 ns) and
  // the barrier; a sample: 4 of them; the step: 2 samples and the weights (1,000 × 6.1 ns).
  const double timestep = 500 * (3.5e-9 + 6.1e-9) + 2 * 10 * 8.4e-9 + 465e-9;
  CHECK(cost.sample_latency_s == Approx(4 * timestep));
  CHECK(cost.latency_s == Approx(2 * 4 * timestep + 1000 * 6.1e-9));
  // No input spike, no tag update: only the weights' pass is left of the synapses' updates.
  const Cost silent = simulate("neuro:loihi", spiking_step("mlp:100-10", 2, 0.0, 4, "dfa"));
  CHECK(silent.ledger.component(Component::compute) == Approx(1000 * 120e-12));
  // bp sweeps back through time: it costs more than dfa on the same activity.
  const Cost b = simulate("neuro:loihi", spiking_step("mlp:784-256-128-10", 4, 0.1, 8, "bp"));
  const Cost d = simulate("neuro:loihi", spiking_step("mlp:784-256-128-10", 4, 0.1, 8, "dfa"));
  CHECK(b.ledger.total() > d.ledger.total());
  CHECK(b.sample_latency_s > d.sample_latency_s);
}

TEST_CASE("Learning on Loihi takes cores: feedback synapses, error compartments, BPTT's history",
          "[quick][hw][neuro]") {
  // With the chip's other cores gated off, static power counts the cores in use.
  Preset chip = find_preset("neuro:loihi");
  chip.set("power_gating", "1");
  chip.set("synapses_per_core", "5000");
  const auto cores = [&](const std::string& rule, int64_t timesteps) {
    const Cost c = simulate(chip, spiking_step("mlp:100-50-10", 1, 0.1, timesteps, rule));
    return c.ledger.component(Component::static_power) / (0.815e-3 * c.latency_s);
  };
  // fc1 holds 100 × 50 = 5,000 synapses: one core for inference and bp; dfa and drtp add the
  // 50 × 10 fixed synapses that bring its error, so fc1 takes two. fc2: one core either way.
  CHECK(cores("inference", 4) == Approx(2));
  CHECK(cores("bp", 4) == Approx(2));
  CHECK(cores("dfa", 4) == Approx(3));
  CHECK(cores("drtp", 4) == Approx(3));
  // Learning neurons keep their error in a second compartment: 600 neurons fill a core of
  // 1,024 compartments when they run, two cores when they learn.
  Preset wide = find_preset("neuro:loihi");
  wide.set("power_gating", "1");
  const auto wide_cores = [&](const std::string& rule) {
    const Cost c = simulate(wide, spiking_step("mlp:100-600", 1, 0.1, 4, rule));
    return c.ledger.component(Component::static_power) / (0.815e-3 * c.latency_s);
  };
  CHECK(wide_cores("inference") == Approx(1));
  CHECK(wide_cores("dfa") == Approx(2));
  // bp through time stores a sample's timesteps: fc1's 50 neurons at 4 B and the encoder's 100
  // spikes at a bit, per timestep: 64 timesteps take 64 × (200 + 12.5) = 13,600 B, three cores
  // of 5 kB; fc2 (10 neurons, 2,560 B) one.
  chip.set("history_memory", "5 kB");
  CHECK(cores("bp", 64) == Approx(4));
  CHECK(cores("dfa", 64) == Approx(3));  // online: no history
  chip.set("cores", "3");
  CHECK_THROWS_WITH(simulate(chip, spiking_step("mlp:100-50-10", 1, 0.1, 64, "bp")),
                    Catch::Contains("the network needs 4 cores") &&
                        Catch::Contains("bp through time stores every timestep's state"));
}

TEST_CASE("A CNN on the chip: convolutions and pooling layers as layers of neurons, by hand",
          "[quick][hw][neuro]") {
  // lenet5:relu at 0.1 spikes per neuron per timestep, 4 timesteps: each synapse sees its
  // input's spikes. Neurons × fan-in: c1 6·28·28 × 25, s2 6·14·14 × 4 (its window), c3 16·10·10
  // × 150 (6 channels × 5 × 5), s4 16·5·5 × 4, f5 120 × 400, f6 84 × 120, f7 10 × 84.
  const double synapses =
      4704.0 * 25 + 1176.0 * 4 + 1600.0 * 150 + 400.0 * 4 + 120.0 * 400 + 84.0 * 120 + 10.0 * 84;
  const Cost cost = simulate("neuro:loihi", spiking_step("lenet5:relu", 1, 0.1, 4));
  CHECK(cost.ledger.component(Component::compute) == Approx(0.1 * synapses * 4 * 23.6e-12));
  // Seven layers: a sample's output comes six timesteps after its input ends, so one sample
  // takes 4 + 6 timesteps and two, pipelined, 8 + 6.
  CHECK(cost.latency_s == Approx(cost.sample_latency_s));  // batch 1
  const Cost two = simulate("neuro:loihi", spiking_step("lenet5:relu", 2, 0.1, 4));
  CHECK(two.latency_s == Approx(cost.latency_s * 14 / 10));
  // Learning: the pooling layers have no weights. dfa with no spikes updates no tag, and writes
  // the weights of the five layers that have them once per step, 120 pJ each.
  const double weights = 4704.0 * 25 + 1600.0 * 150 + 120.0 * 400 + 84.0 * 120 + 10.0 * 84;
  const Cost dfa = simulate("neuro:loihi", spiking_step("lenet5:relu", 1, 0.0, 4, "dfa"));
  CHECK(dfa.ledger.phase(workloads::Phase::update) == Approx(weights * 120e-12));
  // The error reaches the hidden layers with weights (c1, c3, f5, f6), one event per neuron and
  // class each timestep; none goes to the pooling layers.
  const double errors = 4 * 10 * (4704.0 + 1600 + 120 + 84);
  CHECK(dfa.ledger.component(Component::compute) == Approx(weights * 120e-12 + errors * 23.6e-12));
}
