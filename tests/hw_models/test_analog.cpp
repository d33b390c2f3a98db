// The analog crossbar's numerics (the functional face of the analog device, first part).

// GCC 12 sees uninitialized lanes in Eigen's AVX-512 product kernels that it instantiates here
// (a false positive: Eigen's own code).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

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

// ideal() trained with exact pulses: noiseless, symmetric devices, a granule of `dw_min` of
// g_max, and g_max standing for `range` times the initial largest weight.
AnalogSettings exact_pulses(double dw_min, double range) {
  AnalogSettings s = ideal();
  s.pulsed_updates = true;
  s.pulse_noise = 0;
  s.up_down = 0;
  s.dw_min = dw_min;
  s.train_weight_range = range;
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

TEST_CASE("Pulsed updates fire the pulses counted by hand; column scales map each column apart",
          "[quick][analog]") {
  // Noise off, symmetric soft-bounds devices, a granule of 1/8 of g_max, one scale per matrix
  // with no room to grow: g_max stands for the largest weight, 1.
  AnalogSettings s = exact_pulses(0.125, 1);
  s.max_pulses = 3;
  Matrix w(2, 2);
  w << 1.0f, 0.0f, 0.0f, -0.5f;
  Matrix step(2, 2);  // minus the move asked for, in weight units (= g_max units here)
  step << 0.0f, -0.3125f, 0.1f, 0.6f;
  SECTION("mixed precision: whole granules fire, the rest waits in the accumulator") {
    s.scheme = UpdateScheme::mixed_precision;
    PcmNumerics pcm(s, 1);
    Matrix held = w;
    pcm.update(held, step);
    // |χ| / ε: 0, 2.5 -> 2 pulses (χ keeps 0.0625), 0.8 -> 0, 4.8 -> 4, capped at 3.
    CHECK(pcm.pulses() == 2 + 3);
    CHECK(pcm.pair_updates() == 4);
    CHECK(pcm.activity().pulses == 5);
    // Crossbar row j holds column j of W, its devices pulsed in parallel: row 0 takes no slot,
    // row 1 as many as its most-pulsed weight, 3.
    CHECK(pcm.activity().row_slots == 3);
    CHECK(pcm.activity().rows_updated == 2);
    // Two up pulses from G = 0: g_max·(1 − (1 − 1/8)²) = 0.234375 g_max.
    CHECK(held(0, 1) == Approx(1.0 - 0.875 * 0.875));
    // Three down pulses from −0.5: −1 + 0.5·(7/8)³.
    CHECK(held(1, 1) == Approx(-1.0 + 0.5 * std::pow(0.875, 3)));
    CHECK(held(1, 0) == 0.0f);
    CHECK(held(0, 0) == 1.0f);
    // The same step again: χ = 0.0625 + 0.3125 = 0.375 fires 3; 0.1 + 0.1 = 0.2 fires 1.
    pcm.update(held, step);
    CHECK(pcm.pulses() == 5 + 3 + 1 + 3);
    CHECK(pcm.pair_updates() == 8);
    CHECK(pcm.activity().row_slots == 3 + 1 + 3);
  }
  SECTION("plain SGD: the count is rounded stochastically, so it is right on average") {
    s.max_pulses = 100;
    PcmNumerics pcm(s, 2);
    Matrix big = Matrix::Zero(100, 100), ask = Matrix::Constant(100, 100, -0.3125f);
    big(0, 0) = 1.0f;  // the scale
    ask(0, 0) = 0.0f;
    pcm.update(big, ask);
    // 2.5 pulses asked of each of 9,999 weights: 2 or 3, mean 2.5.
    CHECK(static_cast<double>(pcm.pulses()) / 9999.0 == Approx(2.5).epsilon(0.02));
  }
  SECTION("room to grow: with a range of 4, g_max stands for 4 times the largest weight") {
    s.train_weight_range = 4;
    PcmNumerics pcm(s, 3);
    Matrix held = w;
    pcm.represent(held, Operand::weight);
    CHECK(held(0, 0) == Approx(1.0f));
    Matrix tiny = Matrix::Zero(2, 2);
    tiny(0, 1) = -0.5f;  // asks 0.5 / 4 = 0.125 of g_max: one pulse
    pcm.update(held, tiny);
    CHECK(pcm.pulses() == 1);
    CHECK(held(0, 1) == Approx(4.0 * 0.125));
  }
  SECTION("column scales: each output keeps its own range, and products stay exact") {
    AnalogSettings c = ideal();
    c.levels = 3;  // weights of each pair device: 0, g_max/2, g_max
    c.column_scales = true;
    PcmNumerics per_column(c, 4);
    Matrix small(2, 2);
    small << 1.0f, 0.5f, 0.01f, 0.005f;  // the second output's weights are 100 times smaller
    Matrix held = small;
    per_column.represent(held, Operand::weight);
    CHECK(held(1, 0) == Approx(0.01f));  // with one scale per matrix, 0.01 rounds to 0
    CHECK(held(1, 1) == Approx(0.005f));
    c.column_scales = false;
    PcmNumerics per_matrix(c, 4);
    Matrix coarse = small;
    per_matrix.represent(coarse, Operand::weight);
    CHECK(coarse(1, 0) == 0.0f);
    // Forward and transposed reads agree with the products of the weights it holds.
    const Matrix x = random_matrix(2, 3, 8), d = random_matrix(2, 3, 9);
    Matrix y, back;
    per_column.matmul(small, Operand::weight, false, x, Operand::activation, false, y);
    per_column.matmul(small, Operand::weight, true, d, Operand::gradient, false, back);
    CHECK((y - held * x).cwiseAbs().maxCoeff() < 3e-3f);
    CHECK((back - held.transpose() * d).cwiseAbs().maxCoeff() < 3e-3f);
  }
}

TEST_CASE("A chip without transposed reads runs the backward products digitally, exactly",
          "[quick][analog]") {
  AnalogSettings s;  // noise, 8-bit converters
  s.dac_bits = s.adc_bits = 8;
  s.digital_backward = true;
  PcmNumerics pcm(s, 3);
  Matrix w = random_matrix(16, 32, 1);
  const Matrix x = random_matrix(32, 4, 2), d = random_matrix(16, 4, 3);
  Matrix forward, backward;
  pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, forward);
  pcm.matmul(w, Operand::weight, true, d, Operand::gradient, false, backward);
  Matrix& held = w;
  pcm.represent(held, Operand::weight);  // the weights as its devices hold them
  CHECK((backward - held.transpose() * d).cwiseAbs().maxCoeff() < 1e-5f);  // no converters
  CHECK((forward - held * x).cwiseAbs().maxCoeff() > 1e-4f);  // the forward read still has them
}

