// GCC 12 sees uninitialized lanes in Eigen's AVX-512 product kernels that it instantiates here
// (a false positive: Eigen's own code, as the trainer runs it).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "hw_models/analog/analog_numerics.h"

#include <algorithm>
#include <cmath>

#include "results/core/error.h"

namespace frugal::hw::analog {

using algorithms::Matrix;
using algorithms::Operand;

namespace {

// PCM programming noise, σ in µS at g_max = 25 µS for g_T/g_max = r: c0 + c1·r + c2·r²
// (aihwkit PCMLikeNoiseModel, from Nandakumar et al. ICECS 2019).
constexpr double kProgC0 = 0.26348, kProgC1 = 1.9650, kProgC2 = -1.1731;
constexpr double kReferenceGmax = 25e-6;

Matrix transposed_if(const Matrix& m, bool transpose) {
  return transpose ? Matrix(m.transpose()) : m;
}

}  // namespace

const std::vector<std::string>& update_scheme_names() {
  static const std::vector<std::string> names = {"sgd", "mixed-precision", "tiki-taka"};
  return names;
}

UpdateScheme parse_update_scheme(const std::string& name) {
  const std::vector<std::string>& names = update_scheme_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<UpdateScheme>(i);
  std::string known;
  for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
  throw InputError("unknown analog update scheme '" + name + "'; expected one of: " + known);
}

PcmNumerics::PcmNumerics(AnalogSettings settings, uint64_t seed)
    : m_settings(settings), m_rng(seed) {
  const AnalogSettings& s = m_settings;
  if (!(s.g_max_s > 0)) throw InputError("analog: g_max must be positive");
  if (s.levels < 0 || s.levels == 1)
    throw InputError("analog: conductance levels must be 0 or >= 2");
  if (s.dac_bits < 0 || s.dac_bits > 24 || s.adc_bits < 0 || s.adc_bits > 24)
    throw InputError("analog: DAC and ADC bits must be within 0..24 (0: ideal)");
  if (!(s.stuck_rate >= 0 && s.stuck_rate <= 1))
    throw InputError("analog: the stuck-cell rate must be within [0, 1]");
  m_log_up = std::log1p(-std::min(0.999999, s.dw_min * (1.0 + s.up_down)));
  m_log_down = std::log1p(-std::min(0.999999, s.dw_min * (1.0 - s.up_down)));
  if (!(s.train_weight_range >= 1))
    throw InputError(
        "analog: the training weight range must be >= 1 (times the initial largest "
        "weight)");
}

double PcmNumerics::programming_sigma(double g_target) const {
  const double r = g_target / m_settings.g_max_s;
  const double micro = kProgC0 + kProgC1 * r + kProgC2 * r * r;
  return std::max(0.0, micro) * 1e-6 * (m_settings.g_max_s / kReferenceGmax) *
         m_settings.prog_noise_scale;
}

double PcmNumerics::drift_mean(double g_ratio) {
  return std::clamp(-0.0155 * std::log(std::max(g_ratio, 1e-12)) + 0.0244, 0.049, 0.1);
}

double PcmNumerics::drift_spread(double g_ratio) {
  return std::clamp(-0.0125 * std::log(std::max(g_ratio, 1e-12)) - 0.0059, 0.008, 0.045);
}

void PcmNumerics::program(Programmed& p, const Matrix& w) const {
  const AnalogSettings& s = m_settings;
  p.data = w.data();
  p.rows = w.rows();
  p.cols = w.cols();
  // The output scales: the largest magnitude of each row of W (a crossbar column), or of W.
  const float whole = w.size() ? w.cwiseAbs().maxCoeff() : 0.0f;
  const float range = s.pulsed_updates ? static_cast<float>(s.train_weight_range) : 1.0f;
  p.scale.resize(w.rows());
  for (Eigen::Index i = 0; i < w.rows(); ++i) {
    float largest = s.column_scales && w.cols() ? w.row(i).cwiseAbs().maxCoeff() : whole;
    if (!(largest > 0)) largest = whole > 0 ? whole : 1.0f;
    p.scale(i) = largest * range;
  }
  p.chi = s.scheme == UpdateScheme::mixed_precision && s.pulsed_updates
              ? Matrix::Zero(w.rows(), w.cols())
              : Matrix();
  // Tiki-Taka's fast array starts at its devices' symmetry point, its reference (zero-shifting).
  p.fast = s.scheme == UpdateScheme::tiki_taka && s.pulsed_updates
               ? Matrix::Constant(w.rows(), w.cols(), static_cast<float>(symmetry_point()))
               : Matrix();
  p.next_column = 0;
  p.g_plus.resize(w.rows(), w.cols());
  p.g_minus.resize(w.rows(), w.cols());
  p.nu_plus.resize(w.rows(), w.cols());
  p.nu_minus.resize(w.rows(), w.cols());
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  auto device = [&](double target, float& g, float& nu) {
    if (s.stuck_rate > 0 && uniform(m_rng) < s.stuck_rate) {
      g = uniform(m_rng) < 0.5 ? 0.0f : static_cast<float>(s.g_max_s);
      nu = 0.0f;
      return;
    }
    if (s.levels >= 2) {
      const double step = s.g_max_s / static_cast<double>(s.levels - 1);
      target = std::round(target / step) * step;
    }
    const double r = target / s.g_max_s;
    g = static_cast<float>(std::max(0.0, target + programming_sigma(target) * normal(m_rng)));
    nu = static_cast<float>(std::fabs(drift_mean(r) + drift_spread(r) * normal(m_rng)) *
                            s.drift_scale);
  };
  for (Eigen::Index j = 0; j < w.cols(); ++j)
    for (Eigen::Index i = 0; i < w.rows(); ++i) {
      const double target = std::fabs(w(i, j)) / p.scale(i) * s.g_max_s;
      device(w(i, j) > 0 ? target : 0.0, p.g_plus(i, j), p.nu_plus(i, j));
      device(w(i, j) < 0 ? target : 0.0, p.g_minus(i, j), p.nu_minus(i, j));
    }
  p.read_at = -1.0;
  // The compensation's reference: the array read right after programming.
  const Matrix fresh =
      p.scale.asDiagonal() * (p.g_plus - p.g_minus) / static_cast<float>(s.g_max_s);
  p.reference = fresh.cwiseAbs().sum();
}

void PcmNumerics::read(Programmed& p) const {
  if (p.read_at == m_time_s) return;
  const AnalogSettings& s = m_settings;
  const double t = m_time_s;
  const double log_term = std::log((t + s.t_read_s) / (2.0 * s.t_read_s));
  const double spread = std::sqrt(std::max(0.0, log_term)) * s.read_noise_scale;
  std::normal_distribution<double> normal;
  const double ratio = (t + s.t0_s) / s.t0_s;
  auto at_time = [&](float g, float nu) {
    double drifted = g * std::pow(ratio, -static_cast<double>(nu));
    if (spread > 0 && drifted > 0) {
      const double r = drifted / s.g_max_s;
      const double q = std::min(0.0088 / std::max(std::pow(r, 0.65), 1e-3), 0.2);
      drifted = std::max(0.0, drifted + drifted * q * spread * normal(m_rng));
    }
    return drifted;
  };
  p.effective.resize(p.rows, p.cols);
  if (ratio == 1.0 && spread == 0.0) {  // no drift yet, no read noise: the programmed values
    p.effective = p.scale.asDiagonal() * (p.g_plus - p.g_minus) / static_cast<float>(s.g_max_s);
  } else {
    for (Eigen::Index j = 0; j < p.cols; ++j)
      for (Eigen::Index i = 0; i < p.rows; ++i)
        p.effective(i, j) = static_cast<float>((at_time(p.g_plus(i, j), p.nu_plus(i, j)) -
                                                at_time(p.g_minus(i, j), p.nu_minus(i, j))) /
                                               s.g_max_s * p.scale(i));
  }
  if (s.drift_compensation) {
    const double now = p.effective.cwiseAbs().sum();
    if (now > 0) p.effective *= static_cast<float>(p.reference / now);
  }
  p.read_at = m_time_s;
}

const Matrix& PcmNumerics::effective(const Matrix& w) const {
  Programmed& p = m_programmed[w.data()];
  if (p.data != w.data() || p.rows != w.rows() || p.cols != w.cols()) {
    program(p, w);
    // A copy made for what was here before is stale: made again, from these weights, when a
    // transposed product first needs it.
    p.copy = nullptr;
    m_copies.erase(w.data());
  }
  read(p);
  return p.effective;
}

const PcmNumerics::Programmed& PcmNumerics::copy_of(const Matrix& w) const {
  effective(w);
  Programmed& p = m_programmed.at(w.data());
  Programmed& c = m_copies[w.data()];
  if (p.copy != &c || c.data != w.data() || c.rows != w.rows() || c.cols != w.cols()) {
    // Programmed with the matrix, from the same weights, on devices of their own: their own
    // programming noise and drift. The same output scales, because bp reads a matrix transposed
    // in the step that first reads it forward, before any update has moved its weights.
    program(c, w);
    p.copy = &c;
  }
  read(c);
  return c;
}

void PcmNumerics::represent(Matrix& m, Operand holds) const {
  if (holds == Operand::weight) m = effective(m);
}

void PcmNumerics::update(Matrix& w, const Matrix& step, float learning_rate) {
  if (!m_settings.pulsed_updates) {
    w -= step;
    m_programmed.erase(w.data());  // rewritten at its next use, with its copy
    m_copies.erase(w.data());
    return;
  }
  if (m_settings.per_sample)
    throw InputError(
        "analog: hw.update_per_sample=1 pulses each sample's rank-one update, which needs the "
        "gradient's factors: plain SGD (--optimizer sgd) on dense layers, with bp, fa, dfa or "
        "drtp; this update has neither (set hw.update_per_sample=0 for one update per batch)");
  effective(w);  // programmed (on first use) and read
  Programmed& p = m_programmed[w.data()];
  if (m_settings.scheme == UpdateScheme::tiki_taka) {
    update_tiki_taka(p, w, step, learning_rate);
    return;
  }
  const AnalogSettings& s = m_settings;
  const bool mixed = s.scheme == UpdateScheme::mixed_precision;
  std::normal_distribution<double> normal;
  int64_t fired = 0, slots = 0;
  for (Eigen::Index j = 0; j < w.cols(); ++j) {  // column j of W: crossbar row j (input j)
    int64_t row_most = 0;
    for (Eigen::Index i = 0; i < w.rows(); ++i) {
      // The move asked for, in units of g_max.
      double wanted = -static_cast<double>(step(i, j)) / p.scale(i);
      int64_t n = 0;
      if (mixed) {  // accumulate; fire the whole granules, keep the rest
        wanted += p.chi(i, j);
        n = take_granules(p.chi(i, j), wanted);
      } else {
        n = stochastic_pulses(wanted);
      }
      if (n == 0) continue;
      row_most = std::max(row_most, n);
      pulse_pair(p, w, i, j, wanted, n, normal);
      fired += n;
    }
    slots += row_most;
  }
  count_update(p, w, fired, slots, 0);
}

template <typename Fire>
int64_t PcmNumerics::pulse_train(const Eigen::VectorXf& delta, const float* x, Eigen::Index inputs,
                                 Fire&& fire) {
  const AnalogSettings& s = m_settings;
  float x_max = 0.0f;
  for (Eigen::Index j = 0; j < inputs; ++j) x_max = std::max(x_max, std::fabs(x[j]));
  const float d_max = delta.size() ? delta.cwiseAbs().maxCoeff() : 0.0f;
  if (!(x_max > 0) || !(d_max > 0)) return 0;
  // Bit-length and update management: the largest pair's expected pulses r set the train's
  // length, and both lines' probabilities share the scale m.
  const double r = static_cast<double>(x_max) * static_cast<double>(d_max) / s.dw_min;
  const int64_t longest = std::min<int64_t>(s.max_pulses, 64);
  const int64_t length = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(r)), 1, longest);
  const double m = std::min(1.0, std::sqrt(r / static_cast<double>(length)));
  // A line's bits: slot t fires with probability `prob`, two slots per 64-bit draw.
  auto bits_of_line = [&](double prob) -> uint64_t {
    if (!(prob > 0)) return 0;
    const uint64_t threshold =
        prob >= 1.0 ? (uint64_t{1} << 32) : static_cast<uint64_t>(prob * 4294967296.0);
    uint64_t bits = 0;
    for (int64_t t = 0; t < length; t += 2) {
      const uint64_t u = m_rng();
      bits |= static_cast<uint64_t>((u & 0xffffffffu) < threshold) << t;
      if (t + 1 < length) bits |= static_cast<uint64_t>((u >> 32) < threshold) << (t + 1);
    }
    return bits;
  };
  m_output_bits.resize(static_cast<size_t>(delta.size()));
  m_firing_outputs.clear();
  for (Eigen::Index i = 0; i < delta.size(); ++i) {
    const uint64_t bits = bits_of_line(m * std::fabs(delta(i)) / d_max);
    m_output_bits[static_cast<size_t>(i)] = bits;
    if (bits) m_firing_outputs.push_back(i);
  }
  if (m_firing_outputs.empty()) return length;
  for (Eigen::Index j = 0; j < inputs; ++j) {
    if (x[j] == 0.0f) continue;
    const uint64_t bits = bits_of_line(m * std::fabs(x[j]) / x_max);
    if (!bits) continue;
    for (const Eigen::Index i : m_firing_outputs) {
      const int n = __builtin_popcountll(bits & m_output_bits[static_cast<size_t>(i)]);
      if (n == 0) continue;
      // The move is −δᵢ·x_j: a pulse against the sign of the product.
      const double sign = (delta(i) > 0) == (x[j] > 0) ? -1.0 : 1.0;
      fire(i, j, sign, static_cast<int64_t>(n));
    }
  }
  return length;
}

