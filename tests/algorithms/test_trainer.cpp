#include <catch2/catch.hpp>
#include <cmath>

#include "algorithms/functional/trainer.h"
#include "algorithms/learning_rule.h"
#include "results/error.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::algorithms;

namespace {
workloads::Graph mlp(const std::string& spec) { return workloads::build_model(spec, {}); }
const workloads::DataSplit& synthetic() {
  static const workloads::DataSplit data = workloads::load_dataset("synthetic", "", 2000, 500, 1);
  return data;
}
TrainResult train(const std::string& rule, uint64_t seed = 3, int64_t epochs = 3) {
  TrainOptions o;
  o.rule = rule;
  o.epochs = epochs;
  o.batch = 32;
  o.learning_rate = 0.05;
  o.seed = seed;
  // tanh: DRTP's learning signal B·y* keeps its size as the error shrinks, so it needs a bounded
  // activation (as in Frenkel et al. 2021); with relu its weights grow without bound.
  return train_mlp(mlp("mlp:784-64-32-10:tanh"), synthetic(), o);
}
}  // namespace

TEST_CASE("bp, fa, dfa and drtp learn the synthetic set", "[quick][trainer]") {
  // Ten noisy prototypes: chance is 10%; every rule must do far better within 3 epochs.
  for (const char* rule : {"bp", "fa", "dfa", "drtp"}) {
    INFO(rule);
    const TrainResult r = train(rule);
    REQUIRE(r.epochs.size() == 3);
    CHECK(r.final_test_accuracy() > 0.9);
    CHECK(r.epochs.back().train_loss < r.epochs.front().train_loss);
  }
}

TEST_CASE("Training is reproducible bit for bit; another seed gives another result",
          "[quick][trainer]") {
  const TrainResult a = train("bp", 11, 1), b = train("bp", 11, 1), c = train("bp", 12, 1);
  CHECK(a.epochs[0].train_loss == b.epochs[0].train_loss);  // exactly equal
  CHECK(a.epochs[0].test_accuracy == b.epochs[0].test_accuracy);
  CHECK(a.epochs[0].train_loss != c.epochs[0].train_loss);
}

TEST_CASE("The trainer refuses what it cannot train, naming it", "[quick][trainer]") {
  TrainOptions o;
  CHECK_THROWS_WITH(train_mlp(mlp("cnn-fmnist"), synthetic(), o),
                    Catch::Contains("cannot yet train op 'conv1'"));
  CHECK_THROWS_WITH(train_mlp(mlp("mlp:100-10"), synthetic(), o),
                    Catch::Contains("takes 100 inputs") && Catch::Contains("784"));
  CHECK_THROWS_WITH(train_mlp(mlp("mlp:784-5"), synthetic(), o), Catch::Contains("10 classes"));
  o.epochs = 0;
  CHECK_THROWS_WITH(train_mlp(mlp("mlp:784-10"), synthetic(), o), Catch::Contains("--epochs"));
  o.epochs = 1;
  o.rule = "ff";
  CHECK_THROWS_WITH(train_mlp(mlp("mlp:784-10"), synthetic(), o),
                    Catch::Contains("no functional face yet"));
}

TEST_CASE("The functional face does the MACs the cost face counts", "[quick][trainer]") {
  for (const char* rule : {"bp", "fa", "dfa", "drtp"}) {
    INFO(rule);
    const TrainResult r = train(rule, 1, 1);
    const auto step = make_rule(rule)->expand(mlp("mlp:784-64-32-10:tanh"), StepOptions{});
    CHECK(r.macs_per_sample == step.graph.macs());  // batch 1: per sample
  }
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
  CHECK_THROWS_WITH(train_mlp(mlp("mlp:784-10"), synthetic(), o), Catch::Contains("--lr-schedule"));
}
