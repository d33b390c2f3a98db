#pragma once
// Fits a GPU preset to a card's kernel measurements (`frugal calibrate gpu --fit`): each fitted
// parameter is solved, in a fixed order, so that frugal's own model reproduces one phase's
// measured time or energy; the order puts each parameter after those its phase depends on, and
// three passes settle what remains. Every other parameter comes from the base preset (datasheet
// figures). The phases a parameter is fitted to are consistency checks for the fitted preset; the
// others of the file, and whole networks, are its predictions.

#include <string>
#include <vector>

#include "hw_models/gpu/kernel_phases.h"
#include "hw_models/preset.h"

namespace frugal::hw::gpu {

struct FittedParam {
  std::string param;      // preset key
  std::string phase;      // the phase it reproduces ("" for one derived from another parameter)
  bool energy = false;    // fitted to the phase's energy, else its time
  std::string text;       // the value as written in the preset ("0.6123 pJ")
  double measured = 0;    // the phase's time (s) or energy (J)
  double modelled = 0;    // frugal's with the fitted preset
  bool at_bound = false;  // the value is at the end of its range: the phase is out of reach
};

struct GpuFit {
  Preset preset;  // the base with the fitted values, their sources saying where they come from
  std::vector<FittedParam> fitted;
};

// The parameters `fit_gpu` solves, and the phase each reproduces, in order.
struct FitTarget {
  std::string param, phase;
  bool energy = false;
};
const std::vector<FitTarget>& gpu_fit_targets();

// Fits `base` (a gpu preset) to `phases` (kernel_phases of a measurement file). `provenance`
// goes into each fitted value's source: "measured on <card>, <date> (<file>)". Throws InputError
// naming a phase the fit needs that the file lacks.
GpuFit fit_gpu(const std::vector<KernelPhase>& phases, const Preset& base,
               const std::string& provenance);

}  // namespace frugal::hw::gpu
