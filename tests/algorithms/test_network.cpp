#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "algorithms/functional/network.h"
#include "algorithms/functional/numerics.h"
#include "results/core/error.h"
#include "workloads/net_builder.h"

using namespace frugal;
using namespace frugal::algorithms;
using workloads::ConvParams;
using workloads::NetBuilder;
using workloads::PoolParams;
using workloads::Value;

namespace {

// 1×6×6 → conv 3×3 (2 channels, stride 1, pad 1) → tanh → max pool 2 → conv 2×2 (3, stride 2,
// pad 1) → sigmoid → average pool 2 (stride 1) → dense 4 → tanh → dense 3.
workloads::Graph small_cnn() {
  NetBuilder net("test-cnn", {});
  Value x = net.input({1, 6, 6});
  x = net.activation(net.conv2d(x, ConvParams::square(2, 3, 1, 1), "c1"), "tanh", "c1.tanh");
  x = net.max_pool(x, PoolParams::square(2, 2), "p1");
  x = net.activation(net.conv2d(x, ConvParams::square(3, 2, 2, 1), "c2"), "sigmoid", "c2.sig");
  x = net.avg_pool(x, PoolParams::square(2, 1), "p2");
  x = net.flatten(x);
  x = net.activation(net.dense(x, 4, "f1"), "tanh", "f1.tanh");
  return net.finish(net.dense(x, 3, "f2"));
}

double loss_of(const Network& net, const Matrix& x, const uint8_t* labels, Numerics& n) {
  Pass pass;
  net.forward(x, n, pass);
  Matrix z = pass.h.back();
  return softmax_cross_entropy(z, labels);
}

}  // namespace

TEST_CASE("A convolution and pooling by hand", "[quick][network]") {
  NetBuilder b("hand", {});
  Value x = b.input({1, 4, 4});
  x = b.conv2d(x, ConvParams::square(1, 3, 2, 1, false), "c");  // 2×2 output
  x = b.max_pool(x, PoolParams::square(2, 2), "p");             // 1×1
  std::mt19937_64 rng(1);
  const workloads::Graph g = b.finish(b.flatten(x));
  Network net(g, 16, 1, rng);
  net.layers()[0].w.setOnes();  // the output is the sum of the window inside the input
  Matrix in(16, 1);
  for (int i = 0; i < 16; ++i) in(i, 0) = static_cast<float>(i);  // row-major 4×4: value = 4r + c
  auto fp32 = make_digital_numerics("fp32");
  Pass pass;
  net.forward(in, *fp32, pass);
  // Output (0,0): rows −1..1, cols −1..1 → inputs (0..1)×(0..1): 0+1+4+5 = 10.
  // (0,1): cols 1..3 → 1+2+3+5+6+7 = 24; (1,0): rows 1..3, cols 0..1 → 4+5+8+9+12+13 = 51;
  // (1,1): rows 1..3, cols 1..3 → 5+6+7+9+10+11+13+14+15 = 90.
  const Matrix& conv = pass.h[1];
  CHECK(conv(0, 0) == 10.0f);
  CHECK(conv(1, 0) == 24.0f);
  CHECK(conv(2, 0) == 51.0f);
  CHECK(conv(3, 0) == 90.0f);
  CHECK(pass.h[2](0, 0) == 90.0f);  // max pooling
  CHECK(fp32->activity().macs == 4 * 9);
}

