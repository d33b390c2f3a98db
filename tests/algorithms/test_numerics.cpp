#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "algorithms/functional/numerics.h"
#include "results/core/error.h"

using namespace frugal;
using namespace frugal::algorithms;

TEST_CASE("bf16 rounds to 8 significant bits, to nearest even", "[quick][numerics]") {
  CHECK(round_bf16(1.0f) == 1.0f);
  CHECK(round_bf16(1.0f + std::ldexp(1.0f, -8)) == 1.0f);  // a tie: down to the even 1.0
  CHECK(round_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) ==
        1.0f + std::ldexp(1.0f, -6));  // a tie: up to the even neighbour
  CHECK(round_bf16(1.0f + std::ldexp(1.0f, -7)) == 1.0f + std::ldexp(1.0f, -7));  // exact
  CHECK(round_bf16(0.1f) == 0.10009765625f);  // 0x3DCD: the nearest bf16 to 0.1
  CHECK(std::isinf(round_bf16(3.4e38f)));     // past bf16's largest finite value
  CHECK(std::isnan(round_bf16(NAN)));
}

// The compiler's IEEE binary16: clang 14 (the sanitizer build) has no _Float16 on x86-64, but its
// storage type __fp16 converts from float the same way.
#if defined(__clang__) && __clang_major__ < 15
using Half = __fp16;
#else
using Half = _Float16;
#endif

TEST_CASE("fp16 rounding equals the compiler's IEEE half conversion", "[quick][numerics]") {
  // A real peer: GCC's _Float16 (IEEE 754 binary16, round to nearest even, subnormals, ±∞).
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> exponent(-30.0f, 17.0f);
  std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    float x = std::ldexp(mantissa(rng), static_cast<int>(exponent(rng)));
    if (i % 2) x = -x;
    const auto reference = static_cast<float>(static_cast<Half>(x));
    INFO(x);
    REQUIRE(round_fp16(x) == reference);
    ++checked;
  }
  CHECK(checked == 200000);
  CHECK(round_fp16(65504.0f) == 65504.0f);
  CHECK(std::isinf(round_fp16(65520.0f)));
  CHECK(round_fp16(std::ldexp(1.0f, -25)) == 0.0f);  // half the smallest subnormal: to even 0
  CHECK(round_fp16(std::ldexp(3.0f, -26)) == std::ldexp(1.0f, -24));
}

TEST_CASE("tf32 keeps 10 fraction bits; fp8 is E4M3 for values, E5M2 for errors, scaled",
          "[quick][numerics]") {
  CHECK(round_tf32(1.0f + std::ldexp(1.0f, -11)) == 1.0f);  // half an ulp (2⁻¹⁰): to even
  CHECK(round_tf32(1.0f + 3 * std::ldexp(1.0f, -11)) == 1.0f + std::ldexp(1.0f, -9));
  CHECK(round_tf32(1e30f) == Approx(1e30f).epsilon(1e-3));  // fp32's range, unlike fp16
  // E4M3: 3 fraction bits, largest 448; 17 lies between 16 and 18, a tie, to the even 16.
  CHECK(round_minifloat(17.0f, 3, -6, 448.0f, true) == 16.0f);
  CHECK(round_minifloat(500.0f, 3, -6, 448.0f, true) == 448.0f);  // saturates
  CHECK(round_minifloat(std::ldexp(1.0f, -9), 3, -6, 448.0f, true) == std::ldexp(1.0f, -9));
  auto fp8 = make_digital_numerics("fp8");
  Matrix w(1, 3);
  w << 2.0f, -1.0f, 0.3f;  // scale 448/2 = 224: 0.3 → 67.2 → 64 (E4M3 steps of 8 there) → 0.2857
  fp8->represent(w, Operand::weight);
  CHECK(w(0, 0) == 2.0f);
  CHECK(w(0, 1) == -1.0f);
  CHECK(w(0, 2) == Approx(64.0f / 224.0f));
  Matrix g(1, 2);
  g << 1.0f, 0.3f;  // E5M2 with scale 57344: 0.3 → 17203.2 → 16384 (steps of 4096) → 0.2857
  fp8->represent(g, Operand::gradient);
  CHECK(g(0, 1) == Approx(16384.0f / 57344.0f));
}

TEST_CASE("int8 and int4 scale each tensor by its largest magnitude", "[quick][numerics]") {
  Matrix m(2, 2);
  m << 1.0f, -0.5f, 0.3f, -1.27f;
  Matrix q8 = m;
  quantize_symmetric(q8, 8);  // scale 1.27/127 = 0.01: every value here is a multiple of it
  CHECK(q8(0, 0) == Approx(1.0f));
  CHECK(q8(0, 1) == Approx(-0.5f));
  CHECK(q8(1, 0) == Approx(0.3f));
  CHECK(q8(1, 1) == Approx(-1.27f));
  Matrix q4 = m;
  quantize_symmetric(q4, 4);  // scale 1.27/7; codes round(x/scale): 6 (5.51), −3 (−2.76), 2, −7
  const float s = 1.27f / 7.0f;
  CHECK(q4(0, 0) == Approx(6 * s));
  CHECK(q4(0, 1) == Approx(-3 * s));
  CHECK(q4(1, 0) == Approx(2 * s));
  CHECK(q4(1, 1) == Approx(-7 * s));
  Matrix zeros = Matrix::Zero(3, 3);
  quantize_symmetric(zeros, 4);
  CHECK(zeros.isZero());
}

TEST_CASE("Products round their operands, accumulate in fp32 and count MACs", "[quick][numerics]") {
  Matrix a(2, 3), b(3, 4);
  a << 0.1f, 0.2f, 0.3f, -0.4f, 0.5f, 0.6f;
  b.setConstant(1.0f / 3.0f);
  for (const std::string& format : digital_formats()) {
    INFO(format);
    auto n = make_digital_numerics(format);
    Matrix y;
    n->matmul(a, Operand::weight, false, b, Operand::activation, false, y);
    Matrix qa = a, qb = b;
    n->represent(qa, Operand::weight);
    n->represent(qb, Operand::activation);
    CHECK(y.isApprox(qa * qb));
    CHECK(n->activity().macs == 2 * 3 * 4);
    n->matmul(a, Operand::weight, true, a, Operand::gradient, false, y);  // aᵀa: 3×3, inner 2
    CHECK(y.rows() == 3);
    CHECK(n->activity().macs == 24 + 3 * 2 * 3);
    CHECK(n->exact() == (format == "fp32"));
  }
  CHECK_THROWS_WITH(make_digital_numerics("fp4"), Catch::Contains("unknown numeric format 'fp4'"));
}
