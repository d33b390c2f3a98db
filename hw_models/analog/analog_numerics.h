#pragma once
// How an analog in-memory crossbar computes, for the functional face: the first part of the
// analog device (issue 7). Weights are programmed as conductances of differential pairs
// (G+ − G−, each in [0, g_max]), quantized to the cell's levels, perturbed by programming noise,
// drifting as g(t) = g_prog·((t + t0)/t0)^(−ν) and read with 1/f noise, following IBM's
// statistical PCM model (Nandakumar et al., ICECS 2019; aihwkit PCMLikeNoiseModel;
// docs/references.md#nandakumar-2019). Inputs pass a DAC (each input vector scaled by its largest
// magnitude, then rounded), outputs an ADC (clipped to a bound, then rounded; an input vector
// whose outputs would clip is read again at half its amplitude, as aihwkit's bound management). A
// fraction of cells can be stuck at 0 or g_max. Products without a weight operand (weight
// gradients) are digital, exact. Everything random is drawn from the seed.

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "algorithms/functional/numerics.h"

namespace frugal::hw::analog {

enum class UpdateScheme { sgd, mixed_precision, tiki_taka };
// "sgd", "mixed-precision", "tiki-taka": the values of --analog-update, in the enum's order.
const std::vector<std::string>& update_scheme_names();
// Throws InputError naming the known schemes.
UpdateScheme parse_update_scheme(const std::string& name);

struct AnalogSettings {
  double g_max_s = 25e-6;  // conductance range of one device (aihwkit default, PCM)
  int64_t levels = 0;      // conductance levels per device (0: continuous)
  int dac_bits = 8;        // 0: ideal inputs
  int adc_bits = 8;        // 0: ideal outputs
  // ADC range, in units of a full-scale input × g_max's weight (aihwkit's out_bound, relative to
  // the devices' range: on a chip that trains, weights start at 1 / train_weight_range of it).
  double output_bound = 12.0;
  // Bound management (aihwkit's ITERATIVE, its default): an input vector whose outputs pass the
  // ADC's bound is read again at half its amplitude, until they fit (at most 20 halvings); the
  // outputs are scaled back digitally. Off: they clip.
  bool bound_management = true;
  double prog_noise_scale = 1.0;  // scales of the PCM model's three effects (0: off)
  double read_noise_scale = 1.0;
  double drift_scale = 1.0;
  bool drift_compensation = false;  // global: outputs rescaled by a reference read (aihwkit's)
  double stuck_rate = 0.0;          // fraction of devices stuck, half at 0 and half at g_max
  double t0_s = 20.0;               // drift reference time
  double t_read_s = 250e-9;         // read pulse, for the 1/f noise
  // How weights map to conductances: W = scale · (G+ − G−) / g_max, with one digital output
  // scale per crossbar column (an output neuron: aihwkit's columnwise output scaling) or one per
  // matrix. The scale maps the largest weight magnitude (of the column, or of the matrix) to
  // g_max; a network trained on the device needs room to grow, so there g_max stands for
  // train_weight_range times the initial largest magnitude.
  bool column_scales = false;
  double train_weight_range = 2.0;
  // Training on the device: updates as pulses on each pair (a soft-bounds device, as aihwkit's
  // SoftBoundsDevice): an up pulse moves G = G+ − G− by dw_min·g_max·(1 + up_down)·(1 − G/g_max),
  // a down pulse by −dw_min·g_max·(1 − up_down)·(1 + G/g_max), each ×(1 + pulse_noise·N(0, 1));
  // at most max_pulses per update. Off: ideal reprogramming (deployment; updates rewrite).
  bool pulsed_updates = false;
  double dw_min = 0.001;
  double up_down = 0.0;
  double pulse_noise = 0.3;
  int64_t max_pulses = 31;
  // What turns an update into pulses (update_scheme_names()):
  // - sgd: plain pulsed SGD, the step's pulse count stochastically rounded (aihwkit's
  //   AnalogSGD with the summed gradient of the batch);
  // - mixed_precision: the step accumulates in a digital memory χ (per weight, in units of
  //   g_max); a weight whose |χ| reaches the device granularity ε = dw_min gets n = ⌊|χ|/ε⌋
  //   pulses (at most max_pulses) and χ gives up n·ε (Nandakumar et al., Front. Neurosci. 2020).
  // - tiki_taka (Gokmen and Haensch, Front. Neurosci. 2020, TTv1 as aihwkit's TransferCompound
  //   with gamma 0): the step is pulsed onto a fast array A (plain pulsed SGD, the same devices);
  //   after each update tt_columns columns of A, in turn, are read and pulsed onto the weights'
  //   array C scaled by tt_transfer_lr times the step's learning rate (aihwkit's
  //   scale_transfer_lr, on by default; stochastically rounded). The network reads C alone.
  UpdateScheme scheme = UpdateScheme::sgd;
  // Per sample (a plain SGD step given by its factors, update_outer): each sample's rank-one
  // update is applied on its own, as published analog trainers do (Gokmen and Vlasov 2016;
  // aihwkit's stochastic compressed pulse trains with update and bit-length management):
  // - sgd, and tiki-taka's fast array: one stochastic pulse train per sample. With x the
  //   sample's inputs, δ its output errors in g_max units (lr·δᵢ / scaleᵢ) and
  //   r = max|x|·max|δ| / dw_min, the train has BL = min(⌈r⌉, max_pulses, 64) slots; in each
  //   slot input line j fires with probability m·|x_j| / max|x| and output line i with
  //   m·|δᵢ| / max|δ|, m = √(r / BL) (at most 1), and a device pair whose two lines both fire
  //   takes one pulse against the sign of δᵢ·x_j. Its expected pulses are |δᵢ·x_j| / dw_min. The
  //   train pulses the whole array at once: BL slots (Activity::array_slots).
  // - mixed_precision: χ accumulates each sample's update exactly and the whole granules are
  //   fired after each sample, a row after another (row slots).
  // Tiki-Taka transfers once per batch (aihwkit's transfer_every in mini-batches).
  bool per_sample = false;
  int64_t tt_columns = 1;
  double tt_transfer_lr = 1.0;
  // A chip that cannot read its crossbars transposed and keeps no transposed copy: products by
  // a transposed weight matrix (the backward pass) are digital, exact, from the weights held.
  bool digital_backward = false;
  // A chip that cannot read its crossbars transposed and keeps a transposed copy of each matrix
  // on devices of its own: products by a transposed weight matrix read the copy, programmed
  // from the same weights with its own programming noise, stuck devices and drift, and pulsed
  // in step with every update (the same pulse counts, its own cycle-to-cycle spread and soft
  // bounds), so the backward pass reads weights a little unlike the forward pass's.
  bool transposed_copy = false;
};

class PcmNumerics final : public algorithms::Numerics {
 public:
  PcmNumerics(AnalogSettings settings, uint64_t seed);
  // Not copied: a programmed matrix points at its transposed copy, held here.
  PcmNumerics(const PcmNumerics&) = delete;
  PcmNumerics& operator=(const PcmNumerics&) = delete;
  std::string name() const override { return "analog:pcm"; }

