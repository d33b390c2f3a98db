#include <catch2/catch.hpp>

#include "algorithms/learning_rule.h"
#include "results/core/error.h"
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

TEST_CASE("BP costs F + (F - F1) + F MACs for an MLP (docs/references.md#rule-costs)",
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
    // Held for the backward pass: x, the two hidden activations, softmax output, and the labels
    // as class indices (8 bytes each).
    CHECK(step.memory.activations_bytes == 4 * B * (784 + 256 + 128 + 10) + 8 * B);
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

TEST_CASE("Forward-only rules cost what docs/references.md#rule-costs says, for MLPs by hand",
          "[quick][algorithms]") {
  struct Case {
    const char* spec;
    int64_t f, f1, f_last;        // forward MACs per sample: all layers, the first, the last
    int64_t n0, classes, hidden;  // input size, classes, Σ hidden widths
  };
  for (const Case& c : {Case{"mlp:784-256-128-10", 234752, 200704, 1280, 784, 10, 384},
                        Case{"mlp:784-800-800-10:tanh", 1275200, 627200, 8000, 784, 10, 1600},
                        Case{"mlp:784-1024-10:sigmoid", 813056, 802816, 10240, 784, 10, 1024}}) {
    for (int64_t b : {1, 64}) {
      INFO(c.spec << " batch " << b);
      const int64_t F = c.f * b, F1 = c.f1 * b, FL = c.f_last * b;
      // FA: as BP, the data gradients through fixed random matrices (phase feedback).
      const TrainingStep fa = expand("fa", c.spec, b);
      CHECK(fa.graph.macs() == F + (F - F1) + F);
      CHECK(fa.graph.macs(Phase::feedback) == F - F1);
      CHECK(fa.graph.macs(Phase::backward_data) == 0);
      // DFA: F + C·Σ hidden n_l + F.
      const TrainingStep dfa = expand("dfa", c.spec, b);
      CHECK(dfa.graph.macs() == F + b * c.classes * c.hidden + F);
      CHECK(dfa.graph.macs(Phase::feedback) == b * c.classes * c.hidden);
      CHECK(dfa.memory.feedback_bytes == 4 * c.classes * c.hidden);  // B_l: n_l × C, fp32
      // DRTP: 2F (B_l y* is a column lookup).
      const TrainingStep drtp = expand("drtp", c.spec, b);
      CHECK(drtp.graph.macs() == 2 * F);
      // PEPITA: 3F + n_0·C; MEMPEPITA: the first pass again, except the output layer.
      const TrainingStep pepita = expand("pepita", c.spec, b);
      CHECK(pepita.graph.macs() == 3 * F + b * c.n0 * c.classes);
      CHECK(pepita.graph.macs(Phase::second_forward) == F);
      CHECK(pepita.graph.macs(Phase::feedback) == b * c.n0 * c.classes);
      const TrainingStep mem = expand("mempepita", c.spec, b);
      CHECK(mem.graph.macs() == 4 * F - FL + b * c.n0 * c.classes);
      // FF: two forward passes and two weight gradients per layer: 4F.
      const TrainingStep ff = expand("ff", c.spec, b);
      CHECK(ff.graph.macs() == 4 * F);
      CHECK(ff.graph.macs(Phase::forward) == 2 * F);
      CHECK(ff.graph.macs(Phase::backward_weight) == 2 * F);
      // Every rule updates every parameter once.
      for (const TrainingStep* s : {&fa, &dfa, &drtp, &pepita, &mem, &ff}) {
        int64_t updated = 0;
        for (const auto& op : s->graph.ops())
          if (op.kind == workloads::OpKind::optimizer_update) updated += op.params;
        CHECK(updated == s->graph.params());
      }
    }
  }
}

TEST_CASE("Rule traits and memory: who transports weights, sweeps back, locks, holds what",
          "[quick][algorithms]") {
  struct Traits {
    const char* rule;
    bool transport, sweep, locking;
  };
  for (const Traits& t :
       {Traits{"bp", true, true, true}, Traits{"fa", false, true, true},
        Traits{"dfa", false, false, true}, Traits{"drtp", false, false, false},
        Traits{"pepita", false, false, true}, Traits{"mempepita", false, false, true},
        Traits{"ff", false, false, false}}) {
    INFO(t.rule);
    const TrainingStep s = expand(t.rule, "mlp:784-256-128-10", 64);
    CHECK(s.traits.weight_transport == t.transport);
    CHECK(s.traits.backward_sweep == t.sweep);
    CHECK(s.traits.update_locking == t.locking);
  }
  // Activations held: BP and PEPITA all layers; DRTP and FF one layer; MEMPEPITA O(1) in depth.
  const int64_t b = 64;
  const auto held = [&](const char* rule, const char* spec) {
    return expand(rule, spec, b).memory.activations_bytes;
  };
  CHECK(held("drtp", "mlp:784-256-128-10") == b * (784 + 256) * 4);
  CHECK(held("ff", "mlp:784-256-128-10") == 2 * b * (784 + 256) * 4);
  CHECK(held("mempepita", "mlp:784-256-256-256-256-10") ==
        held("mempepita", "mlp:784-256-10"));  // does not grow with depth
  CHECK(held("pepita", "mlp:784-256-256-256-256-10") > held("pepita", "mlp:784-256-10"));
}

TEST_CASE("Rules that train only MLPs say which op they cannot train", "[quick][algorithms]") {
  for (const char* rule : {"pepita", "mempepita", "ff"}) {
    INFO(rule);
    CHECK_THROWS_WITH(expand(rule, "cnn-fmnist", 4),
                      Catch::Contains(std::string("rule ") + rule + " cannot train op 'conv1'") &&
                          Catch::Contains("conv2d"));
  }
  // FA, DFA and DRTP train what BP trains, convolutions included.
  for (const char* rule : {"fa", "dfa", "drtp"})
    CHECK(expand(rule, "cnn-fmnist", 4).graph.macs() > 0);
}