TEST_CASE("A transposed copy: its own programming noise, pulsed in step with the matrix",
          "[quick][analog]") {
  const Matrix x = random_matrix(32, 4, 2), d = random_matrix(16, 4, 3);
  // The backward product through the copy, against the one through the matrix's own devices
  // (ideal converters, no read noise or drift: only the devices differ), largest difference.
  auto gap = [&](AnalogSettings s, bool update) {
    s.transposed_copy = true;
    s.dac_bits = s.adc_bits = 0;
    PcmNumerics pcm(s, 3);
    Matrix w = random_matrix(16, 32, 1);
    Matrix y, backward;
    pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, y);
    pcm.matmul(w, Operand::weight, true, d, Operand::gradient, false, backward);
    if (update) {  // a step of 3 pulses on every pair, both ways
      Matrix step = Matrix::Constant(16, 32, 0.0f);
      for (Eigen::Index i = 0; i < step.size(); ++i)
        step.data()[i] = (i % 2 ? 1.0f : -1.0f) * 3.0f * static_cast<float>(s.dw_min) * 2.0f;
      pcm.update(w, step);
      pcm.matmul(w, Operand::weight, true, d, Operand::gradient, false, backward);
    }
    Matrix held = w;
    pcm.represent(held, Operand::weight);
    return (backward - held.transpose() * d).cwiseAbs().maxCoeff();
  };
  AnalogSettings quiet = ideal();  // no noise of any kind
  CHECK(gap(quiet, false) < 1e-5f);
  // With programming noise, against the same chip reading the matrix's own devices transposed
  // (the same seed: the matrix, programmed first, is the same devices in both).
  auto backward_of = [&](bool copy) {
    AnalogSettings s = ideal();
    s.prog_noise_scale = 1.0;
    s.dac_bits = s.adc_bits = 0;
    s.transposed_copy = copy;
    PcmNumerics pcm(s, 3);
    const Matrix w = random_matrix(16, 32, 1);
    Matrix y, backward;
    pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, y);
    pcm.matmul(w, Operand::weight, true, d, Operand::gradient, false, backward);
    return backward;
  };
  const float noisy = (backward_of(true) - backward_of(false)).cwiseAbs().maxCoeff();
  CHECK(noisy > 1e-3f);  // the copy's devices are not the matrix's
  CHECK(noisy < 0.5f);   // but near them (the product's outputs are of order 3)
  // Pulsed without cycle-to-cycle spread from noiseless programming: the copy follows exactly.
  AnalogSettings pulsed = exact_pulses(0.01, 2.0);
  CHECK(gap(pulsed, true) < 1e-5f);
  pulsed.pulse_noise = 0.3;  // with it, each pair's pulses land a little differently
  CHECK(gap(pulsed, true) > 1e-4f);
}

