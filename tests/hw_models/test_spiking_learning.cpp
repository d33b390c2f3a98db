// Learning on a spiking chip (hw_models/neuro/spiking_learner.h): one step of each rule on a
// network small enough to follow by hand, and the rules learning Fashion-MNIST.

#include <catch2/catch.hpp>
#include <map>

#include "algorithms/functional/network.h"
#include "algorithms/functional/trainer.h"
#include "hw_models/neuro/spiking_learner.h"
#include "results/core/error.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::hw::neuro;
using algorithms::Matrix;

namespace {

// mlp:1-1-2 with w1 = 1.5, W2 = (0.5, −0.5)ᵀ, no biases; sgd.
workloads::Graph tiny_graph() {
  workloads::BuildOptions build;
  build.batch = 1;
  return workloads::build_model("mlp:1-1-2", build);
}

struct Tiny {
  workloads::Graph forward = tiny_graph();
  std::mt19937_64 rng{0};
  std::unique_ptr<algorithms::Network> net;
  std::unique_ptr<algorithms::Numerics> fp32 = algorithms::make_digital_numerics("fp32");
  Tiny() {
    algorithms::OptimizerSettings sgd;
    sgd.name = "sgd";
    net = std::make_unique<algorithms::Network>(forward, 1, 2, rng, sgd);
    auto& layers = net->layers();
    for (auto& l : layers) {
      if (!l.trainable()) continue;
      l.b.setZero();
    }
    layers.front().w << 1.5f;
    layers.back().w << 0.5f, -0.5f;
  }
  // One step of `rule` at T = 2 on the input 1 with label 0, hidden feedback B = (1, 0).
  std::pair<float, Matrix> step(SpikingRule rule) {
    NeuronModel neuron;  // θ = 1, integrate-and-fire
    SpikingLearner learner(*net, *fp32, rng, rule, 2, neuron);
    if (rule != SpikingRule::bptt) learner.feedback()[0] << 1.0f, 0.0f;
    const Matrix x = Matrix::Constant(1, 1, 1.0f);
    const uint8_t label = 0;
    int64_t correct = 0;
    learner.step(x, &label, 1.0f, correct);
    CHECK(correct == 1);
    return {net->layers().front().w(0, 0), net->layers().back().w};
  }
};

}  // namespace

TEST_CASE("One step of each spiking rule, by hand", "[quick][hw][neuro]") {
  // The input spikes at t = 1 and 2. The hidden neuron: u(1) = 1.5, a spike, v = 0.5;
  // u(2) = 2.0, a spike, v = 1.0. Surrogate σ'(u − θ) = 1/(1 + 5|u − 1|)²: 1/3.5² = 0.0816327,
  // then 1/36 = 0.0277778. The output o(2) = (1, −1), logits o/2 = (0.5, −0.5), softmax
  // (0.7310586, 0.2689414), error for label 0: e = (−0.2689414, 0.2689414).
  const float s1 = 1.0f / (3.5f * 3.5f), s2 = 1.0f / 36.0f, e = 0.2689414f;
  SECTION("bp: backpropagation through time") {
    // dW2 = e · mean spikes (1); the hidden spikes' gradient W2ᵀe/T = −e/2 at each t; δ(2) =
    // −e/2·s2, δ(1) = −e/2·s1 + δ(2); dW1 = δ(1) + δ(2).
    const auto [w1, w2] = Tiny().step(SpikingRule::bptt);
    CHECK(w2(0, 0) == Approx(0.5f + e));
    CHECK(w2(1, 0) == Approx(-0.5f - e));
    CHECK(w1 == Approx(1.5f + e / 2 * (s1 + 2 * s2)));
  }
  SECTION("dfa: online, the output's error at each timestep") {
    // o(1)/1 = o(2)/2 = (0.5, −0.5): e(t) = e for both, each /T. dW2 = Σ_t e(t) s(t) = e;
    // δ(t) = B e(t) σ'(t) = −e/2 σ'(t).
    const auto [w1, w2] = Tiny().step(SpikingRule::dfa);
    CHECK(w2(0, 0) == Approx(0.5f + e));
    CHECK(w1 == Approx(1.5f + e / 2 * (s1 + s2)));
  }
  SECTION("drtp: online, the label's projection") {
    // δ(t) = −B y*/T σ'(t) = −σ'(t)/2.
    const auto [w1, w2] = Tiny().step(SpikingRule::drtp);
    CHECK(w2(0, 0) == Approx(0.5f + e));
    CHECK(w1 == Approx(1.5f + (s1 + s2) / 2));
  }
}

TEST_CASE("A spiking chip learns bp, dfa and drtp only, on dense ReLU networks",
          "[quick][hw][neuro]") {
  CHECK(spiking_rule("bp") == SpikingRule::bptt);
  CHECK_THROWS_WITH(spiking_rule("pepita"), Catch::Contains("bp (surrogate-gradient"));
  workloads::BuildOptions build;
  build.batch = 1;
  std::mt19937_64 rng(0);
  auto fp32 = algorithms::make_digital_numerics("fp32");
  algorithms::Network tanh_net(workloads::build_model("mlp:4-3-2:tanh", build), 4, 2, rng);
  CHECK_THROWS_WITH(SpikingLearner(tanh_net, *fp32, rng, SpikingRule::dfa, 8, NeuronModel{}),
                    Catch::Contains("ReLU after every hidden layer"));
  algorithms::Network relu_net(workloads::build_model("mlp:4-3-2", build), 4, 2, rng);
  NeuronModel refractory;
  refractory.refractory = 2;
  CHECK_THROWS_WITH(SpikingLearner(relu_net, *fp32, rng, SpikingRule::dfa, 8, refractory),
                    Catch::Contains("without a refractory period"));
}

TEST_CASE("Spiking rules learn Fashion-MNIST on the chip", "[heavy][hw][neuro]") {
  // 1 epoch on 3,000 images, T = 8: each rule well above chance (10%), bp the best.
  const workloads::DataSplit data = workloads::load_dataset("fashion-mnist", "", 3000, 1000, 0);
  workloads::BuildOptions build;
  build.batch = 32;
  const workloads::Graph forward = workloads::build_model("mlp:784-256-128-10", build);
  std::map<SpikingRule, double> accuracy;
  for (SpikingRule rule : {SpikingRule::bptt, SpikingRule::dfa, SpikingRule::drtp}) {
    algorithms::TrainOptions train;
    train.batch = 32;
    train.optimizer = "adam";
    train.learning_rate = 0.001;
    train.make_learner = [rule](algorithms::Network& net, algorithms::Numerics& numerics,
                                std::mt19937_64& rng) {
      return std::make_unique<SpikingLearner>(net, numerics, rng, rule, 8, NeuronModel{});
    };
    accuracy[rule] = algorithms::train(forward, data, train).final_test_accuracy();
  }
  INFO("bptt " << accuracy[SpikingRule::bptt] << ", dfa " << accuracy[SpikingRule::dfa] << ", drtp "
               << accuracy[SpikingRule::drtp]);
  CHECK(accuracy[SpikingRule::bptt] > 0.7);
  CHECK(accuracy[SpikingRule::dfa] > 0.6);
  CHECK(accuracy[SpikingRule::drtp] > 0.5);
}
