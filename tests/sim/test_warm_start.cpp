// Warm start (an eco-design lever): a trained model saved to a file, read back bit for bit, and
// training started from it.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "results/core/error.h"
#include "sim/metrics/figures.h"
#include "sim/scenario/model_file.h"
#include "sim/scenario/run_scenario.h"

using namespace frugal;
using namespace frugal::sim;

namespace {

std::string temp_path(const std::string& name) {
  return "/tmp/frugal-test-" + std::to_string(::getpid()) + "-" + name;
}

Scenario small() {
  Scenario s;
  s.model = "mlp:784-64-10";
  s.train = true;
  s.epochs = 3;
  s.learning_rate = 0.1;
  s.train_subset = 3000;
  s.test_subset = 1000;
  return s;
}

}  // namespace

TEST_CASE("A saved model reads back bit for bit, and a warm start trains from it",
          "[quick][sim][warm_start]") {
  Scenario s = small();
  const ScenarioOutcome trained = run_scenario(s, true);
  REQUIRE(trained.weights.size() == 2);  // fc1, fc2
  CHECK(trained.weights[0].w.rows() == 64);
  CHECK(trained.weights[0].w.cols() == 784);
  const std::string path = temp_path("model.h5");
  std::remove(path.c_str());
  write_model_file(path, trained_model(trained), false);
  const ModelFile back = read_model_file(path);
  CHECK(back.model == "mlp:784-64-10");
  CHECK(back.epochs == 3);
  CHECK(back.training_energy_j == job_energy_j(trained));
  REQUIRE(back.layers.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(back.layers[i].name == trained.weights[i].name);
    CHECK(back.layers[i].w == trained.weights[i].w);  // exact: fp32 survives float64 storage
    CHECK(back.layers[i].b == trained.weights[i].b);
  }
  CHECK_THROWS_WITH(write_model_file(path, trained_model(trained), false),
                    Catch::Contains("already exists"));

  // Training starts from the saved weights: with a vanishing learning rate, one epoch leaves
  // the test accuracy where the saved model had it.
  s.warm_start = path;
  s.epochs = 1;
  s.learning_rate = 1e-12;
  const ScenarioOutcome frozen = run_scenario(s);
  CHECK(frozen.training->final_test_accuracy() == Approx(trained.training->final_test_accuracy()));

  // One more epoch from the saved model: the job is that epoch alone (a third of the three
  // epochs' energy), the file's own training reported beside it, and it starts ahead of an
  // epoch from scratch.
  s.learning_rate = 0.1;
  const ScenarioOutcome warm = run_scenario(s);
  CHECK(job_energy_j(warm) == Approx(job_energy_j(trained) / 3));
  CHECK(warm.warm_start_epochs == 3);
  CHECK(warm.warm_start_energy_j == job_energy_j(trained));
  CHECK(warm.warm_start_accuracy == trained.training->final_test_accuracy());
  Scenario cold = s;
  cold.warm_start.clear();
  const ScenarioOutcome scratch = run_scenario(cold);
  CHECK(warm.training->epochs.front().train_loss < scratch.training->epochs.front().train_loss);
  CHECK(warm.training->final_test_accuracy() > scratch.training->final_test_accuracy());
  std::remove(path.c_str());
}

TEST_CASE("Warm start bad input: another model, not a model file, no file, no --train",
          "[quick][sim][warm_start]") {
  Scenario s = small();
  s.epochs = 1;
  const ScenarioOutcome trained = run_scenario(s, true);
  const std::string path = temp_path("other-model.h5");
  std::remove(path.c_str());
  write_model_file(path, trained_model(trained), false);
  s.warm_start = path;
  s.model = "mlp:784-32-10";
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("layer fc1 is 64x784 but model "
                                                     "mlp:784-32-10 has fc1 32x784"));
  s.model = "mlp:784-64-64-10";
  CHECK_THROWS_AS(run_scenario(s), InputError);
  s.model = "mlp:784-64-10";
  s.warm_start = temp_path("absent.h5");
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("does not exist"));
  std::ofstream(temp_path("text.h5")) << "not HDF5\n";
  s.warm_start = temp_path("text.h5");
  CHECK_THROWS_AS(run_scenario(s), InputError);
  s.warm_start = path;
  s.train = false;
  CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("--warm-start needs --train"));
  s.warm_start = "none";  // from scratch, as a sweep writes it
  CHECK_NOTHROW(run_scenario(s));
  std::remove(path.c_str());
  std::remove(temp_path("text.h5").c_str());
}