void PcmNumerics::update_outer(Matrix& w, float scale, const Matrix& d, const Matrix& x) {
  if (!updates_per_sample()) {
    Numerics::update_outer(w, scale, d, x);
    return;
  }
  effective(w);  // programmed (on first use) and read
  Programmed& p = m_programmed[w.data()];
  const AnalogSettings& s = m_settings;
  const bool tiki_taka = s.scheme == UpdateScheme::tiki_taka;
  std::normal_distribution<double> normal;
  int64_t fired = 0, row_slots = 0, array_slots = 0;
  Eigen::VectorXf delta(w.rows());
  for (Eigen::Index k = 0; k < d.cols(); ++k) {
    // The sample's output errors in units of g_max per unit of input.
    delta = (d.col(k).array() * scale / p.scale.array()).matrix();
    const float* xk = x.col(k).data();
    if (s.scheme == UpdateScheme::mixed_precision) {  // χ += −δ·xᵀ; whole granules fired
      for (Eigen::Index j = 0; j < x.rows(); ++j) {
        if (xk[j] == 0.0f) continue;
        int64_t row_most = 0;
        for (Eigen::Index i = 0; i < w.rows(); ++i) {
          if (delta(i) == 0.0f) continue;
          const double wanted =
              p.chi(i, j) - static_cast<double>(delta(i)) * static_cast<double>(xk[j]);
          const int64_t n = take_granules(p.chi(i, j), wanted);
          if (n == 0) continue;
          pulse_pair(p, w, i, j, wanted, n, normal);
          row_most = std::max(row_most, n);
          fired += n;
        }
        row_slots += row_most;
      }
      continue;
    }
    array_slots += pulse_train(delta, xk, x.rows(),
                               [&](Eigen::Index i, Eigen::Index j, double sign, int64_t n) {
                                 if (tiki_taka)
                                   pulse_fast(p, i, j, sign, n, normal);
                                 else
                                   pulse_pair(p, w, i, j, sign, n, normal);
                                 fired += n;
                               });
  }
  // Tiki-Taka's transfer, once per batch; a transferred row is pulsed alone, its slots the
  // array's time.
  if (tiki_taka) fired += transfer_tiki_taka(p, w, scale, array_slots, normal);
  count_update(p, w, fired, row_slots, array_slots);
}