TEST_CASE("Trained weights grow only as far as the range lets them", "[quick][analog]") {
  // Asked to grow a weight to 3 times the initial largest, in steps of a tenth of it: with g_max
  // standing for twice the initial largest (the range frugal once hard-coded) it pins below 2;
  // with 8 it passes 2.5 (the soft bounds shrink each step by 1 − G/g_max).
  auto grown = [](double range) {
    AnalogSettings s = exact_pulses(AnalogSettings{}.dw_min, range);
    s.max_pulses = 1000000;
    PcmNumerics pcm(s, 5);
    Matrix w(1, 2);
    w << 1.0f, 0.5f;
    Matrix step(1, 2);
    step << -0.1f, 0.0f;
    for (int i = 0; i < 20; ++i) pcm.update(w, step);
    return w(0, 0);
  };
  CHECK(grown(2) < 2.0f);
  CHECK(grown(8) > 2.5f);
}

TEST_CASE("Bound management reads an input again at half its amplitude until its outputs fit",
          "[quick][analog]") {
  AnalogSettings s = ideal();
  s.output_bound = 5;  // outputs in units of a full-scale input × g_max
  s.adc_bits = 12;
  Matrix w = Matrix::Ones(2, 8);  // 8 inputs at full scale sum to 8 on each output, past 5
  Matrix x = Matrix::Ones(8, 3);
  x.col(1) *= 0.25f;         // scaled to full scale all the same (the DAC takes the largest)
  x(0, 2) = 1.0f;            // the third vector: one input at full scale, the rest small
  x.col(2).tail(7) *= 0.1f;  // sums to 1.7 in units of its largest: fits
  Matrix y;
  SECTION("on: exact within the ADC's steps, one extra read for each vector that clipped") {
    PcmNumerics pcm(s, 1);
    pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, y);
    CHECK((y - w * x).cwiseAbs().maxCoeff() < 0.01f);
    CHECK(pcm.activity().vector_reads == 3);
    CHECK(pcm.activity().vector_rereads == 2);  // 8 > 5 needs one halving, for two vectors
  }
  SECTION("off: they clip at the bound") {
    s.bound_management = false;
    PcmNumerics pcm(s, 1);
    pcm.matmul(w, Operand::weight, false, x, Operand::activation, false, y);
    CHECK(y(0, 0) == Approx(5.0f).epsilon(0.01));
    CHECK(y(0, 1) == Approx(5.0f * 0.25f).epsilon(0.01));
    CHECK(pcm.activity().vector_rereads == 0);
  }
}