  void matmul(const algorithms::Matrix& a, algorithms::Operand a_holds, bool transpose_a,
              const algorithms::Matrix& b, algorithms::Operand b_holds, bool transpose_b,
              algorithms::Matrix& y) override;
  // Weights as the crossbar holds them now (programmed, drifted, read once); others unchanged.
  void represent(algorithms::Matrix& m, algorithms::Operand holds) const override;
  // With pulsed_updates, the step is applied as pulses to the programmed pairs (bounded,
  // asymmetric, noisy) and `w` becomes what the devices now hold; else the matrix is
  // reprogrammed (ideal write-verify) at its next use.
  void update(algorithms::Matrix& w, const algorithms::Matrix& step,
              float learning_rate = 1.0f) override;
  bool updates_per_sample() const override {
    return m_settings.pulsed_updates && m_settings.per_sample;
  }
  // With per_sample: each sample's update on its own (see AnalogSettings::per_sample).
  void update_outer(algorithms::Matrix& w, float scale, const algorithms::Matrix& d,
                    const algorithms::Matrix& x) override;
  // Pulses applied by updates so far (each to one device of a pair), and the weight updates
  // (weights × updates) they went to; activity() carries the same counts.
  int64_t pulses() const { return m_activity.pulses; }
  int64_t pair_updates() const { return m_activity.weight_updates; }
  // Time since programming: drift and read noise change.
  void elapse(double seconds) override;
  double time_s() const { return m_time_s; }

  // σ of programming noise (S) for a target conductance, and the drift exponent's mean and
  // spread, as the PCM model gives them (exposed for tests).
  double programming_sigma(double g_target) const;
  static double drift_mean(double g_ratio);
  static double drift_spread(double g_ratio);

  // Where a soft-bounds pair's up and down steps are equal, in units of g_max: (1 + up_down)·
  // (1 − g) = (1 − up_down)·(1 + g) gives g = up_down. Random pulses of both signs drift a
  // device there.
  double symmetry_point() const { return m_settings.up_down; }

