#pragma once
// How a device computes, for the functional face. Every matrix product of a training step goes
// through a Numerics, which decides how the device represents each operand (rounding to a
// format, quantization, noise), how it applies a weight update, and what happens while time
// passes. The trainer counts the work it sees (activity), which is what the cost face charges.
//
// This file gives ideal fp32 and the digital formats tf32, bf16, fp16, fp8, int8 and int4, applied
// as mixed-precision hardware does (Micikevicius et al., "Mixed Precision Training", ICLR 2018):
// the operands of every product (weights, activations, errors) are rounded to the format,
// products accumulate in fp32, and the master weights, biases, momentum and elementwise work stay
// in fp32. int8 and int4 use one symmetric scale per tensor (max |x| maps to the largest code,
// 127 or 7; round to nearest), as per-tensor post-training and quantization-aware schemes do;
// fp8 follows Transformer Engine: E4M3 for weights and activations, E5M2 for gradients, each
// tensor scaled so that its largest magnitude maps to the format's largest (448, 57344).
// Devices (analog crossbars, neuromorphic cores) derive their own Numerics from this interface.

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/crossbar_activity.h"

namespace frugal::algorithms {

using Matrix = Eigen::MatrixXf;  // features × samples: one column per sample
using Vector = Eigen::VectorXf;

// What a matrix holds, so that a device can treat each as its hardware does.
enum class Operand { weight, activation, gradient };

// Work seen through the interface, since the last reset.
struct Activity {
  int64_t macs = 0;  // multiply-accumulates of the products computed
  // Devices whose weights are conductances (analog crossbars): programming pulses fired by
  // update(), and the weight updates (weights × updates) they served.
  int64_t pulses = 0;
  int64_t weight_updates = 0;
  // The pulse slots the updates took row by row: a crossbar row (one input line) is pulsed at
  // once, its devices in parallel, so a row takes as many slots as its most-pulsed weight; and
  // the rows (× updates) they went to.
  int64_t row_slots = 0;
  int64_t rows_updated = 0;
  // Pulse slots in which a whole array is pulsed at once (per-sample stochastic pulse trains:
  // every row and column driven together, each train as many slots as its length), and the
  // matrices (× updates) they went to.
  int64_t array_slots = 0;
  int64_t arrays_updated = 0;
  // Input vectors read through a crossbar's converters, and the extra reads that bound
  // management took (an input read again at half its amplitude when its outputs would clip).
  int64_t vector_reads = 0;
  int64_t vector_rereads = 0;
};

// The activity's averages: pulses and row slots per update, array slots per update, rereads
// per read (NaN where there was nothing to average).
CrossbarActivity per_update(const Activity& fired);

class Numerics {
 public:
  virtual ~Numerics() = default;
  virtual std::string name() const = 0;

  // y = op(a)·op(b), op(m) = mᵀ where `transpose_*`, each operand as the device represents what
  // it holds. The default rounds copies of the operands with represent() (nothing to copy when
  // exact()) and multiplies in fp32.
  virtual void matmul(const Matrix& a, Operand a_holds, bool transpose_a, const Matrix& b,
                      Operand b_holds, bool transpose_b, Matrix& y);
  // `m` as the device holds it, in place (fp32: unchanged).
  virtual void represent(Matrix& m, Operand holds) const = 0;
  // True when represent() never changes a value (ideal fp32): products need no copies.
  virtual bool exact() const { return false; }
  // W ← W − step as the device applies an update (digital: exactly, on fp32 master weights);
  // `learning_rate` is the step's current rate, for devices whose own transfers scale with it.
  virtual void update(Matrix& w, const Matrix& step, float learning_rate = 1.0f);
  // True where the device applies a plain SGD step of a dense layer sample by sample, as rank-one
  // updates (an analog chip's stochastic pulse trains): the trainer then calls update_outer().
  virtual bool updates_per_sample() const { return false; }
  // W ← W − scale · Σₖ d_k x_kᵀ, the step's gradient given by its factors (d: outputs × samples,
  // x: inputs × samples), applied one sample's rank-one update after another. The default forms
  // the product and calls update().
  virtual void update_outer(Matrix& w, float scale, const Matrix& d, const Matrix& x);
  // Time passing without computing (drift, retention); nothing for digital formats.
  virtual void elapse(double /*seconds*/) {}

  const Activity& activity() const { return m_activity; }
  void reset_activity() { m_activity = {}; }

 protected:
  Activity m_activity;
};

// The digital formats: "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4".
const std::vector<std::string>& digital_formats();
bool is_digital_format(const std::string& format);
// Bytes a value of a digital format occupies in memory (int4 unpacked: 1; tf32 is stored as fp32).
int format_bytes(const std::string& format);
// Throws InputError naming the format and the known ones.
std::unique_ptr<Numerics> make_digital_numerics(const std::string& format);

// Round to nearest even in the format (as a float). bf16 keeps fp32's range (8 exponent bits,
// 7 fraction bits); fp16 (5 and 10) has subnormals down to 2⁻²⁴ and overflows to ±∞ past 65504.
float round_bf16(float x);
float round_fp16(float x);
// tf32: fp32's range, 10 fraction bits (tensor cores' input format).
float round_tf32(float x);
// A binary floating-point format with `fraction_bits`, normal numbers from 2^min_exponent,
// subnormals below, and `largest` finite value; past it ±largest (saturate) or ±∞.
float round_minifloat(float x, int fraction_bits, int min_exponent, float largest, bool saturate);
// Symmetric per-tensor quantization to `bits` (2..16): scale = max|m| / (2^(bits−1) − 1).
void quantize_symmetric(Matrix& m, int bits);

}  // namespace frugal::algorithms
