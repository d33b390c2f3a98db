#include <catch2/catch.hpp>

#include "results/core/error.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::workloads;

namespace {
Graph mlp(const std::string& spec, int64_t batch = 1) {
  BuildOptions options;
  options.batch = batch;
  return build_model(spec, options);
}
}  // namespace

TEST_CASE("MLP parameter and MAC totals match hand counts", "[quick][workloads]") {
  // params = Σ (n_in·n_out + n_out); MACs per sample = Σ n_in·n_out
  SECTION("784-256-128-10") {
    const Graph g = mlp("mlp:784-256-128-10");
    CHECK(g.params() == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);  // 235,146
    CHECK(g.params() == 235146);
    CHECK(g.macs() == 784 * 256 + 256 * 128 + 128 * 10);  // 234,752
    CHECK(g.layer_count() == 3);
  }
  SECTION("4-3, a single layer") {
    const Graph g = mlp("mlp:4-3");
    CHECK(g.params() == 15);
    CHECK(g.macs() == 12);
    CHECK(g.ops().size() == 1);  // no activation on the output layer
  }
  SECTION("2×800 tanh, as in Nøkland 2016") {
    const Graph g = mlp("mlp:784-800-800-10:tanh");
    CHECK(g.params() == 784 * 800 + 800 + 800 * 800 + 800 + 800 * 10 + 10);  // 1,276,810
    CHECK(g.macs() == 1275200);
    CHECK(g.ops()[1].function == "tanh");
  }
  SECTION("MACs scale with the batch, parameters do not") {
    const Graph g = mlp("mlp:784-256-128-10", 64);
    CHECK(g.macs() == 64 * 234752);
    CHECK(g.params() == 235146);
  }
}

TEST_CASE("MLP ops carry shapes and the bytes they move", "[quick][workloads]") {
  const Graph g = mlp("mlp:784-256-10", 8);
  REQUIRE(g.ops().size() == 3);  // fc1, fc1.relu, fc2
  const Op& fc1 = g.ops()[0];
  CHECK(fc1.kind == OpKind::dense);
  CHECK(fc1.phase == Phase::forward);
  CHECK(fc1.layer == 1);
  CHECK(fc1.in.str() == "8x784");
  CHECK(fc1.out.str() == "8x256");
  CHECK(fc1.macs == 8 * 784 * 256);
  CHECK(fc1.other_ops == 8 * 256);  // bias additions
  CHECK(fc1.params == 784 * 256 + 256);
  CHECK(fc1.weight_bytes_read == 4 * (784 * 256 + 256));
  CHECK(fc1.act_bytes_read == 4 * 8 * 784);
  CHECK(fc1.act_bytes_written == 4 * 8 * 256);
  CHECK(fc1.weight_bytes_written == 0);
  const Op& relu = g.ops()[1];
  CHECK(relu.kind == OpKind::activation);
  CHECK(relu.other_ops == 8 * 256);
  CHECK(relu.act_bytes_read == relu.act_bytes_written);

  const auto layers = g.layers();
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].params == 784 * 256 + 256);
  CHECK(layers[0].macs == 8 * 784 * 256);
  CHECK(layers[1].out.str() == "8x10");
  CHECK(g.tensor(g.output_tensor()).elements == 80);
  CHECK(g.tensor(g.input_tensor()).kind == TensorKind::input);
}

TEST_CASE("malformed and unknown model specs are rejected with a clear message",
          "[quick][workloads]") {
  CHECK_THROWS_WITH(mlp("mlp:784--10"),
                    Catch::Contains("'mlp:784--10'") && Catch::Contains("layer size 2 is empty"));
  CHECK_THROWS_WITH(mlp("mlp:0-10"), Catch::Contains("layer size 1 is 0"));
  CHECK_THROWS_WITH(mlp("mlp:10"), Catch::Contains("at least an input and an output"));
  CHECK_THROWS_WITH(mlp("mlp:"), Catch::Contains("no layer sizes"));
  CHECK_THROWS_WITH(mlp("mlp"), Catch::Contains("no layer sizes"));
  CHECK_THROWS_WITH(mlp("mlp:10-x"), Catch::Contains("'x' is not a positive integer"));
  CHECK_THROWS_WITH(mlp("mlp:10--5"), Catch::Contains("empty"));
  CHECK_THROWS_WITH(mlp("mlp:10-5:gelu"), Catch::Contains("unknown activation 'gelu'"));
  CHECK_THROWS_WITH(mlp("mlp:10-99999999999"), Catch::Contains("larger than"));
  CHECK_THROWS_WITH(mlp("resnet9000"),
                    Catch::Contains("unknown model 'resnet9000'") && Catch::Contains("mlp:IN-H1"));
  CHECK_THROWS_WITH(mlp("mlp:784-10", 0), Catch::Contains("batch must be a positive integer"));
  CHECK_THROWS_AS(mlp("mlp:784-10", -3), InputError);
}

TEST_CASE("counts that overflow 64 bits are an input error, not a wrong number",
          "[quick][workloads]") {
  CHECK_THROWS_WITH(mlp("mlp:100000000-100000000", 1000000000), Catch::Contains("overflows"));
}
