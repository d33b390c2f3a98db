#include <catch2/catch.hpp>

#include "algorithms/learning_rule.h"
#include "results/core/error.h"
#include "workloads/model_registry.h"
#include "workloads/net_builder.h"

using namespace frugal;
using namespace frugal::workloads;

namespace {
Graph model(const std::string& spec, int64_t batch = 1) {
  BuildOptions o;
  o.batch = batch;
  return build_model(spec, o);
}
algorithms::TrainingStep bp(const Graph& g) {
  return algorithms::make_rule("bp")->expand(g, algorithms::StepOptions{});
}
int64_t macs_of(const Graph& g, OpKind kind) {
  int64_t total = 0;
  for (const Op& op : g.ops())
    if (op.kind == kind) total += op.macs;
  return total;
}
}  // namespace

TEST_CASE("Zoo parameter and MAC counts equal torchvision's and the papers'", "[quick][zoo]") {
  // Parameters: torchvision's model cards (sum of parameter sizes); MACs: Conv2d and Linear
  // layers at 224x224, batch 1, as forward hooks count them (tests/python/compare_torch.py).
  struct Expected {
    const char* spec;
    int64_t params, macs;
  };
  const Expected zoo[] = {
      {"alexnet", 61'100'840, 714'188'480},     {"vgg16", 138'357'544, 15'470'264'320},
      {"resnet18", 11'689'512, 1'814'073'344},  {"resnet50", 25'557'032, 4'089'184'256},
      {"mobilenet_v2", 3'504'872, 300'774'272}, {"lenet5", 61'706, 416'520},
      {"cnn-fmnist", 421'642, 4'241'152},
  };
  for (const Expected& e : zoo) {
    INFO(e.spec);
    const Graph g = model(e.spec);
    CHECK(g.params() == e.params);
    CHECK(g.macs() == e.macs);
  }
  // Batch scales MACs, not parameters.
  CHECK(model("resnet18", 8).macs() == 8 * 1'814'073'344LL);
  CHECK(model("resnet18", 8).params() == 11'689'512);
}

TEST_CASE("Convolution arithmetic: output sizes, groups, MACs by hand", "[quick][zoo]") {
  CHECK(window_output(224, 7, 2, 3, 3, 1, false) == 112);
  CHECK(window_output(112, 3, 2, 1, 1, 1, false) == 56);
  CHECK(window_output(7, 3, 2, 0, 0, 1, true) == 3);    // ceil mode
  CHECK(window_output(6, 3, 2, 0, 0, 1, true) == 3);    // last window starts inside
  CHECK(window_output(10, 3, 1, 0, 0, 2, false) == 6);  // dilation 2: span 5
  BuildOptions o;
  o.batch = 2;
  NetBuilder net("hand", o);
  const Value x = net.input({8, 10, 10});
  // Depthwise 3x3, stride 1, pad 1: 2·8·10·10 outputs × (8/8)·3·3 MACs; params 8·1·3·3 + 8.
  const Value y = net.conv2d(x, ConvParams::square(8, 3, 1, 1, true, 8), "dw");
  CHECK(y.shape.str() == "2x8x10x10");
  const Graph g = net.finish(y);
  CHECK(g.macs() == 2 * 8 * 10 * 10 * 9);
  CHECK(g.params() == 8 * 9 + 8);
  CHECK(g.ops().front().other_ops == 2 * 8 * 10 * 10);  // bias additions
  NetBuilder bad("bad", o);
  const Value z = bad.input({6, 4, 4});
  CHECK_THROWS_WITH(bad.conv2d(z, ConvParams::square(8, 3, 1, 1, true, 4), "g"),
                    Catch::Contains("groups 4 must divide"));
  CHECK_THROWS_WITH(bad.conv2d(z, ConvParams::square(8, 7), "big"),
                    Catch::Contains("does not fit"));
}

TEST_CASE("GPT-2 has 124,439,808 parameters; BLOOM 176,247,271,424", "[quick][zoo]") {
  CHECK(model("gpt2").params() == 124'439'808);
  CHECK(model("gpt:layers=12,d_model=768,heads=12,seq=1024,vocab=50257").params() == 124'439'808);
  // Untied output projection: the vocabulary matrix once more.
  CHECK(model("gpt:layers=12,d_model=768,heads=12,seq=1024,vocab=50257,tied=no").params() ==
        124'439'808 + 50257LL * 768);
  CHECK(model("bloom").params() == 176'247'271'424LL);
}

TEST_CASE("GPT-3 training FLOPs per token are 6N plus the attention term", "[quick][zoo]") {
  const Graph g = model("gpt3");
  const double n = static_cast<double>(g.params());
  CHECK(n == Approx(174.6e9).epsilon(0.001));
  const auto step = bp(g);
  const double L = 96, S = 2048, D = 12288;
  const double flops_per_token = 2.0 * static_cast<double>(step.graph.macs()) / S;
  // Kaplan et al. 2020: C ≈ 6N + 6·L·S·D per token (their attention term); within 2%.
  CHECK(flops_per_token == Approx(6 * n + 6 * L * S * D).epsilon(0.02));
  // Counting QKᵀ and AV in full (as computed and masked): 6N + 12·L·S·D, within 0.1%.
  CHECK(flops_per_token == Approx(6 * n + 12 * L * S * D).epsilon(0.001));
}

TEST_CASE("Attention products grow with the sequence length squared", "[quick][zoo]") {
  const Graph a = model("gpt:layers=2,d_model=64,heads=4,seq=128,vocab=1000");
  const Graph b = model("gpt:layers=2,d_model=64,heads=4,seq=256,vocab=1000");
  CHECK(macs_of(a, OpKind::matmul) == 2 * 2 * 128LL * 128 * 64);  // layers × (QKᵀ, AV) × S²·D
  CHECK(macs_of(b, OpKind::matmul) == 4 * macs_of(a, OpKind::matmul));
  CHECK(macs_of(b, OpKind::dense) == 2 * macs_of(a, OpKind::dense));  // linear in S
  // An embedding reads the rows it gathers, not its whole table.
  for (const Op& op : a.ops())
    if (op.kind == OpKind::embedding) CHECK(op.weight_bytes_read == 128 * 64 * 4);
}

TEST_CASE("Backprop through convolutions, residuals and attention", "[quick][zoo]") {
  // Sequential convnet: data gradients for every layer but the first, weight gradients for all.
  const Graph lenet = model("lenet5", 4);
  const auto s = bp(lenet);
  const int64_t f = lenet.macs(), f1 = lenet.ops().front().macs;
  CHECK(s.graph.macs(Phase::forward) == f);
  CHECK(s.graph.macs(Phase::backward_data) == f - f1);
  CHECK(s.graph.macs(Phase::backward_weight) == f);
  // ResNet-50: each of the 16 blocks' input feeds two paths, so its gradient is a sum.
  const Graph resnet = model("resnet50");
  const auto r = bp(resnet);
  int accumulations = 0;
  for (const Op& op : r.graph.ops()) accumulations += op.kind == OpKind::grad_accumulate;
  CHECK(accumulations == 16);
  CHECK(r.graph.macs(Phase::backward_data) == resnet.macs() - 118'013'952);  // all but conv1
  CHECK(r.graph.macs(Phase::backward_weight) == resnet.macs());
  // Every weight gets exactly one update (the tied GPT embedding too).
  const Graph gpt = model("gpt:layers=2,d_model=64,heads=4,seq=32,vocab=500");
  const auto t = bp(gpt);
  int64_t updated = 0;
  for (const Op& op : t.graph.ops())
    if (op.kind == OpKind::optimizer_update) updated += op.params;
  CHECK(updated == gpt.params());
  // Both operands of QKᵀ and AV get gradients: 2 matmul_grad ops per product.
  CHECK(macs_of(t.graph, OpKind::matmul_grad) == 2 * macs_of(gpt, OpKind::matmul));
  CHECK(t.graph.macs() == 3 * gpt.macs());
}

TEST_CASE("Malformed zoo specs are rejected naming the spec", "[quick][zoo]") {
  CHECK_THROWS_WITH(model("resnet50:0x224"), Catch::Contains("'resnet50:0x224'"));
  CHECK_THROWS_WITH(model("resnet50:224"), Catch::Contains("HxW"));
  CHECK_THROWS_WITH(model("alexnet:32x32"), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(model("gpt:layers=2,d_model=65,heads=4,seq=8,vocab=10"),
                    Catch::Contains("not a multiple of heads"));
  CHECK_THROWS_WITH(model("gpt:layers=2,d_model=64,heads=4,seq=8"),
                    Catch::Contains("missing vocab"));
  CHECK_THROWS_WITH(model("gpt:layers=0,d_model=64,heads=4,seq=8,vocab=10"),
                    Catch::Contains("layers must be a positive integer"));
  CHECK_THROWS_WITH(model("gpt2:seq=4"), Catch::Contains("takes no arguments"));
}

TEST_CASE("Backprop through a concatenation of two branches", "[quick][zoo]") {
  BuildOptions o;
  o.batch = 4;
  NetBuilder net("branches", o);
  const Value x = net.input({16});
  const Value h = net.dense(x, 32, "h");
  const Value a = net.dense(h, 8, "a");
  const Value b = net.dense(h, 24, "b");
  const Graph g = net.finish(net.dense(net.concat({a, b}, 1, "cat"), 10, "out"));
  CHECK(g.ops()[3].out.str() == "4x32");
  const auto step = bp(g);
  // Errors reach h through both branches (summed once); none go into x.
  CHECK(step.graph.macs(Phase::backward_data) == 4 * (32 * 8 + 32 * 24 + 32 * 10));
  CHECK(step.graph.macs(Phase::backward_weight) == g.macs());
  int accumulations = 0;
  for (const Op& op : step.graph.ops()) accumulations += op.kind == OpKind::grad_accumulate;
  CHECK(accumulations == 1);
}
