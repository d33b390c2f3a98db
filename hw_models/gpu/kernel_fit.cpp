#include "hw_models/gpu/kernel_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "hw_models/device.h"
#include "results/core/error.h"
#include "results/core/units.h"

namespace frugal::hw::gpu {
namespace {

// Passes over the targets (each parameter's phase depends a little on those fitted after it),
// bisection steps per solve (in log space: a relative precision of about 1e-9 over 12 decades),
// and the significant digits a fitted value keeps in the preset.
constexpr int kPasses = 3;
constexpr int kBisections = 64;
constexpr int kDigits = 4;

// A value as text that Preset::set reads back to the same double.
std::string exact_text(double value, units::Dimension dimension) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g %s", value,
                std::string(units::symbol(dimension)).c_str());
  return text;
}

const ParamSpec& spec_of(const Preset& preset, const std::string& key) {
  for (const PresetParam& p : preset.params())
    if (p.spec.name == key) return p.spec;
  throw std::logic_error("no gpu parameter " + key);  // the targets name declared parameters
}

double measured(const KernelPhase& phase, bool energy) {
  return energy ? phase.measured_j : phase.measured_s;
}

double modelled(const Preset& preset, const KernelPhase& phase, bool energy) {
  const auto device = make_device(preset);
  const PhaseCost cost = cost_phase(*device, phase);
  return energy ? cost.energy_j : cost.time_s;
}

// The SMs' active power, for streaming kernels or for a kind of its own (power_*).
bool sm_power(const std::string& name) {
  return name == "sm_active_power" || name.rfind("power_", 0) == 0;
}

// The range a parameter is searched in: its declared range, above zero, and for the powers
// above idle, what the power limit leaves.
std::pair<double, double> search_range(const Preset& preset, const ParamSpec& spec) {
  const double current = preset.get(spec.name);
  double lo = spec.min > 0 ? spec.min : (current > 0 ? current * 1e-6 : 1e-30);
  double hi = spec.max;
  const double tdp = preset.get("tdp");
  if (spec.name == "idle_power") {
    double active = 0;
    for (const PresetParam& p : preset.params())
      if (sm_power(p.spec.name)) active = std::max(active, preset.get(p.spec.name));
    hi = tdp - active - 1.0;
  }
  if (sm_power(spec.name)) hi = tdp - preset.get("idle_power") - 1.0;
  return {lo, hi};
}

// Solves `spec` so that the phase's modelled quantity equals the measured one, the model being
// monotonic in the parameter. Sets the value in `preset`; true when the measurement is out of
// the range's reach (the value is the nearer end).
bool solve(Preset& preset, const ParamSpec& spec, const KernelPhase& phase, bool energy) {
  const double target = measured(phase, energy);
  auto [lo, hi] = search_range(preset, spec);
  const auto at = [&](double v) {
    preset.set(spec.name, exact_text(v, spec.dimension), "being fitted");
    return modelled(preset, phase, energy);
  };
  const double f_lo = at(lo), f_hi = at(hi);
  const bool rising = f_hi >= f_lo;
  if ((rising && target <= f_lo) || (!rising && target >= f_lo)) {
    at(lo);
    return true;
  }
  if ((rising && target >= f_hi) || (!rising && target <= f_hi)) {
    at(hi);
    return true;
  }
  for (int i = 0; i < kBisections; ++i) {
    const double mid = std::sqrt(lo * hi);
    if ((at(mid) < target) == rising)
      lo = mid;
    else
      hi = mid;
  }
  at(std::sqrt(lo * hi));
  return false;
}

std::string quantity(bool energy) { return energy ? "energy" : "time"; }

}  // namespace