 private:
  struct Programmed {
    const float* data = nullptr;
    int64_t rows = 0, cols = 0;
    Eigen::VectorXf scale;                 // weight value of g_max, per row of W (an output)
    algorithms::Matrix g_plus, g_minus;    // programmed conductances (S)
    algorithms::Matrix chi;                // mixed precision: the accumulated step (g_max units)
    algorithms::Matrix fast;               // Tiki-Taka: the fast array A (g_max units)
    int64_t next_column = 0;               // Tiki-Taka: the column of A transferred next
    algorithms::Matrix nu_plus, nu_minus;  // drift exponents
    algorithms::Matrix effective;          // weights as read at m_time_s
    double reference = 0.0;                // Σ|effective| right after programming (compensation)
    double read_at = -1.0;                 // time `effective` was read at
    // AnalogSettings::transposed_copy: the copy's devices (in m_copies), pulsed with these.
    Programmed* copy = nullptr;
  };
  // The matrix's programming, made on first use or after an update, read at the current time.
  const algorithms::Matrix& effective(const algorithms::Matrix& w) const;
  // Its transposed copy's (AnalogSettings::transposed_copy), programmed from the same weights
  // with the same output scales on first use (after the matrix's own), and read.
  const Programmed& copy_of(const algorithms::Matrix& w) const;
  void program(Programmed& p, const algorithms::Matrix& w) const;
  void update_tiki_taka(Programmed& p, algorithms::Matrix& w, const algorithms::Matrix& step,
                        float learning_rate);
  // Columns of Tiki-Taka's fast array, in turn, pulsed onto the weights; returns the pulses
  // fired and adds the slots each transferred row took to `slots`.
  int64_t transfer_tiki_taka(Programmed& p, algorithms::Matrix& w, float learning_rate,
                             int64_t& slots, std::normal_distribution<double>& normal);
  // One sample's stochastic pulse train (AnalogSettings::per_sample): the pulses for a move of
  // −δᵢ·x_j (g_max units) at each pair, applied by `fire(i, j, sign, n)`; returns the train's
  // slots.
  template <typename Fire>
  int64_t pulse_train(const Eigen::VectorXf& delta, const float* x, Eigen::Index inputs,
                      Fire&& fire);
  // The pulses for a move of `wanted` (g_max units), stochastically rounded, at most max_pulses.
  int64_t stochastic_pulses(double wanted);
  // Mixed precision: the whole granules of `wanted` (χ with this update's move added, g_max
  // units) to fire, at most max_pulses; χ keeps the rest.
  int64_t take_granules(float& chi, double wanted) const;
  // n pulses on the pair (i, j) of Tiki-Taka's fast array, in the direction of `sign`.
  void pulse_fast(Programmed& p, Eigen::Index i, Eigen::Index j, double sign, int64_t n,
                  std::normal_distribution<double>& normal);
  // A soft-bounds pair at g (S, in [−g_max, g_max]) after n pulses in the direction of `sign`,
  // with the cycle-to-cycle spread drawn from `normal` (one per update, as it caches draws).
  double pulsed(double g, double sign, int64_t n, std::normal_distribution<double>& normal);
  // n pulses on the devices of pair (i, j) of `p` in the direction of `sign`; returns the pair's
  // G+ − G− after them (S).
  double pulse_devices(Programmed& p, Eigen::Index i, Eigen::Index j, double sign, int64_t n,
                       std::normal_distribution<double>& normal);
  // Fires n pulses at the pair of weight (i, j) in the direction of `wanted`, then sets the pair
  // in `p` and the weight in `w` to what it holds (and pulses the transposed copy's pair alike).
  void pulse_pair(Programmed& p, algorithms::Matrix& w, Eigen::Index i, Eigen::Index j,
                  double wanted, int64_t n, std::normal_distribution<double>& normal);
  // Records an update of `w` (its pulses, the row slots and whole-array slots they took), to be
  // read anew.
  void count_update(Programmed& p, const algorithms::Matrix& w, int64_t fired, int64_t slots,
                    int64_t array_slots);
  void read(Programmed& p) const;
  void quantize_inputs(algorithms::Matrix& x) const;  // per column: DAC
  // ADC: clip to ±bound (in units of a full-scale input × g_max), round.
  void quantize_outputs(algorithms::Matrix& y, float bound) const;

  AnalogSettings m_settings;
  // log(1 − dw_min·(1 ± up_down)): a soft-bounds pulse's shrink of the distance to its bound.
  double m_log_up = 0.0, m_log_down = 0.0;
  mutable std::mt19937_64 m_rng;
  // Per-sample pulse trains: each line's bits (slot t: bit t) and the lines that fire.
  std::vector<uint64_t> m_input_bits, m_output_bits;
  std::vector<Eigen::Index> m_firing_outputs;
  double m_time_s = 0.0;
  mutable std::unordered_map<const float*, Programmed> m_programmed;
  mutable std::unordered_map<const float*, Programmed> m_copies;  // transposed copies
};

}  // namespace frugal::hw::analog
