#pragma once
// Fits a CPU preset to the machine's own microbenchmarks (`frugal calibrate cpu`, measured by
// sim/app/cpu_probe.h): the topology from the file's machine section (cores, caches, vector
// extensions), the issue rate and product efficiencies from the products, the bandwidths each
// core and all cores sustain from the streams, the native trainer's time per op and PyTorch's
// dispatch per op from tiny training steps, and, where RAPL was readable, the idle power and the
// energy per instruction and per DRAM byte. What the file does not measure stays the base
// preset's, its source marked as an assumption for this machine. The fitted phases are
// consistency checks; the other product sizes, and whole networks, are predictions.

#include <string>
#include <vector>

#include "hw_models/preset.h"
#include "results/files/json.h"
#include "workloads/graph.h"

namespace frugal::hw::cpu {

struct CpuFitValue {
  std::string param;  // preset key
  std::string text;   // as written in the preset ("2.6 GHz")
  std::string from;   // what it was measured or derived from, in words
  // The phase it is solved to reproduce ("" for one read off the machine), and whether the
  // value sits at the end of its range, so that the phase cannot come back (a product faster
  // than the FMA probe's peak, as under a sanitizer; a step faster than its modelled work).
  std::string phase;
  bool at_bound = false;
};

struct CpuFit {
  std::string preset_text;  // the fitted preset's file
  std::vector<CpuFitValue> fitted;
  std::vector<std::string> kept;  // parameters left at the base's values for this machine
  std::string rapl;               // the energy counters the probe could read ("none", ...)
};

// The tiny networks whose training steps (bp, momentum) the probe times on frugal's own trainer
// and the fit solves for: a 4-4-2 MLP at batch 1 (trainer_step_tiny: the fixed time per op) and a
// 3x3 convolution of 4 channels on 12x12 inputs, max pooling and a dense layer, at batch 8
// (trainer_conv_tiny: the time per element its convolution and pooling rearrange). Neither is a
// network frugal's benchmarks predict.
struct TinyNet {
  std::string phase;
  workloads::Graph forward;
  int64_t features = 0, batch = 0;  // values per sample (2 classes)
};
const std::vector<TinyNet>& tiny_trainer_nets();

// Fits `base` (a cpu preset) to the measurement file `file` (read from `where`), naming the
// result `name`. Throws InputError naming `where` for a file that is not a CPU measurement file
// or lacks a phase the fit needs.
CpuFit fit_cpu(const results::JsonValue& file, const std::string& where, const Preset& base,
               const std::string& name);

// A phase of the file as the preset's model costs it: the measured and modelled time per
// iteration, whether the fit solved a parameter for it, and what it does.
struct CpuPhaseCheck {
  std::string phase, work;
  double measured_s = 0, modelled_s = 0;
  bool fitted = false;
};
std::vector<CpuPhaseCheck> check_cpu(const results::JsonValue& file, const std::string& where,
                                     const Preset& preset);

}  // namespace frugal::hw::cpu