int64_t PcmNumerics::take_granules(float& chi, double wanted) const {
  const AnalogSettings& s = m_settings;
  const int64_t n = std::min(static_cast<int64_t>(std::fabs(wanted) / s.dw_min), s.max_pulses);
  chi = static_cast<float>(wanted - std::copysign(static_cast<double>(n) * s.dw_min, wanted));
  return n;
}

void PcmNumerics::pulse_fast(Programmed& p, Eigen::Index i, Eigen::Index j, double sign, int64_t n,
                             std::normal_distribution<double>& normal) {
  const double g_max = m_settings.g_max_s;
  p.fast(i, j) = static_cast<float>(pulsed(p.fast(i, j) * g_max, sign, n, normal) / g_max);
}

int64_t PcmNumerics::stochastic_pulses(double wanted) {
  const double exact = std::fabs(wanted) / m_settings.dw_min;
  auto n = static_cast<int64_t>(exact);
  std::uniform_real_distribution<double> uniform;
  if (uniform(m_rng) < exact - static_cast<double>(n)) ++n;
  return std::min(n, m_settings.max_pulses);
}

// n pulses of a soft-bounds device in closed form: each up pulse shrinks the distance to +g_max
// by a factor (1 − dw_min·(1 + up_down)), each down pulse the distance to −g_max by
// (1 − dw_min·(1 − up_down)); their independent cycle-to-cycle spreads add up to a relative
// spread of pulse_noise / √n on the whole move.
double PcmNumerics::pulsed(double g, double sign, int64_t n,
                           std::normal_distribution<double>& normal) {
  const double g_max = m_settings.g_max_s;
  const auto pulses = static_cast<double>(n);
  const double moved = sign > 0 ? g_max - (g_max - g) * std::exp(pulses * m_log_up)
                                : -g_max + (g_max + g) * std::exp(pulses * m_log_down);
  const double spread =
      m_settings.pulse_noise > 0 ? m_settings.pulse_noise / std::sqrt(pulses) : 0.0;
  return std::clamp(g + (moved - g) * (1.0 + spread * normal(m_rng)), -g_max, g_max);
}

