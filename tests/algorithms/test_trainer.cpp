#include <catch2/catch.hpp>
#include <cmath>

#include "algorithms/functional/trainer.h"
#include "algorithms/learning_rule.h"
#include "results/core/error.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::algorithms;

namespace {
workloads::Graph mlp(const std::string& spec) { return workloads::build_model(spec, {}); }
const workloads::DataSplit& synthetic() {
  static const workloads::DataSplit data = workloads::load_dataset("synthetic", "", 2000, 500, 1);
  return data;
}
// Working settings per rule on the synthetic set. tanh: DRTP's learning signal B·y* keeps its
// size as the error shrinks, so it needs a bounded activation (as in Frenkel et al. 2021); FF's
// goodness (mean of squares) must reach θ = 2, which tanh cannot: relu, with Adam.
TrainOptions options_for(const std::string& rule, uint64_t seed, int64_t epochs) {
  TrainOptions o;
  o.rule = rule;
  o.epochs = epochs;
  o.batch = 32;
  o.learning_rate = 0.05;
  o.seed = seed;
  if (rule == "ff") {
    o.optimizer = "adam";
    o.learning_rate = 0.003;
  }
  return o;
}
std::string spec_for(const std::string& rule) {
  return rule == "ff" ? "mlp:784-64-32-10" : "mlp:784-64-32-10:tanh";
}
TrainResult train(const std::string& rule, uint64_t seed = 3, int64_t epochs = 3,
                  const std::string& numerics = "fp32") {
  TrainOptions o = options_for(rule, seed, epochs);
  o.numerics = numerics;
  return train(mlp(spec_for(rule)), synthetic(), o);
}
const char* const kRules[] = {"bp", "fa", "dfa", "drtp", "pepita", "mempepita", "ff"};
}  // namespace

TEST_CASE("Every rule learns the synthetic set", "[quick][trainer]") {
  // Ten noisy prototypes: chance is 10%; every rule must do far better within 3 epochs.
  for (const char* rule : kRules) {
    INFO(rule);
    const bool ff = std::string(rule) == "ff";  // needs a few more steps on this set
    const TrainResult r = train(rule, 3, ff ? 4 : 3);
    REQUIRE(r.epochs.size() == (ff ? 4 : 3));
    CHECK(r.final_test_accuracy() > 0.9);
    CHECK(r.epochs.back().train_loss < r.epochs.front().train_loss);
    CHECK(std::isnan(r.epochs.back().train_accuracy) == ff);
  }
}

TEST_CASE("Training is reproducible bit for bit; another seed gives another result",
          "[quick][trainer]") {
  for (const char* rule : kRules) {
    INFO(rule);
    const TrainResult a = train(rule, 11, 1), b = train(rule, 11, 1), c = train(rule, 12, 1);
    CHECK(a.epochs[0].train_loss == b.epochs[0].train_loss);  // exactly equal
    CHECK(a.epochs[0].test_accuracy == b.epochs[0].test_accuracy);
    CHECK(a.epochs[0].train_loss != c.epochs[0].train_loss);
  }
}

