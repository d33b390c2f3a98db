#include <catch2/catch.hpp>

#include "algorithms/learning_rule.h"
#include "results/error.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::algorithms;
using workloads::Phase;

namespace {

TrainingStep expand(const std::string& rule, const std::string& spec, int64_t batch,
                    const std::string& optimizer = "momentum") {
  workloads::BuildOptions build;
  build.batch = batch;
  StepOptions options;
  options.optimizer = optimizer;
  return make_rule(rule)->expand(workloads::build_model(spec, build), options);
}

}  // namespace

TEST_CASE("BP costs F + (F - F1) + F MACs for an MLP (REFERENCES.md section 7)",
          "[quick][algorithms]") {
  struct Case {
    const char* spec;
    int64_t f;   // forward MACs per sample, by hand
    int64_t f1;  // first layer's MACs per sample
  };
  for (const Case& c : {Case{"mlp:784-256-128-10", 234752, 200704},
                        Case{"mlp:784-800-800-10:tanh", 1275200, 627200}, Case{"mlp:4-3", 12, 12},
                        Case{"mlp:784-1024-10:sigmoid", 813056, 802816}}) {
    for (int64_t batch : {1, 64}) {
      INFO(c.spec << " batch " << batch);
      const TrainingStep step = expand("bp", c.spec, batch);
      const int64_t F = c.f * batch, F1 = c.f1 * batch;
      CHECK(step.graph.macs() == F + (F - F1) + F);
      CHECK(step.graph.macs(Phase::forward) == F);
      CHECK(step.graph.macs(Phase::backward_data) == F - F1);
      CHECK(step.graph.macs(Phase::backward_weight) == F);
      CHECK(step.graph.macs(Phase::update) == 0);
    }
  }
}

TEST_CASE("inference is the forward pass alone", "[quick][algorithms]") {
  const TrainingStep step = expand("inference", "mlp:784-256-128-10", 32);
  CHECK(step.graph.macs() == 32 * 234752);
  CHECK(step.optimizer == "none");
  CHECK(step.memory.gradients_bytes == 0);
  CHECK(step.memory.optimizer_state_bytes == 0);
  CHECK(step.memory.activations_bytes == 0);
  CHECK_FALSE(step.traits.backward_sweep);
  for (const auto& op : step.graph.ops()) CHECK(op.phase == Phase::forward);
  // Peak live activations: the input batch while fc1 writes its output.
  CHECK(step.memory.peak_activation_bytes == 4 * 32 * (784 + 256));
}

TEST_CASE("BP's memory footprint follows from its tensors", "[quick][algorithms]") {
  const int64_t B = 16;
  const int64_t weights = 4 * 235146;
  SECTION("momentum keeps one value per parameter") {
    const TrainingStep step = expand("bp", "mlp:784-256-128-10", B, "momentum");
    CHECK(step.memory.weights_bytes == weights);
    CHECK(step.memory.gradients_bytes == weights);
    CHECK(step.memory.optimizer_state_bytes == weights);
    // Held for the backward pass: x, the two hidden activations, softmax output and labels.
    CHECK(step.memory.activations_bytes == 4 * B * (784 + 256 + 128 + 10 + 10));
    CHECK(step.memory.total_bytes() == 3 * weights + step.memory.peak_activation_bytes);
    CHECK(step.memory.peak_activation_bytes >= step.memory.activations_bytes);
    CHECK(step.traits.weight_transport);
    CHECK(step.traits.backward_sweep);
    CHECK(step.traits.update_locking);
  }
  SECTION("sgd keeps none, adam two") {
    CHECK(expand("bp", "mlp:784-256-128-10", B, "sgd").memory.optimizer_state_bytes == 0);
    CHECK(expand("bp", "mlp:784-256-128-10", B, "adam").memory.optimizer_state_bytes ==
          2 * weights);
  }
}

TEST_CASE("BP's elementwise work is counted per element", "[quick][algorithms]") {
  const int64_t B = 2;
  const TrainingStep step = expand("bp", "mlp:4-3-2:tanh", B, "sgd");
  int64_t update_ops = 0, activation_grad_ops = 0;
  for (const auto& op : step.graph.ops()) {
    if (op.phase == Phase::update) update_ops += op.other_ops;
    if (op.kind == workloads::OpKind::activation_grad) activation_grad_ops += op.other_ops;
  }
  CHECK(update_ops == 2 * (4 * 3 + 3 + 3 * 2 + 2));  // sgd: 2 ops per parameter
  CHECK(activation_grad_ops == 3 * B * 3);           // tanh: 3 ops per hidden element
}

TEST_CASE("unknown rules and optimizers are input errors naming the known ones",
          "[quick][algorithms]") {
  CHECK_THROWS_WITH(make_rule("backprop"), Catch::Contains("unknown learning rule 'backprop'") &&
                                               Catch::Contains("bp") &&
                                               Catch::Contains("inference"));
  CHECK_THROWS_WITH(expand("bp", "mlp:4-3", 1, "lbfgs"),
                    Catch::Contains("unknown optimizer 'lbfgs'"));
}