double PcmNumerics::pulse_devices(Programmed& p, Eigen::Index i, Eigen::Index j, double sign,
                                  int64_t n, std::normal_distribution<double>& normal) {
  double g = static_cast<double>(p.g_plus(i, j)) - static_cast<double>(p.g_minus(i, j));
  g = pulsed(g, sign, n, normal);
  p.g_plus(i, j) = static_cast<float>(std::max(g, 0.0));
  p.g_minus(i, j) = static_cast<float>(std::max(-g, 0.0));
  return g;
}

void PcmNumerics::pulse_pair(Programmed& p, Matrix& w, Eigen::Index i, Eigen::Index j,
                             double wanted, int64_t n, std::normal_distribution<double>& normal) {
  const double g = pulse_devices(p, i, j, wanted, n, normal);
  w(i, j) = static_cast<float>(g / m_settings.g_max_s * p.scale(i));
  // The same pulses on the transposed copy's pair, with its own spread.
  if (p.copy) pulse_devices(*p.copy, i, j, wanted, n, normal);
}

void PcmNumerics::count_update(Programmed& p, const Matrix& w, int64_t fired, int64_t slots,
                               int64_t array_slots) {
  m_activity.pulses += fired;
  m_activity.weight_updates += w.size();
  m_activity.row_slots += slots;
  m_activity.rows_updated += w.cols();
  m_activity.array_slots += array_slots;
  ++m_activity.arrays_updated;
  p.read_at = -1.0;  // read again at the next use
  if (p.copy) p.copy->read_at = -1.0;
}