TEST_CASE(
    "A step split over a team of threads: the same result bit for bit run after run, and "
    "the one-thread result within rounding",
    "[quick][trainer]") {
  // Wide enough that the team splits the products and the passes (784-256-128-10 at batch 64).
  TrainOptions o = options_for("bp", 5, 1);
  o.batch = 64;
  const TrainResult one = algorithms::train(mlp("mlp:784-256-128-10"), synthetic(), o);
  o.threads = 2;
  const TrainResult a = algorithms::train(mlp("mlp:784-256-128-10"), synthetic(), o);
  const TrainResult b = algorithms::train(mlp("mlp:784-256-128-10"), synthetic(), o);
  CHECK(a.epochs[0].train_loss == b.epochs[0].train_loss);  // exactly equal
  CHECK(a.epochs[0].test_accuracy == b.epochs[0].test_accuracy);
  CHECK(a.epochs[0].test_accuracy > 0.5);
  // The same arithmetic, each product's blocks summed in an order its width sets: the last bits.
  CHECK(a.epochs[0].train_loss == Approx(one.epochs[0].train_loss).epsilon(1e-4));
  CHECK(std::abs(a.epochs[0].test_accuracy - one.epochs[0].test_accuracy) <= 0.01);
  // Three threads (blocks of 21, 21 and 22 samples); every rule on two (tanh but for ff, which
  // trains with Adam), and bp with each optimizer.
  o.threads = 3;
  const TrainResult three = algorithms::train(mlp("mlp:784-256-128-10"), synthetic(), o);
  CHECK(three.epochs[0].train_loss == Approx(one.epochs[0].train_loss).epsilon(1e-4));
  const workloads::DataSplit few = workloads::load_dataset("synthetic", "", 640, 100, 1);
  auto both = [&](TrainOptions r, const std::string& spec) {
    r.batch = 64;
    const TrainResult alone = algorithms::train(mlp(spec), few, r);
    r.threads = 2;
    const TrainResult team = algorithms::train(mlp(spec), few, r);
    CHECK(team.epochs[0].train_loss == Approx(alone.epochs[0].train_loss).epsilon(1e-3));
  };
  for (const char* rule : kRules) {
    INFO(rule);
    both(options_for(rule, 7, 1),
         std::string(rule) == "ff" ? "mlp:784-256-128-10" : "mlp:784-256-128-10:tanh");
  }
  for (const char* optimizer : {"sgd", "momentum", "adam"}) {
    INFO(optimizer);
    TrainOptions r = options_for("bp", 7, 1);
    r.optimizer = optimizer;
    if (r.optimizer == "adam") r.learning_rate = 0.003;
    both(r, "mlp:784-256-128-10");
  }
  o.threads = 0;
  CHECK_THROWS_WITH(algorithms::train(mlp("mlp:784-256-128-10"), synthetic(), o),
                    "--trainer-threads must be in [1, 64], got 0");
}

TEST_CASE("MEMPEPITA recomputes what PEPITA keeps: the same result, more MACs",
          "[quick][trainer]") {
  const TrainResult p = train("pepita", 5, 2), m = train("mempepita", 5, 2);
  CHECK(p.epochs.back().train_loss == m.epochs.back().train_loss);
  CHECK(p.final_test_accuracy() == m.final_test_accuracy());
  // F − F_L more: the hidden layers' clean outputs again, 784·64 + 64·32.
  CHECK(m.macs_per_sample - p.macs_per_sample == 784 * 64 + 64 * 32);
}

TEST_CASE("The trainer refuses what it cannot train, naming it", "[quick][trainer]") {
  TrainOptions o;
  CHECK_THROWS_WITH(train(mlp("resnet18:28x28"), synthetic(), o),
                    Catch::Contains("cannot train op") && Catch::Contains("norm"));
  CHECK_THROWS_WITH(train(mlp("mlp:100-10"), synthetic(), o),
                    Catch::Contains("takes 100 inputs") && Catch::Contains("784"));
  CHECK_THROWS_WITH(train(mlp("mlp:784-5"), synthetic(), o), Catch::Contains("10 classes"));
  for (const char* rule : {"pepita", "mempepita", "ff"}) {
    o.rule = rule;
    CHECK_THROWS_WITH(
        train(mlp("cnn-fmnist"), synthetic(), o),
        Catch::Contains(std::string("rule ") + rule + " cannot train op 'conv1' of kind conv2d"));
  }
  o.rule = "bp";
  o.epochs = 0;
  CHECK_THROWS_WITH(train(mlp("mlp:784-10"), synthetic(), o), Catch::Contains("--epochs"));
  o.epochs = 1;
  o.rule = "inference";
  CHECK_THROWS_WITH(train(mlp("mlp:784-10"), synthetic(), o),
                    Catch::Contains("rule inference has no functional face"));
  o.rule = "bp";
  o.optimizer = "lamb";
  CHECK_THROWS_WITH(train(mlp("mlp:784-10"), synthetic(), o), Catch::Contains("'lamb'"));
  o.optimizer = "momentum";
  o.numerics = "fp4";
  CHECK_THROWS_WITH(train(mlp("mlp:784-10"), synthetic(), o), Catch::Contains("'fp4'"));
}