TEST_CASE("Tiki-Taka pulses the step onto a fast array and moves its columns onto the weights",
          "[quick][analog]") {
  AnalogSettings s = exact_pulses(0.125, 1);
  s.scheme = UpdateScheme::tiki_taka;
  s.tt_columns = 1;
  PcmNumerics pcm(s, 2);
  Matrix w(1, 2);
  w << 1.0f, 0.5f;
  Matrix step(1, 2);
  step << 0.0f, -0.25f;  // asks +0.25 of g_max of the second weight: 2 pulses on A
  pcm.update(w, step);
  // The first transfer reads column 0 of A, still 0: the weights do not move.
  CHECK(pcm.pulses() == 2);
  CHECK(w(0, 1) == 0.5f);
  CHECK(pcm.activity().row_slots == 2);  // A's row 1 (input 1) took 2 slots
  // The second reads column 1 (A = 1 − (7/8)² = 0.234: 1.875 granules, 1 or 2 pulses) and
  // pulses it onto the weight, upwards; A takes the step's 2 pulses again.
  step.setZero();
  pcm.update(w, step);
  CHECK(pcm.pulses() >= 2 + 1);
  CHECK(pcm.pulses() <= 2 + 2);
  CHECK(w(0, 1) > 0.5f);
  CHECK(w(0, 0) == 1.0f);
}

TEST_CASE("Tiki-Taka's transfer reads the fast array from its symmetry point, scaled by the rate",
          "[quick][analog]") {
  AnalogSettings s = exact_pulses(0.125, 1);
  s.scheme = UpdateScheme::tiki_taka;
  s.tt_columns = 2;  // both columns transferred after each update
  Matrix w(1, 2);
  w << 1.0f, 0.5f;
  const Matrix none = Matrix::Zero(1, 2);
  SECTION("zero-shifting: the fast array starts, and is read from, its symmetry point") {
    s.up_down = 0.5;  // up steps dw·1.5·(1 − g), down dw·0.5·(1 + g): equal at g = 0.5
    PcmNumerics pcm(s, 1);
    pcm.update(w, none, 1.0f);
    CHECK(pcm.pulses() == 0);  // an untouched fast array moves nothing
    // Two up pulses on A(0, 1) from 0.5: 1 − 0.5·(1 − 0.1875)², read as 0.169921875 above the
    // symmetry point: at this rate one granule, one pulse (from 0 it would read 0.34: two).
    Matrix step(1, 2);
    step << 0.0f, -0.25f;
    const double read = 1.0 - 0.5 * 0.8125 * 0.8125 - 0.5;
    pcm.update(w, step, static_cast<float>(0.125 / read));
    CHECK(pcm.pulses() == 2 + 1);
    CHECK(w(0, 1) > 0.5f);
  }
  SECTION("the transfer is the column times tt_transfer_lr times the step's learning rate") {
    PcmNumerics pcm(s, 2);
    Matrix step(1, 2);
    step << 0.0f, -0.25f;  // 2 pulses on A: A(0, 1) = 1 − (7/8)² = 15/64
    // Transferred at a rate of 8/15: 1/8 of g_max, one granule, one pulse up from 0.5.
    pcm.update(w, step, 8.0f / 15.0f);
    CHECK(pcm.pulses() == 2 + 1);
    CHECK(w(0, 1) == Approx(1.0 - 0.5 * 0.875));
    CHECK(w(0, 0) == 1.0f);
  }
}

