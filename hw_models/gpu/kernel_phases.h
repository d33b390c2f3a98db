#pragma once
// A GPU's kernel measurements as frugal sees them: each measured phase of a measurement file
// (hw_models/calibration/*.json, written by `frugal calibrate gpu`'s probe) as the work frugal
// costs, so that a preset can be run through the same kernels and compared, phase by phase, in
// time and energy. This is the calibration set: a preset fitted to it is checked against it for
// consistency; whole networks measured the same way judge the fit.

#include <optional>
#include <string>
#include <vector>

#include "algorithms/training_step.h"
#include "hw_models/device.h"
#include "results/files/json.h"

namespace frugal::hw::gpu {

struct KernelPhase {
  std::string name;  // the measurement file's
  std::string work;  // what the kernel does, in words
  // Replayed from a CUDA graph (the kernels' time alone); false: eager, each op dispatched by
  // the host (the dispatch is in the measured time).
  bool graph = true;
  double measured_s = 0;  // per iteration
  double measured_j = 0;  // board energy per iteration
  // The work as frugal costs it; none for the idle phase (the board's idle power alone).
  std::optional<algorithms::TrainingStep> step;
};

struct SkippedPhase {
  std::string name, why;
};

// The phases of a measurement file that frugal models, in the file's order; the others go to
// `skipped` with the reason. Throws InputError naming `where` for a file that is not a
// measurement file (no "phases" object, a phase without s_per_iter or j_per_iter).
std::vector<KernelPhase> kernel_phases(const results::JsonValue& file, const std::string& where,
                                       std::vector<SkippedPhase>* skipped = nullptr);

// What a preset's model gives a phase: time and board energy per iteration.
struct PhaseCost {
  double time_s = 0, energy_j = 0;
};
PhaseCost cost_phase(Device& device, const KernelPhase& phase);

}  // namespace frugal::hw::gpu
