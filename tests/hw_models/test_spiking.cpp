// The spiking conversion (hw_models/neuro/spiking.h): dynamics by hand and the converted MLP's
// accuracy on Fashion-MNIST.

#include <catch2/catch.hpp>

#include "algorithms/functional/network.h"
#include "algorithms/functional/trainer.h"
#include "hw_models/neuro/spiking.h"
#include "results/core/error.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::hw::neuro;

TEST_CASE("The converted MLP reaches its ANN accuracy within 1 point at some T <= 64",
          "[quick][hw][neuro]") {
  const workloads::DataSplit data = workloads::load_dataset("fashion-mnist", "", 10000, 2000, 0);
  workloads::BuildOptions build;
  build.batch = 64;
  const workloads::Graph forward = workloads::build_model("mlp:784-256-128-10", build);
  algorithms::TrainOptions train;
  train.epochs = 3;
  train.learning_rate = 0.05;
  train.lr_schedule = "cosine";
  SpikingResult snn;
  std::vector<SpikingResult> by_t;
  train.after_training = [&](const algorithms::Network& net, algorithms::TrainResult&) {
    SpikingOptions o;
    o.timesteps = 64;
    snn = run_converted(net, data, o);
    for (int64_t t : {8, 16, 32}) {
      o.timesteps = t;
      by_t.push_back(run_converted(net, data, o));
    }
  };
  const algorithms::TrainResult ann = algorithms::train(forward, data, train);
  double best = 0;
  for (const auto& [t, accuracy] : snn.accuracy_at) {
    INFO("T = " << t << ": " << accuracy);
    CHECK(t <= 64);
    best = std::max(best, accuracy);
  }
  INFO("ANN " << ann.final_test_accuracy() << ", SNN best " << best);
  CHECK(best >= ann.final_test_accuracy() - 0.01);
  // The trace at t equals a run of t timesteps (the dynamics do not look ahead).
  CHECK(by_t[1].accuracy == Approx(snn.accuracy_at[4].second));  // T = 16
  // More timesteps, more spikes.
  CHECK(by_t[0].synaptic_events_per_sample() < by_t[1].synaptic_events_per_sample());
  CHECK(by_t[1].synaptic_events_per_sample() < by_t[2].synaptic_events_per_sample());
}
