// The analog crossbar's numerics (the functional face of the analog device, first part).

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "algorithms/functional/numerics.h"
#include "algorithms/functional/trainer.h"
#include "hw_models/analog/analog_numerics.h"
#include "results/core/error.h"
#include "workloads/model_registry.h"

using namespace frugal;
using namespace frugal::hw::analog;
using algorithms::Matrix;
using algorithms::Operand;

namespace {

AnalogSettings ideal() {
  AnalogSettings s;
  s.prog_noise_scale = s.read_noise_scale = s.drift_scale = 0;
  s.dac_bits = s.adc_bits = 16;
  s.output_bound = 64;  // no clipping here, steps of 64/32767
  return s;
}

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
  return m;
}

}  // namespace

TEST_CASE("Noise off, 16-bit converters, 255 levels: the crossbar multiplies as int8 weights",
          "[quick][analog]") {
  AnalogSettings s = ideal();
  s.levels = 255;  // per device: with the pair, 2·254 + 1 = 509 signed values, finer than int8
  PcmNumerics pcm(s, 1);
  const Matrix w = random_matrix(64, 100, 2), x = random_matrix(100, 8, 3);
  Matrix y;
  pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, y);
  Matrix q = w;
  algorithms::quantize_symmetric(q, 8);
  const Matrix reference = w * x, int8 = q * x;
  CHECK((y - reference).cwiseAbs().maxCoeff() < 0.05f);
  CHECK((y - reference).norm() <= (int8 - reference).norm());
  CHECK(pcm.activity().macs == 64 * 100 * 8);
  // The transposed forms (backward passes, convolutions) agree with it.
  Matrix yt;
  pcm.matmul(x, Operand::activation, true, w, Operand::weight, true, yt);
  CHECK((yt - Matrix(y.transpose())).cwiseAbs().maxCoeff() < 1e-4f);
}

TEST_CASE("PCM programming noise and drift follow the published model", "[quick][analog]") {
  PcmNumerics pcm({}, 7);
  // σ_prog at g_T = g_max / 2: 0.26348 + 1.9650·0.5 − 1.1731·0.25 = 0.952705 µS (g_max 25 µS).
  CHECK(pcm.programming_sigma(12.5e-6) == Approx(0.952705e-6).epsilon(1e-4));
  // ν at g_T = g_max: μ = clip(0.0244, 0.049, 0.1) = 0.049, σ = clip(−0.0059, ...) = 0.008.
  CHECK(PcmNumerics::drift_mean(1.0) == Approx(0.049));
  CHECK(PcmNumerics::drift_spread(1.0) == Approx(0.008));
  CHECK(PcmNumerics::drift_mean(0.01) == Approx(-0.0155 * std::log(0.01) + 0.0244));
  // Measured over many devices: one weight value programmed 20,000 times, read after a day.
  AnalogSettings s;
  s.read_noise_scale = 0;
  PcmNumerics device(s, 11);
  Matrix w = Matrix::Constant(200, 100, 0.5f);
  w(0, 0) = 1.0f;  // sets the scale: 0.5 maps to g_max / 2
  Matrix at0 = w;
  device.represent(at0, Operand::weight);
  const double mean0 = at0.mean(), spread0 = std::sqrt((at0.array() - mean0).square().mean());
  // The − device programmed to 0 adds a half-normal of σ = c0; the + device σ_prog(g_max/2).
  CHECK(spread0 / 1.0 * 25e-6 ==
        Approx(std::sqrt(0.952705e-6 * 0.952705e-6 + 0.26348e-6 * 0.26348e-6 * (1 - 2 / M_PI)))
            .epsilon(0.05));
  device.elapse(86400);
  Matrix day = w;
  device.represent(day, Operand::weight);
  // g(t) = g₀·((t + t0)/t0)^−ν with ν ≈ 0.0592 at g_T/g_max = 0.5: a day shrinks weights ~27%.
  const double expected = std::pow((86400.0 + 20.0) / 20.0, -PcmNumerics::drift_mean(0.5));
  CHECK(day.mean() / mean0 == Approx(expected).epsilon(0.05));
}

TEST_CASE("Drift costs accuracy over time; compensation recovers part of it", "[quick][analog]") {
  const workloads::DataSplit data = workloads::load_dataset("synthetic", "", 1000, 300, 4);
  algorithms::TrainOptions o;
  o.epochs = 2;
  o.batch = 32;
  o.learning_rate = 0.05;
  const auto graph = workloads::build_model("mlp:784-64-10:tanh", {});
  // Trained in ideal fp32, then programmed once: a reference point for drift.
  const algorithms::TrainResult trained = algorithms::train(graph, data, o);
  CHECK(trained.final_test_accuracy() > 0.9);
  // Noise-free programming through the trainer: the analog face trains (reprogrammed each step).
  o.make_numerics = [] { return std::make_unique<PcmNumerics>(ideal(), 3); };
  const algorithms::TrainResult analog = algorithms::train(graph, data, o);
  CHECK(analog.final_test_accuracy() > trained.final_test_accuracy() - 0.05);
  // Drift directions on one layer's outputs: error after a year > after a second; compensated
  // < uncompensated.
  const Matrix w = random_matrix(64, 784, 5), x = random_matrix(784, 32, 6);
  const Matrix exact = w * x;
  auto error_at = [&](double t, bool compensate) {
    AnalogSettings s;
    s.drift_compensation = compensate;
    PcmNumerics pcm(s, 9);
    Matrix y;
    pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, y);  // programs
    pcm.elapse(t);
    pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, y);
    return (y - exact).norm() / exact.norm();
  };
  CHECK(error_at(31536000, false) > error_at(1, false));
  CHECK(error_at(31536000, true) < error_at(31536000, false));
}

TEST_CASE("Analog numerics are seeded; bad settings are refused", "[quick][analog]") {
  const Matrix w = random_matrix(8, 8, 1), x = random_matrix(8, 2, 2);
  Matrix a, b, c;
  PcmNumerics(AnalogSettings{}, 5)
      .matmul(w, Operand::weight, false, x, Operand::activation, false, a);
  PcmNumerics(AnalogSettings{}, 5)
      .matmul(w, Operand::weight, false, x, Operand::activation, false, b);
  PcmNumerics(AnalogSettings{}, 6)
      .matmul(w, Operand::weight, false, x, Operand::activation, false, c);
  CHECK(a == b);
  CHECK(a != c);
  AnalogSettings bad;
  bad.adc_bits = 40;
  CHECK_THROWS_WITH(PcmNumerics(bad, 1), Catch::Contains("ADC bits"));
  PcmNumerics ok({}, 1);
  CHECK_THROWS_WITH(ok.elapse(-1), Catch::Contains("drift time"));
}
