#include <cmath>
#include <cstdio>
#include <iostream>

#include "hw_models/device.h"
#include "hw_models/gpu/kernel_phases.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/core/units.h"
#include "results/files/json.h"
#include "sim/app/commands.h"
#include "sim/scenario/options.h"

namespace frugal::sim {

namespace po = boost::program_options;
using units::Dimension;
using units::format_si;

namespace {

// Calibration tolerances of a preset against its own kernel measurements (issue 19): time within
// 15%, energy within 20%.
constexpr double kTimeTolerance = 0.15, kEnergyTolerance = 0.20;

// Runs every modelled phase of the measurements through the preset and prints both, side by
// side. Returns how many phases were outside the tolerances.
int check_gpu(const std::string& path, const hw::Preset& preset) {
  const results::JsonValue file =
      results::parse_json(read_text_file(path, "measurement file"), path);
  std::vector<hw::gpu::SkippedPhase> skipped;
  const std::vector<hw::gpu::KernelPhase> phases = hw::gpu::kernel_phases(file, path, &skipped);
  const auto device = hw::make_device(preset);
  const results::JsonValue* card = file.find("device");
  std::cout << "frugal calibrate gpu: " << preset.name() << " against "
            << (card ? card->string(path + ": device") : std::string("the measurements")) << "\n  "
            << path << "\n\n";
  char line[400];
  std::snprintf(line, sizeof line, "%-36s %-10s %-10s %-7s %-10s %-10s %-7s %7s %7s\n", "phase",
                "measured", "", "", "frugal", "", "", "time", "energy");
  std::cout << line;
  std::snprintf(line, sizeof line, "%-36s %-10s %-10s %-7s %-10s %-10s %-7s %7s %7s\n", "", "time",
                "energy", "power", "time", "energy", "power", "ratio", "ratio");
  std::cout << line;
  int outside = 0;
  for (const hw::gpu::KernelPhase& p : phases) {
    const hw::gpu::PhaseCost c = hw::gpu::cost_phase(*device, p);
    const double time_ratio = c.time_s / p.measured_s, energy_ratio = c.energy_j / p.measured_j;
    const bool ok = std::abs(time_ratio - 1) <= kTimeTolerance &&
                    std::abs(energy_ratio - 1) <= kEnergyTolerance;
    outside += !ok;
    std::snprintf(line, sizeof line, "%-36s %-10s %-10s %-7s %-10s %-10s %-7s %7.2f %7.2f%s\n",
                  p.name.c_str(), format_si(p.measured_s, Dimension::time, 3).c_str(),
                  format_si(p.measured_j, Dimension::energy, 3).c_str(),
                  format_si(p.measured_j / p.measured_s, Dimension::power, 3).c_str(),
                  format_si(c.time_s, Dimension::time, 3).c_str(),
                  format_si(c.energy_j, Dimension::energy, 3).c_str(),
                  format_si(c.energy_j / c.time_s, Dimension::power, 3).c_str(), time_ratio,
                  energy_ratio, ok ? "" : "  outside");
    std::cout << line;
  }
  if (!skipped.empty()) {
    std::cout << "\nnot compared:\n";
    for (const hw::gpu::SkippedPhase& s : skipped)
      std::cout << "  " << s.name << ": " << s.why << "\n";
  }
  std::cout << "\n"
            << phases.size() - static_cast<size_t>(outside) << " of " << phases.size()
            << " phases within " << 100 * kTimeTolerance << "% in time and "
            << 100 * kEnergyTolerance << "% in energy\n";
  return outside;
}

}  // namespace

int command_calibrate(const std::vector<std::string>& args) {
  std::vector<std::string> words, sets;
  std::string check, hw = "gpu";
  po::options_description options("Options", 100, 50);
  options.add_options()("words", po::value(&words), "")(
      "check", po::value(&check),
      "FILE.json: compare the preset with these kernel measurements, phase by phase")(
      "hw", po::value(&hw)->default_value(hw), "the preset to compare (a name or a file)")(
      "set", po::value(&sets)->composing(),
      "hw.NAME=VALUE: a preset parameter for this comparison (repeatable)")("help,h",
                                                                            "show this help");
  po::positional_options_description positional;
  positional.add("words", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal calibrate gpu --check FILE.json [--hw PRESET] [--set hw.NAME=V]\n\n"
                 "Runs every kernel phase of a GPU's measurement file (hw_models/calibration/)\n"
                 "through a preset and prints the measured and modelled time, energy and power\n"
                 "of each, and their ratios (docs/gpu-calibration.md). Exit code 0 when every\n"
                 "compared phase is within 15% in time and 20% in energy, 1 otherwise.\n\n"
              << options;
    return 0;
  }
  notify_options(vm);
  if (words.size() != 1 || words[0] != "gpu")
    throw InputError("expected 'frugal calibrate gpu --check FILE.json' (the device kind gpu)");
  if (check.empty()) throw InputError("calibrate gpu needs --check FILE.json (a measurement file)");
  hw::Preset preset = hw::find_preset(hw);
  if (preset.device() != "gpu")
    throw InputError(preset.name() + " is a " + preset.device() +
                     " preset; kernel measurements are compared with gpu presets");
  for (const std::string& text : sets) {
    const Setting set = split_setting(text, "--set");
    if (!is_hw_param_key(set.first))
      throw InputError("--set '" + text + "': expected hw.NAME=VALUE, a preset parameter");
    preset.set(set.first.substr(std::string(kHwParamPrefix).size()), set.second);
  }
  return check_gpu(check, preset) > 0 ? 1 : 0;
}

}  // namespace frugal::sim
