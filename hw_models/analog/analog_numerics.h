#pragma once
// How an analog in-memory crossbar computes, for the functional face: the first part of the
// analog device (issue 7). Weights are programmed as conductances of differential pairs
// (G+ − G−, each in [0, g_max]), quantized to the cell's levels, perturbed by programming noise,
// drifting as g(t) = g_prog·((t + t0)/t0)^(−ν) and read with 1/f noise, following IBM's
// statistical PCM model (Nandakumar et al., ICECS 2019; aihwkit PCMLikeNoiseModel; REFERENCES.md
// section 4c). Inputs pass a DAC (each input vector scaled by its largest magnitude, then
// rounded), outputs an ADC (clipped to a bound, then rounded). A fraction of cells can be stuck
// at 0 or g_max. Products without a weight operand (weight gradients) are digital, exact.
// Everything random is drawn from the seed.

#include <cstdint>
#include <random>
#include <unordered_map>

#include "algorithms/functional/numerics.h"

namespace frugal::hw::analog {

struct AnalogSettings {
  double g_max_s = 25e-6;         // conductance range of one device (aihwkit default, PCM)
  int64_t levels = 0;             // conductance levels per device (0: continuous)
  int dac_bits = 8;               // 0: ideal inputs
  int adc_bits = 8;               // 0: ideal outputs
  double output_bound = 12.0;     // ADC range, in units of a full-scale input × weight
  double prog_noise_scale = 1.0;  // scales of the PCM model's three effects (0: off)
  double read_noise_scale = 1.0;
  double drift_scale = 1.0;
  bool drift_compensation = false;  // global: outputs rescaled by a reference read (aihwkit's)
  double stuck_rate = 0.0;          // fraction of devices stuck, half at 0 and half at g_max
  double t0_s = 20.0;               // drift reference time
  double t_read_s = 250e-9;         // read pulse, for the 1/f noise
};

class PcmNumerics final : public algorithms::Numerics {
 public:
  PcmNumerics(AnalogSettings settings, uint64_t seed);
  std::string name() const override { return "analog:pcm"; }

  void matmul(const algorithms::Matrix& a, algorithms::Operand a_holds, bool transpose_a,
              const algorithms::Matrix& b, algorithms::Operand b_holds, bool transpose_b,
              algorithms::Matrix& y) override;
  // Weights as the crossbar holds them now (programmed, drifted, read once); others unchanged.
  void represent(algorithms::Matrix& m, algorithms::Operand holds) const override;
  // The update is written by reprogramming the matrix (ideal write-verify; pulse-level device
  // updates come with analog training).
  void update(algorithms::Matrix& w, const algorithms::Matrix& step) override;
  // Time since programming: drift and read noise change.
  void elapse(double seconds) override;
  double time_s() const { return m_time_s; }

  // σ of programming noise (S) for a target conductance, and the drift exponent's mean and
  // spread, as the PCM model gives them (exposed for tests).
  double programming_sigma(double g_target) const;
  static double drift_mean(double g_ratio);
  static double drift_spread(double g_ratio);

 private:
  struct Programmed {
    const float* data = nullptr;
    int64_t rows = 0, cols = 0;
    float scale = 1.0f;                    // weight value of g_max
    algorithms::Matrix g_plus, g_minus;    // programmed conductances (S)
    algorithms::Matrix nu_plus, nu_minus;  // drift exponents
    algorithms::Matrix effective;          // weights as read at m_time_s
    double reference = 0.0;                // Σ|effective| right after programming (compensation)
    double read_at = -1.0;                 // time `effective` was read at
  };
  // The matrix's programming, made on first use or after an update, read at the current time.
  const algorithms::Matrix& effective(const algorithms::Matrix& w) const;
  void program(Programmed& p, const algorithms::Matrix& w) const;
  void read(Programmed& p) const;
  void quantize_inputs(algorithms::Matrix& x) const;   // per column: DAC
  void quantize_outputs(algorithms::Matrix& y) const;  // ADC: clip to the bound, round

  AnalogSettings m_settings;
  mutable std::mt19937_64 m_rng;
  double m_time_s = 0.0;
  mutable std::unordered_map<const float*, Programmed> m_programmed;
};

}  // namespace frugal::hw::analog