TEST_CASE("The functional face does the MACs the cost face counts", "[quick][trainer]") {
  for (const char* rule : kRules) {
    INFO(rule);
    const TrainResult r = train(rule, 1, 1);
    const auto step = make_rule(rule)->expand(mlp(spec_for(rule)), StepOptions{});
    CHECK(r.macs_per_sample == step.graph.macs());  // batch 1: per sample
  }
  // A convolutional network under bp: unrolled convolutions count as the cost face's conv ops.
  TrainOptions o;
  o.epochs = 1;
  const workloads::DataSplit tiny = workloads::load_dataset("synthetic", "", 64, 10, 1);
  const TrainResult cnn = train(mlp("cnn-fmnist"), tiny, o);
  CHECK(cnn.macs_per_sample == make_rule("bp")->expand(mlp("cnn-fmnist"), {}).graph.macs());
}

TEST_CASE("bp trains a convolutional network", "[quick][trainer]") {
  TrainOptions o;
  o.epochs = 3;
  o.batch = 32;
  o.learning_rate = 0.1;
  const workloads::DataSplit data = workloads::load_dataset("synthetic", "", 1000, 200, 2);
  const TrainResult r = train(mlp("lenet5:28x28"), data, o);
  CHECK(r.final_test_accuracy() > 0.9);
}

TEST_CASE("Digital formats change the arithmetic, and cost little accuracy here",
          "[quick][trainer]") {
  const TrainResult fp32 = train("bp", 4, 2);
  for (const char* format : {"tf32", "bf16", "fp16", "fp8", "int8", "int4"}) {
    INFO(format);
    const TrainResult r = train("bp", 4, 2, format);
    CHECK(r.epochs.back().train_loss != fp32.epochs.back().train_loss);  // really rounded
    CHECK(r.final_test_accuracy() > 0.8);
  }
}

TEST_CASE("Optimizers: sgd is momentum with μ = 0; adam differs", "[quick][trainer]") {
  TrainOptions o = options_for("bp", 2, 1);
  o.optimizer = "sgd";
  const TrainResult sgd = train(mlp("mlp:784-32-10"), synthetic(), o);
  o.optimizer = "momentum";
  o.momentum = 0;
  const TrainResult zero = train(mlp("mlp:784-32-10"), synthetic(), o);
  CHECK(sgd.epochs[0].train_loss == zero.epochs[0].train_loss);
  o.optimizer = "adam";
  o.learning_rate = 0.001;
  const TrainResult adam = train(mlp("mlp:784-32-10"), synthetic(), o);
  CHECK(adam.epochs[0].train_loss != sgd.epochs[0].train_loss);
  CHECK(adam.final_test_accuracy() > 0.9);
}

TEST_CASE("Learning-rate schedules by hand", "[quick][trainer]") {
  CHECK(scheduled_learning_rate(0.1, "constant", 7, 10) == 0.1);
  CHECK(scheduled_learning_rate(0.1, "cosine", 1, 10) == Approx(0.1));
  CHECK(scheduled_learning_rate(0.1, "cosine", 6, 10) == Approx(0.05));  // halfway
  CHECK(scheduled_learning_rate(0.1, "cosine", 10, 10) ==
        Approx(0.1 * 0.5 * (1 + std::cos(0.9 * M_PI))));
  CHECK(scheduled_learning_rate(0.1, "step", 6, 10) == Approx(0.1));   // 50% done
  CHECK(scheduled_learning_rate(0.1, "step", 7, 10) == Approx(0.01));  // 60% done
  CHECK(scheduled_learning_rate(0.1, "step", 10, 10) == Approx(0.001));
  TrainOptions o;
  o.lr_schedule = "warmup";
  CHECK_THROWS_WITH(train(mlp("mlp:784-10"), synthetic(), o), Catch::Contains("--lr-schedule"));
}