void PcmNumerics::update_tiki_taka(Programmed& p, Matrix& w, const Matrix& step,
                                   float learning_rate) {
  std::normal_distribution<double> normal;
  int64_t fired = 0, slots = 0;
  // The step onto the fast array A (held in units of g_max), row (input) by row.
  for (Eigen::Index j = 0; j < w.cols(); ++j) {
    int64_t row_most = 0;
    for (Eigen::Index i = 0; i < w.rows(); ++i) {
      const double wanted = -static_cast<double>(step(i, j)) / p.scale(i);
      const int64_t n = stochastic_pulses(wanted);
      if (n == 0) continue;
      pulse_fast(p, i, j, wanted, n, normal);
      row_most = std::max(row_most, n);
      fired += n;
    }
    slots += row_most;
  }
  fired += transfer_tiki_taka(p, w, learning_rate, slots, normal);
  count_update(p, w, fired, slots, 0);
}

int64_t PcmNumerics::transfer_tiki_taka(Programmed& p, Matrix& w, float learning_rate,
                                        int64_t& slots, std::normal_distribution<double>& normal) {
  // Columns of A, in turn, read and pulsed onto C (the weights).
  const AnalogSettings& s = m_settings;
  int64_t fired = 0;
  const int64_t columns = std::min<int64_t>(s.tt_columns, w.cols());
  for (int64_t k = 0; k < columns; ++k) {
    const Eigen::Index j = p.next_column++ % w.cols();
    int64_t row_most = 0;
    for (Eigen::Index i = 0; i < w.rows(); ++i) {
      const double wanted = s.tt_transfer_lr * static_cast<double>(learning_rate) *
                            (static_cast<double>(p.fast(i, j)) - symmetry_point());
      const int64_t n = stochastic_pulses(wanted);
      if (n == 0) continue;
      pulse_pair(p, w, i, j, wanted, n, normal);
      row_most = std::max(row_most, n);
      fired += n;
    }
    slots += row_most;
  }
  return fired;
}

void PcmNumerics::elapse(double seconds) {
  if (!(seconds >= 0)) throw InputError("analog: a drift time must be >= 0 s");
  m_time_s += seconds;
}

void PcmNumerics::quantize_inputs(Matrix& x) const {
  if (m_settings.dac_bits <= 0) return;
  const auto levels = static_cast<float>(std::max(1, (1 << (m_settings.dac_bits - 1)) - 1));
  x = ((x.array() * levels).round() / levels).matrix();
}