TEST_CASE("Backpropagated gradients match finite differences", "[quick][network]") {
  std::mt19937_64 rng(7);
  const workloads::Graph g = small_cnn();
  Network net(g, 36, 3, rng);
  Matrix x(36, 5);
  init_uniform(x, 1.0f, rng);
  const uint8_t labels[5] = {0, 2, 1, 1, 0};
  auto n = make_digital_numerics("fp32");
  // Analytic: the chain rule through every layer.
  Pass pass;
  net.forward(x, *n, pass);
  Matrix p = pass.h.back();
  softmax_cross_entropy(p, labels);
  for (int j = 0; j < 5; ++j) p(labels[j], j) -= 1.0f;
  Matrix grad = p / 5.0f, below;
  std::vector<Gradients> grads(net.layers().size());
  for (size_t i = net.layers().size(); i-- > 0;) {
    net.backward_layer(i, pass, grad, *n, net.layers()[i].trainable() ? &grads[i] : nullptr,
                       i > 0 ? &below : nullptr);
    if (i > 0) grad.swap(below);
  }
  // Numeric: central differences of the loss, in double precision arithmetic on the weights.
  int compared = 0;
  for (size_t i = 0; i < net.layers().size(); ++i) {
    Layer& l = net.layers()[i];
    if (!l.trainable()) continue;
    for (Eigen::Index k = 0; k < l.w.size(); k += 3) {
      const float saved = l.w.data()[k];
      const float h = 1e-2f;
      l.w.data()[k] = saved + h;
      const double up = loss_of(net, x, labels, *n);
      l.w.data()[k] = saved - h;
      const double down = loss_of(net, x, labels, *n);
      l.w.data()[k] = saved;
      const double numeric = (up - down) / (2 * h);
      INFO(l.name << " weight " << k);
      CHECK(grads[i].w.data()[k] == Approx(numeric).margin(2e-4).epsilon(0.02));
      ++compared;
    }
    for (Eigen::Index k = 0; k < l.b.size(); ++k) {
      const float saved = l.b(k);
      l.b(k) = saved + 1e-2f;
      const double up = loss_of(net, x, labels, *n);
      l.b(k) = saved - 1e-2f;
      const double down = loss_of(net, x, labels, *n);
      l.b(k) = saved;
      INFO(l.name << " bias " << k);
      CHECK(grads[i].b(k) == Approx((up - down) / 2e-2).margin(2e-4).epsilon(0.02));
    }
  }
  CHECK(compared > 20);
}

TEST_CASE("Networks the functional face cannot train are refused by op", "[quick][network]") {
  std::mt19937_64 rng(1);
  NetBuilder b("grouped", {});
  Value x = b.input({2, 4, 4});
  x = b.conv2d(x, ConvParams::square(2, 3, 1, 1, true, 2), "dw");
  const workloads::Graph g = b.finish(b.flatten(x));
  CHECK_THROWS_WITH(Network(g, 32, 32, rng), Catch::Contains("'dw'") && Catch::Contains("grouped"));
  NetBuilder r("residual", {});
  Value in = r.input({8});
  Value y = r.dense(in, 8, "fc");
  const workloads::Graph res = r.finish(r.elementwise("add", y, in, "skip"));
  CHECK_THROWS_WITH(Network(res, 8, 8, rng), Catch::Contains("'skip'"));
}

TEST_CASE("AdamW's step by hand: Adam's, and the weights decayed by the learning rate",
          "[quick][network]") {
  // One dense layer 2 → 2 with its bias; a constant gradient of 0.5 everywhere, two steps.
  NetBuilder builder("adamw", {});
  const Value x = builder.input({2});
  const workloads::Graph graph = builder.finish(builder.dense(x, 2, "fc"));
  auto fp32 = make_digital_numerics("fp32");
  std::mt19937_64 rng(1), same(1);
  OptimizerSettings adamw, adam;
  adamw.name = "adamw";
  adam.name = "adam";
  Network decayed(graph, 2, 2, rng, adamw), plain(graph, 2, 2, same, adam);
  Gradients g;
  g.w = Matrix::Constant(2, 2, 0.5f);
  g.b = Vector::Constant(2, 0.5f);
  const float lr = 0.1f;
  Matrix w = plain.layers()[0].w;
  Vector b = plain.layers()[0].b;
  for (int t = 1; t <= 2; ++t) {
    decayed.update(0, g, lr, *fp32);
    plain.update(0, g, lr, *fp32);
    // A constant gradient: m̂ = v̂^½ = 0.5 after bias correction, so Adam's step is
    // lr · 0.5 / (0.5 + 1e-8) ≈ lr; AdamW's weights first shrink by 1 − lr · 0.01.
    w = w - (lr * 0.01f) * w - Matrix::Constant(2, 2, lr * 0.5f / (0.5f + 1e-8f));
    b = b - (lr * 0.01f) * b - Vector::Constant(2, lr * 0.5f / (0.5f + 1e-8f));
    for (Eigen::Index i = 0; i < w.size(); ++i)
      CHECK(decayed.layers()[0].w.data()[i] == Approx(w.data()[i]).epsilon(1e-5));
    for (Eigen::Index i = 0; i < b.size(); ++i)
      CHECK(decayed.layers()[0].b(i) == Approx(b(i)).epsilon(1e-5));
  }
  // Adam alone moves the weights by its step only: the difference is the decay.
  const Matrix gap = plain.layers()[0].w - decayed.layers()[0].w;
  CHECK(gap.cwiseAbs().maxCoeff() > 0);
  CHECK_THROWS_WITH(
      [&] {
        OptimizerSettings lion;
        lion.name = "lion";
        std::mt19937_64 r(1);
        Network n(graph, 2, 2, r, lion);
      }(),
      Catch::Contains("sgd, momentum, adam or adamw"));
}