const std::vector<FitTarget>& gpu_fit_targets() {
  // Each after the parameters its phase depends on most: the idle board, the kernel floor and
  // launch, the product rate, the eager host's dispatch (calls the GPU finishes first), the
  // memory's rate and energy (a copy by the copy engines, no SMs), the SMs' active power (a
  // streaming kernel), the arithmetic's energy per precision (large products, which run at the
  // power limit), then the kernel kinds.
  static const std::vector<FitTarget> targets = {
      {"idle_power", "idle", true},
      {"kernel_min_time", "gemm_bf16_256_graph", false},
      {"kernel_launch", "gemm_bf16_1024_graph", false},
      {"gemm_efficiency", "gemm_bf16_2048_graph", false},
      {"dispatch_op", "eager_tiny_add", false},
      {"dispatch_product", "eager_gemm_bf16_256", false},
      {"hbm_efficiency", "eager_copy_4gib", false},
      {"hbm_energy_per_byte", "eager_copy_4gib", true},
      {"stream_elementwise", "relu_bf16_1gib_graph", false},
      {"sm_active_power", "relu_bf16_1gib_graph", true},
      {"op_energy_bf16", "gemm_bf16_8192_graph", false},
      {"op_energy_tf32", "eager_gemm_tf32_8192", false},
      {"op_energy_fp32", "eager_gemm_fp32_8192", false},
      {"gemm_unaligned_efficiency", "gemm_bf16_gpt2_lmhead_50257_graph", false},
      {"stream_batch_norm", "batchnorm_fwd_256x256x56x56_cl", false},
      {"stream_pool", "maxpool3x3s2_fwd_256x64x112x112_cl", false},
      {"stream_softmax", "softmax_bf16_96x1024x1024", false},
      {"stream_layer_norm", "layernorm_bf16_8192x768", false},
      {"stream_gelu", "gelu_tanh_bf16_1gib_graph", false},
      {"stream_dropout", "dropout_bf16_1gib_graph", false},
      {"stream_foreach", "adamw_step_124M_fp32", false},
      {"power_batch_norm", "batchnorm_fwd_256x256x56x56_cl", true},
      {"power_pool", "maxpool3x3s2_fwd_256x64x112x112_cl", true},
      {"power_softmax", "softmax_bf16_96x1024x1024", true},
      {"power_layer_norm", "layernorm_bf16_8192x768", true},
      {"attention_efficiency", "sdpa_causal_bf16_8x12x1024x64_fwd", false},
      {"host_bandwidth", "h2d_pinned_1gib", false},
      {"host_energy_per_byte", "h2d_pinned_1gib", true},
  };
  return targets;
}

GpuFit fit_gpu(const std::vector<KernelPhase>& phases, const Preset& base,
               const std::string& provenance) {
  if (base.device() != "gpu")
    throw InputError(base.name() + " is a " + base.device() + " preset; a gpu preset is fitted");
  std::map<std::string, const KernelPhase*> by_name;
  for (const KernelPhase& p : phases) by_name[p.name] = &p;
  for (const FitTarget& t : gpu_fit_targets())
    if (!by_name.count(t.phase))
      throw InputError("the measurements lack the phase " + t.phase + ", to which " + t.param +
                       " is fitted");
  Preset preset = base;
  std::map<std::string, bool> at_bound;
  for (int pass = 0; pass < kPasses; ++pass)
    for (const FitTarget& t : gpu_fit_targets())
      at_bound[t.param] = solve(preset, spec_of(preset, t.param), *by_name.at(t.phase), t.energy);

  // Rounded to kDigits, with sources; then the parts without measurements from bf16's energy.
  GpuFit fit;
  for (const FitTarget& t : gpu_fit_targets()) {
    const ParamSpec& spec = spec_of(preset, t.param);
    const KernelPhase& phase = *by_name.at(t.phase);
    const std::string text = units::format_si(preset.get(t.param), spec.dimension, kDigits);
    preset.set(
        t.param, text,
        provenance + ": fitted so that frugal reproduces the phase " + t.phase + "'s " +
            quantity(t.energy) + ", " +
            units::format_si(measured(phase, t.energy),
                             t.energy ? units::Dimension::energy : units::Dimension::time, 3));
    fit.fitted.push_back(
        {t.param, t.phase, t.energy, text, measured(phase, t.energy), 0, at_bound.at(t.param)});
  }
  const double bf16 = preset.get("op_energy_bf16");
  const auto derive = [&](const std::string& precision, double factor, const std::string& why) {
    const std::string key = "op_energy_" + precision;
    if (preset.get("peak_" + precision) <= 0) return;
    const std::string text = units::format_si(bf16 * factor, units::Dimension::energy, kDigits);
    preset.set(key, text, "derived: op_energy_bf16 (fitted) " + why);
    fit.fitted.push_back({key, "", false, text, 0, 0, false});
  };
  derive("fp16", 1.0,
         "as it is; assumption: fp16 and bf16 tensor cores spend alike (not measured)");
  derive("int8", 0.5,
         "/ 2; assumption: twice bf16's rate at the same power, as the datasheet peaks have it "
         "(not measured)");
  derive("fp8", 0.5,
         "/ 2; assumption: twice bf16's rate at the same power, as the datasheet peaks have it "
         "(not measured)");
  for (FittedParam& f : fit.fitted)
    if (!f.phase.empty()) f.modelled = modelled(preset, *by_name.at(f.phase), f.energy);
  fit.preset = preset;
  return fit;
}

}  // namespace frugal::hw::gpu