TEST_CASE("Per-sample pulse trains fire where both lines fire: counted by hand, right on average",
          "[quick][analog]") {
  // Noise off, symmetric devices, a granule of 1/8 of g_max, one scale per matrix with no room
  // to grow (the largest weight, 1, is g_max): δ is in g_max units.
  AnalogSettings s = exact_pulses(0.125, 1);
  s.per_sample = true;
  SECTION("saturated lines: every pair with two firing lines takes the whole train") {
    s.max_pulses = 31;
    PcmNumerics pcm(s, 1);
    CHECK(pcm.updates_per_sample());
    Matrix w = Matrix::Zero(2, 3);
    w(0, 0) = 1.0f;
    Matrix d(2, 1), x(3, 1);
    d << 0.5f, -0.5f;
    x << 1.0f, 0.0f, -1.0f;
    pcm.update_outer(w, 1.0f, d, x);
    // r = max|x|·max|δ| / dw_min = 0.5 / 0.125 = 4: a train of 4 slots, m = 1, so the lines of
    // |x| = 1 and |δ| = 0.5 fire in every slot: 4 pulses on each of the 4 pairs, none on input 1.
    CHECK(pcm.pulses() == 16);
    CHECK(pcm.activity().array_slots == 4);
    CHECK(pcm.activity().arrays_updated == 1);
    CHECK(pcm.activity().row_slots == 0);
    CHECK(pcm.pair_updates() == 6);
    // Each moves by −δᵢ·x_j: (0, 0) down 4 pulses from g_max: −1 + 2·(7/8)⁴; (0, 2) and (1, 0)
    // up 4 from 0: 1 − (7/8)⁴; (1, 2) down 4 from 0.
    const double four = std::pow(0.875, 4);
    CHECK(w(0, 0) == Approx(-1.0 + 2.0 * four));
    CHECK(w(0, 2) == Approx(1.0 - four));
    CHECK(w(1, 0) == Approx(1.0 - four));
    CHECK(w(1, 2) == Approx(-(1.0 - four)));
    CHECK(w(0, 1) == 0.0f);
    CHECK(w(1, 1) == 0.0f);
  }
  SECTION("thin lines: the coincidences give |δᵢ·x_j| / dw_min pulses on average") {
    s.dw_min = 0.001;
    PcmNumerics pcm(s, 2);
    Matrix w = Matrix::Zero(4, 4);
    w(0, 0) = 1.0f;
    const int samples = 2000;
    Matrix d(4, samples), x(4, samples);
    for (int k = 0; k < samples; ++k) {
      d.col(k) << 0.01f, -0.02f, 0.005f, 0.0f;
      x.col(k) << 1.0f, 0.5f, -0.25f, 0.0f;
    }
    pcm.update_outer(w, 1.0f, d, x);
    // r = 1 · 0.02 / 0.001 = 20 slots, m = 1; Σᵢⱼ |δᵢ·x_j| / dw_min = 0.035 · 1.75 / 0.001.
    const double expected = 0.035 * 1.75 / 0.001 * samples;  // 122,500 (σ about 300)
    CHECK(static_cast<double>(pcm.pulses()) == Approx(expected).epsilon(0.01));
    CHECK(pcm.activity().array_slots == 20 * samples);
    // Output 3 (δ = 0) and input 3 (x = 0) never fire.
    CHECK(w.row(3).isZero());
    CHECK(w.col(3).isZero());
  }
  SECTION("mixed precision: χ takes each sample's update; whole granules fire after it") {
    s.scheme = UpdateScheme::mixed_precision;
    PcmNumerics pcm(s, 3);
    Matrix w(1, 2);
    w << 1.0f, 0.0f;
    Matrix d = Matrix::Constant(1, 3, 0.1f), x(2, 3);
    x << 0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f;
    pcm.update_outer(w, 1.0f, d, x);
    // χ of weight (0, 1): −0.1 (nothing), −0.2 (1 pulse, χ −0.075), −0.175 (1 pulse, χ −0.05).
    CHECK(pcm.pulses() == 2);
    CHECK(pcm.activity().row_slots == 2);  // row 1 pulsed after the second and third samples
    CHECK(pcm.activity().rows_updated == 2);
    CHECK(pcm.activity().array_slots == 0);
    CHECK(w(0, 1) == Approx(-(1.0 - 0.875 * 0.875)));
  }
  SECTION("Tiki-Taka: the trains pulse the fast array; the transfer, once per batch, the weights") {
    s.scheme = UpdateScheme::tiki_taka;
    PcmNumerics pcm(s, 4);
    Matrix w(1, 2);
    w << 1.0f, 0.5f;
    Matrix d(1, 1), x(2, 1);
    d << 0.5f;
    x << 0.0f, 1.0f;
    pcm.update_outer(w, 1.0f, d, x);
    // A train of 4 slots puts 4 pulses on A's pair (0, 1); the transfer reads A's column 0,
    // still 0, so the weights do not move.
    CHECK(pcm.pulses() == 4);
    CHECK(pcm.activity().array_slots == 4);
    CHECK(w(0, 1) == 0.5f);
  }
  SECTION("a step without its factors (momentum, a convolution) is refused") {
    PcmNumerics pcm(s, 5);
    Matrix w = Matrix::Identity(2, 2), step = Matrix::Constant(2, 2, 0.1f);
    CHECK_THROWS_WITH(pcm.update(w, step), Catch::Contains("hw.update_per_sample=1"));
  }
}