void PcmNumerics::quantize_outputs(Matrix& y, float bound) const {
  if (m_settings.adc_bits <= 0) return;
  const auto levels = static_cast<float>(std::max(1, (1 << (m_settings.adc_bits - 1)) - 1));
  y = ((y.array().max(-bound).min(bound) / bound * levels).round() / levels * bound).matrix();
}

void PcmNumerics::matmul(const Matrix& a, Operand a_holds, bool transpose_a, const Matrix& b,
                         Operand b_holds, bool transpose_b, Matrix& y) {
  const Eigen::Index rows = transpose_a ? a.cols() : a.rows();
  const Eigen::Index inner = transpose_a ? a.rows() : a.cols();
  const Eigen::Index cols = transpose_b ? b.rows() : b.cols();
  m_activity.macs += static_cast<int64_t>(rows) * inner * cols;
  const bool weight_first = a_holds == Operand::weight;
  if (!weight_first && b_holds != Operand::weight) {  // digital: weight gradients
    const Matrix pa = transposed_if(a, transpose_a), pb = transposed_if(b, transpose_b);
    y.noalias() = pa * pb;
    return;
  }
  // Canonical form: out = W_op · X, input vectors as the columns of X; W_op = W read forward
  // (outputs on the crossbar's columns) or transposed (the backward pass: inputs on them).
  const Matrix& w = weight_first ? a : b;
  const bool transposed = weight_first ? transpose_a : !transpose_b;
  const bool on_copy = transposed && m_settings.transposed_copy;
  const Matrix& held = on_copy ? copy_of(w).effective : effective(w);
  const Eigen::VectorXf& scale = (on_copy ? m_copies : m_programmed).at(w.data()).scale;
  if (transposed && m_settings.digital_backward) {  // on the digital units
    const Matrix pa =
        weight_first ? transposed_if(held, transpose_a) : transposed_if(a, transpose_a);
    const Matrix pb =
        weight_first ? transposed_if(b, transpose_b) : transposed_if(held, transpose_b);
    y.noalias() = pa * pb;
    return;
  }
  Matrix x = weight_first ? transposed_if(b, transpose_b) : transposed_if(a, !transpose_a);
  // The array holds W / scale (rows of W by their output's scale) in [−1, 1]: read forward, the
  // outputs are scaled back digitally after the ADC; read transposed, the inputs are scaled
  // before the DAC.
  Matrix w_op = transposed ? Matrix(held.transpose() * scale.cwiseInverse().asDiagonal())
                           : Matrix(scale.cwiseInverse().asDiagonal() * held);
  if (transposed) x = scale.asDiagonal() * x;
  // DAC: each input vector scaled by its largest magnitude into [−1, 1], then rounded.
  Eigen::RowVectorXf x_scale = x.cwiseAbs().colwise().maxCoeff();
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    if (x_scale(j) == 0) x_scale(j) = 1;
    x.col(j) /= x_scale(j);
  }
  Matrix xq = x;
  quantize_inputs(xq);
  Matrix out = w_op * xq;
  m_activity.vector_reads += out.cols();
  // Bound management: a vector whose outputs pass the ADC's bound is read again at 1/2^k of its
  // amplitude, the smallest k that fits, and scaled back by 2^k after the ADC.
  std::vector<std::pair<Eigen::Index, Matrix>> reread;
  const auto bound = static_cast<float>(m_settings.output_bound);
  if (m_settings.bound_management && m_settings.adc_bits > 0)
    for (Eigen::Index j = 0; j < out.cols(); ++j) {
      if (out.col(j).cwiseAbs().maxCoeff() <= bound) continue;
      Matrix column;
      float factor = 1.0f;
      for (int k = 1; k <= 20; ++k) {
        factor *= 2.0f;
        Matrix xj = x.col(j) / factor;
        quantize_inputs(xj);
        column = w_op * xj;
        ++m_activity.vector_rereads;
        if (column.cwiseAbs().maxCoeff() <= bound) break;
      }
      quantize_outputs(column, bound);
      reread.emplace_back(j, column * factor);
    }
  quantize_outputs(out, bound);
  for (const auto& [j, column] : reread) out.col(j) = column;
  out = out * x_scale.asDiagonal();
  if (!transposed) out = scale.asDiagonal() * out;
  if (weight_first)
    y = std::move(out);
  else
    y = out.transpose();
}

}  // namespace frugal::hw::analog
