#include "algorithms/functional/numerics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "algorithms/functional/team.h"
#include "results/core/error.h"

namespace frugal::algorithms {
namespace {

uint32_t bits_of(float x) {
  uint32_t u = 0;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

float float_of(uint32_t u) {
  float x = 0;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// Drops the low `drop` bits of a normal float's fraction, rounding to nearest even (a carry into
// the exponent is the correct result).
float round_fraction(float x, int drop) {
  uint32_t u = bits_of(x);
  const uint32_t half = (1u << (drop - 1)) - 1;
  u += half + ((u >> drop) & 1u);
  u &= ~((1u << drop) - 1u);
  return float_of(u);
}

class Fp32 final : public Numerics {
 public:
  std::string name() const override { return "fp32"; }
  void represent(Matrix&, Operand) const override {}
  bool exact() const override { return true; }
};

// A floating-point format: every value rounded by `round` (bf16, fp16, tf32).
class Rounded final : public Numerics {
 public:
  Rounded(std::string name, float (*round)(float)) : m_name(std::move(name)), m_round(round) {}
  std::string name() const override { return m_name; }
  void represent(Matrix& m, Operand) const override { m = m.unaryExpr(m_round); }

 private:
  std::string m_name;
  float (*m_round)(float);
};

// FP8 as Transformer Engine trains with it: E4M3 for weights and activations, E5M2 (more range)
// for gradients, each tensor scaled so that its largest magnitude maps to the format's largest.
class Fp8 final : public Numerics {
 public:
  std::string name() const override { return "fp8"; }
  void represent(Matrix& m, Operand holds) const override {
    if (m.size() == 0) return;
    const float max_abs = m.cwiseAbs().maxCoeff();
    if (!(max_abs > 0) || !std::isfinite(max_abs)) return;
    const bool e5m2 = holds == Operand::gradient;
    const float largest = e5m2 ? 57344.0f : 448.0f;
    const float scale = largest / max_abs;
    m = m.unaryExpr([&](float x) {
      const float y = x * scale;
      return (e5m2 ? round_minifloat(y, 2, -14, largest, true)
                   : round_minifloat(y, 3, -6, largest, true)) /
             scale;
    });
  }
};

class SymmetricInt final : public Numerics {
 public:
  explicit SymmetricInt(int bits) : m_bits(bits) {}
  std::string name() const override { return "int" + std::to_string(m_bits); }
  void represent(Matrix& m, Operand) const override { quantize_symmetric(m, m_bits); }

 private:
  int m_bits;
};

}  // namespace

CrossbarActivity per_update(const Activity& fired) {
  const auto ratio = [](int64_t part, int64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole)
                     : std::numeric_limits<double>::quiet_NaN();
  };
  CrossbarActivity a;
  a.pulses = ratio(fired.pulses, fired.weight_updates);
  a.row_slots = ratio(fired.row_slots, fired.rows_updated);
  a.array_slots = ratio(fired.array_slots, fired.arrays_updated);
  a.rereads = ratio(fired.vector_rereads, fired.vector_reads);
  return a;
}

void Numerics::update(Matrix& w, const Matrix& step, float /*learning_rate*/) {
  if (worth_splitting(w.cols(), w.size(), kSplitElements))
    split_columns(w.cols(), [&](Eigen::Index first, Eigen::Index count) {
      w.middleCols(first, count) -= step.middleCols(first, count);
    });
  else
    w -= step;
}

void Numerics::update_outer(Matrix& w, float scale, const Matrix& d, const Matrix& x) {
  const Matrix step = scale * (d * x.transpose());
  update(w, step, scale);
}

void Numerics::matmul(const Matrix& a, Operand a_holds, bool transpose_a, const Matrix& b,
                      Operand b_holds, bool transpose_b, Matrix& y) {
  const Eigen::Index rows = transpose_a ? a.cols() : a.rows();
  const Eigen::Index inner = transpose_a ? a.rows() : a.cols();
  const Eigen::Index cols = transpose_b ? b.rows() : b.cols();
  m_activity.macs += static_cast<int64_t>(rows) * inner * cols;
  const bool split = worth_splitting(cols, static_cast<int64_t>(rows) * inner * cols, kSplitMacs);
  auto multiply = [&](const Matrix& p, const Matrix& q) {
    if (split) {  // each member its block of y's columns: op(b)'s columns, the same inner sums
      y.resize(rows, cols);
      split_columns(cols, [&](Eigen::Index first, Eigen::Index count) {
        auto part = y.middleCols(first, count);
        if (transpose_a && transpose_b)
          part.noalias() = p.transpose() * q.middleRows(first, count).transpose();
        else if (transpose_a)
          part.noalias() = p.transpose() * q.middleCols(first, count);
        else if (transpose_b)
          part.noalias() = p * q.middleRows(first, count).transpose();
        else
          part.noalias() = p * q.middleCols(first, count);
      });
    } else if (transpose_a && transpose_b) {
      y.noalias() = p.transpose() * q.transpose();
    } else if (transpose_a) {
      y.noalias() = p.transpose() * q;
    } else if (transpose_b) {
      y.noalias() = p * q.transpose();
    } else {
      y.noalias() = p * q;
    }
  };
  if (exact()) {
    multiply(a, b);
    return;
  }
  Matrix qa = a, qb = b;
  represent(qa, a_holds);
  represent(qb, b_holds);
  multiply(qa, qb);
}

float round_bf16(float x) {
  if (!std::isfinite(x)) return x;
  return round_fraction(x, 16);
}

float round_minifloat(float x, int fraction_bits, int min_exponent, float largest, bool saturate) {
  if (!std::isfinite(x)) return x;
  const float a = std::fabs(x);
  float r;
  if (a < std::ldexp(1.0f, min_exponent)) {  // subnormal: steps of 2^(min_exponent − fraction)
    const float step = std::ldexp(1.0f, min_exponent - fraction_bits);
    r = std::nearbyint(a / step) * step;
  } else {
    r = round_fraction(a, 23 - fraction_bits);
  }
  if (r > largest) r = saturate ? largest : INFINITY;
  return std::copysign(r, x);
}

float round_fp16(float x) { return round_minifloat(x, 10, -14, 65504.0f, false); }

float round_tf32(float x) {
  if (!std::isfinite(x)) return x;
  return round_fraction(x, 13);
}

void quantize_symmetric(Matrix& m, int bits) {
  if (bits < 2 || bits > 16) throw InputError("integer quantization needs 2 to 16 bits");
  if (m.size() == 0) return;
  const float max_abs = m.cwiseAbs().maxCoeff();
  if (!(max_abs > 0) || !std::isfinite(max_abs)) return;
  const auto levels = static_cast<float>((1 << (bits - 1)) - 1);
  const float scale = max_abs / levels;
  m = ((m.array() / scale).rint().max(-levels).min(levels) * scale).matrix();
}

const std::vector<std::string>& digital_formats() {
  static const std::vector<std::string> formats = {"fp32", "tf32", "bf16", "fp16",
                                                   "fp8",  "int8", "int4"};
  return formats;
}

bool is_digital_format(const std::string& format) {
  const auto& f = digital_formats();
  return std::find(f.begin(), f.end(), format) != f.end();
}

int format_bytes(const std::string& format) {
  if (format == "bf16" || format == "fp16") return 2;
  if (format == "int8" || format == "fp8" || format == "int4") return 1;  // int4 unpacked
  return 4;                                                               // fp32, tf32
}

std::unique_ptr<Numerics> make_digital_numerics(const std::string& format) {
  if (format == "fp32") return std::make_unique<Fp32>();
  if (format == "tf32") return std::make_unique<Rounded>("tf32", &round_tf32);
  if (format == "bf16") return std::make_unique<Rounded>("bf16", &round_bf16);
  if (format == "fp8") return std::make_unique<Fp8>();
  if (format == "fp16") return std::make_unique<Rounded>("fp16", &round_fp16);
  if (format == "int8") return std::make_unique<SymmetricInt>(8);
  if (format == "int4") return std::make_unique<SymmetricInt>(4);
  throw InputError("unknown numeric format '" + format +
                   "' (expected fp32, bf16, fp16, int8 or int4)");
}

}  // namespace frugal::algorithms
