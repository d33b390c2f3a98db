#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "hw_models/cpu/cpu_fit.h"
#include "hw_models/device.h"
#include "hw_models/gpu/kernel_fit.h"
#include "hw_models/gpu/kernel_phases.h"
#include "hw_models/presets_embedded.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/core/units.h"
#include "results/files/hdf5_file.h"
#include "results/files/json.h"
#include "sim/app/calibration_script.h"
#include "sim/app/commands.h"
#include "sim/app/cpu_probe.h"
#include "sim/scenario/options.h"

namespace frugal::sim {

namespace po = boost::program_options;
using units::Dimension;
using units::format_si;

namespace {

// Calibration tolerances of a preset against its own kernel measurements (issue 19): time within
// 15%, energy within 20%.
constexpr double kTimeTolerance = 0.15, kEnergyTolerance = 0.20;

struct Measurements {
  std::string path, card, date;
  std::vector<hw::gpu::KernelPhase> phases;
  std::vector<hw::gpu::SkippedPhase> skipped;
};

Measurements read_measurements(const std::string& path) {
  const results::JsonValue file =
      results::parse_json(read_text_file(path, "measurement file"), path);
  Measurements m;
  m.path = path;
  m.phases = hw::gpu::kernel_phases(file, path, &m.skipped);
  const results::JsonValue* card = file.find("device");
  m.card = card ? card->string(path + ": device") : std::string("an unnamed card");
  const results::JsonValue* date = file.find("date");
  m.date = date ? date->string(path + ": date") : std::string("an unknown date");
  return m;
}

// Whether `fit_gpu` solves a parameter for the phase: its time, its energy.
std::pair<bool, bool> fit_target(const std::string& phase) {
  bool time = false, energy = false;
  for (const hw::gpu::FitTarget& t : hw::gpu::gpu_fit_targets())
    if (t.phase == phase) (t.energy ? energy : time) = true;
  return {time, energy};
}

// Runs every modelled phase of the measurements through the preset and prints both, side by
// side. Returns how many phases were outside the tolerances.
int check_gpu(const Measurements& m, const hw::Preset& preset) {
  const auto device = hw::make_device(preset);
  std::cout << "frugal calibrate gpu: " << preset.name() << " against " << m.card << "\n  "
            << m.path << "\n\n";
  char line[400];
  std::snprintf(line, sizeof line, "%-36s %-10s %-10s %-7s %-10s %-10s %-7s %7s %7s\n", "phase",
                "measured", "", "", "frugal", "", "", "time", "energy");
  std::cout << line;
  std::snprintf(line, sizeof line, "%-36s %-10s %-10s %-7s %-10s %-10s %-7s %7s %7s\n", "", "time",
                "energy", "power", "time", "energy", "power", "ratio", "ratio");
  std::cout << line;
  int outside = 0;
  for (const hw::gpu::KernelPhase& p : m.phases) {
    const hw::gpu::PhaseCost c = hw::gpu::cost_phase(*device, p);
    const double time_ratio = c.time_s / p.measured_s, energy_ratio = c.energy_j / p.measured_j;
    const bool ok = std::abs(time_ratio - 1) <= kTimeTolerance &&
                    std::abs(energy_ratio - 1) <= kEnergyTolerance;
    outside += !ok;
    const auto [fit_time, fit_energy] = fit_target(p.name);
    std::snprintf(line, sizeof line, "%-36s %-10s %-10s %-7s %-10s %-10s %-7s %6.2f%s %6.2f%s%s\n",
                  p.name.c_str(), format_si(p.measured_s, Dimension::time, 3).c_str(),
                  format_si(p.measured_j, Dimension::energy, 3).c_str(),
                  format_si(p.measured_j / p.measured_s, Dimension::power, 3).c_str(),
                  format_si(c.time_s, Dimension::time, 3).c_str(),
                  format_si(c.energy_j, Dimension::energy, 3).c_str(),
                  format_si(c.energy_j / c.time_s, Dimension::power, 3).c_str(), time_ratio,
                  fit_time ? "*" : " ", energy_ratio, fit_energy ? "*" : " ",
                  ok ? "" : "  outside");
    std::cout << line;
  }
  if (!m.skipped.empty()) {
    std::cout << "\nnot compared:\n";
    for (const hw::gpu::SkippedPhase& s : m.skipped)
      std::cout << "  " << s.name << ": " << s.why << "\n";
  }
  std::cout << "\n"
            << m.phases.size() - static_cast<size_t>(outside) << " of " << m.phases.size()
            << " phases within " << 100 * kTimeTolerance << "% in time and "
            << 100 * kEnergyTolerance
            << "% in energy\n* a ratio --fit solves a parameter for (consistency); the others are "
               "predictions\n";
  return outside;
}

// The fitted preset as a preset file: `base`'s with the fitted values and their sources.
std::string preset_file(const hw::gpu::GpuFit& fit, const std::string& name, const Measurements& m,
                        const hw::Preset& base) {
  std::string text =
      "# " + name + ": fitted by 'frugal calibrate gpu --fit " + m.path + "'\n# from " + m.card +
      ", measured " + m.date + ",\n# on the base preset " + base.origin() +
      ". Rerun the fit rather than edit the fitted values (docs/gpu-calibration.md).\n"
      "\n[preset]\nname = " +
      name + "\ndevice = gpu\ndescription = " + base.description() +
      "; fitted to its kernel measurements of " + m.date + "\n\n[params]\n";
  for (const hw::PresetParam& p : fit.preset.params())
    text += p.spec.name + " = " + p.text + " | " + p.source + "\n";
  return text;
}

int fit_gpu(const Measurements& m, const hw::Preset& base, const std::string& name,
            const std::string& out, bool force) {
  results::check_output_path(out, force);
  // The card's name without its details ("NVIDIA H200 SXM (141 GB HBM3e, ...)").
  const std::string card = m.card.substr(0, m.card.find(" ("));
  const hw::gpu::GpuFit fit =
      hw::gpu::fit_gpu(m.phases, base, "measured on " + card + ", " + m.date + " (" + m.path + ")");
  const std::string text = preset_file(fit, name, m, base);
  const hw::Preset fitted = hw::Preset::parse(text, out);  // as it will be read
  std::cout << "frugal calibrate gpu --fit: " << name << " from " << m.path << "\n\n";
  char line[300];
  std::snprintf(line, sizeof line, "%-26s %-14s %-36s %-7s %-10s %-10s\n", "parameter", "value",
                "fitted to the phase", "", "measured", "frugal");
  std::cout << line;
  for (const hw::gpu::FittedParam& f : fit.fitted) {
    const Dimension d = f.energy ? Dimension::energy : Dimension::time;
    std::snprintf(line, sizeof line, "%-26s %-14s %-36s %-7s %-10s %-10s%s\n", f.param.c_str(),
                  f.text.c_str(),
                  f.phase.empty() ? "(derived from op_energy_bf16)" : f.phase.c_str(),
                  f.phase.empty() ? "" : (f.energy ? "energy" : "time"),
                  f.phase.empty() ? "" : format_si(f.measured, d, 3).c_str(),
                  f.phase.empty() ? "" : format_si(f.modelled, d, 3).c_str(),
                  f.at_bound ? "  out of reach: the value is at the end of its range" : "");
    std::cout << line;
  }
  std::cout << "\n";
  check_gpu(m, fitted);
  write_file_atomically(out, text);
  std::cout << "\nwrote " << out << " (use it as --hw " << out << ")\n";
  return 0;
}

// Runs the probe (hw_models/calibration/gpu_probe.py, built in) with Debian's Python (or
// $FRUGAL_PYTHON) into `out`: its progress goes to the terminal; its error, the last line it
// writes to stderr, into the InputError thrown when it cannot run or fails (it leaves no file
// then).
void measure_gpu(const std::string& out, double seconds) {
  results::check_output_path(out, false);
  const ScriptRun run = run_calibration_script(
      "gpu_probe.py", {"--out", out, "--seconds", std::to_string(seconds)}, false);
  if (run.spawn_error != 0)
    throw InputError("cannot run the probe with " + run.python + " (" +
                     std::strerror(run.spawn_error) +
                     "); set FRUGAL_PYTHON to a Python with PyTorch and CUDA");
  if (!run.succeeded)
    throw InputError(
        "the GPU probe failed (" + run.python +
        "): " + one_line(last_line(run.errors).empty() ? "no message" : last_line(run.errors)) +
        "; nothing written");
  std::cerr << run.errors;  // warnings of a run that succeeded
}

// --- calibrate cpu ---

struct CpuFile {
  std::string path;
  results::JsonValue json;
};

CpuFile read_cpu_file(const std::string& path) {
  return {path, results::parse_json(read_text_file(path, "measurement file"), path)};
}

// Prints each modelled phase of a CPU measurement file beside the preset's time. Returns how many
// were outside the time tolerance.
int check_cpu(const CpuFile& file, const hw::Preset& preset) {
  const std::vector<hw::cpu::CpuPhaseCheck> checks =
      hw::cpu::check_cpu(file.json, file.path, preset);
  std::cout << "frugal calibrate cpu: " << preset.name() << " against " << file.path << "\n\n";
  char line[300];
  std::snprintf(line, sizeof line, "%-24s %-48s %-10s %-10s %7s\n", "phase", "work", "measured",
                "frugal", "ratio");
  std::cout << line;
  int outside = 0;
  for (const hw::cpu::CpuPhaseCheck& c : checks) {
    const double ratio = c.modelled_s / c.measured_s;
    const bool ok = std::abs(ratio - 1) <= kTimeTolerance;
    outside += !ok;
    std::snprintf(line, sizeof line, "%-24s %-48s %-10s %-10s %6.2f%s%s\n", c.phase.c_str(),
                  c.work.c_str(), format_si(c.measured_s, Dimension::time, 3).c_str(),
                  format_si(c.modelled_s, Dimension::time, 3).c_str(), ratio, c.fitted ? "*" : " ",
                  ok ? "" : "  outside");
    std::cout << line;
  }
  std::cout << "\n"
            << checks.size() - static_cast<size_t>(outside) << " of " << checks.size()
            << " phases within " << 100 * kTimeTolerance
            << "% in time\n* a phase --fit solves a parameter for (consistency); the others are "
               "predictions\n";
  return outside;
}

int fit_cpu(const CpuFile& file, const hw::Preset& base, const std::string& name,
            const std::string& out, bool force) {
  results::check_output_path(out, force);
  const hw::cpu::CpuFit fit = hw::cpu::fit_cpu(file.json, file.path, base, name);
  const hw::Preset fitted = hw::Preset::parse(fit.preset_text, out);  // as it will be read
  std::cout << "frugal calibrate cpu --fit: " << name << " from " << file.path << "\n\n";
  char line[400];
  for (const hw::cpu::CpuFitValue& v : fit.fitted) {
    std::snprintf(line, sizeof line, "  %-24s %-14s %s%s\n", v.param.c_str(), v.text.c_str(),
                  v.from.c_str(),
                  v.at_bound ? "  (out of reach: the value is at the end of its range)" : "");
    std::cout << line;
  }
  std::cout << "\nnot measured here (the base's values, marked assumed): ";
  for (size_t i = 0; i < fit.kept.size(); ++i) std::cout << (i ? ", " : "") << fit.kept[i];
  std::cout << "\n";
  if (fit.rapl == "none")
    std::cout << "no RAPL energy counters readable here (/sys/class/powercap; virtual machines "
                 "usually have none, and reading them needs root): energies stay assumed\n";
  std::cout << "\n";
  check_cpu(file, fitted);
  write_file_atomically(out, fit.preset_text);
  std::cout << "\nwrote " << out << " (use it as --hw " << out << ")\n";
  return 0;
}

void measure_cpu_to(const std::string& out, double seconds) {
  results::check_output_path(out, false);
  // Test hook: FRUGAL_TEST_PROBE_DRAM_BYTES caps the DRAM phases' working set (measure_cpu).
  const char* cap = std::getenv("FRUGAL_TEST_PROBE_DRAM_BYTES");
  const std::string text = measure_cpu(
      seconds, [](const std::string& phase) { std::cerr << "  measuring " << phase << "\n"; },
      cap ? std::atof(cap) : 0.0);
  write_file_atomically(out, text);
  std::cout << "wrote " << out << "\n";
}

}  // namespace

int command_calibrate(const std::vector<std::string>& args) {
  std::vector<std::string> words, sets;
  std::string check, fit, measure, name, out, hw;
  bool force = false, probe_script = false;
  double seconds = 2.0;
  po::options_description options("Options", 100, 50);
  options.add_options()("words", po::value(&words), "")(
      "check", po::value(&check),
      "FILE.json: compare the preset with these measurements, phase by phase")(
      "measure", po::value(&measure),
      "FILE.json: run the phases on this machine (gpu: its GPU with PyTorch and CUDA; cpu: its "
      "cores, frugal's trainer and PyTorch if installed) and write them; with --out, fit a preset "
      "to them too")("seconds", po::value(&seconds)->default_value(seconds),
                     "--measure: seconds per phase, after warm-up")(
      "probe-script", po::bool_switch(&probe_script),
      "print the probe --measure runs (Python), to run on a machine without frugal")(
      "fit", po::value(&fit),
      "FILE.json: fit the preset's measurable parameters to these measurements and write the "
      "fitted preset to --out")("out", po::value(&out),
                                "PRESET.ini: where --fit writes the fitted preset")(
      "name", po::value(&name),
      "the fitted preset's name (default: gpu: the base preset's; cpu: cpu:this-machine)")(
      "force", po::bool_switch(&force), "let --fit replace an existing --out file")(
      "hw", po::value(&hw),
      "the preset to compare, or the base to fit (a name or a file; default: the kind's default "
      "preset)")("set", po::value(&sets)->composing(),
                 "hw.NAME=VALUE: a preset parameter for this comparison (repeatable)")(
      "help,h", "show this help");
  po::positional_options_description positional;
  positional.add("words", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal calibrate gpu --check FILE.json [--hw PRESET] [--set hw.NAME=V]\n"
                 "       frugal calibrate gpu --fit FILE.json --hw BASE --out PRESET.ini\n"
                 "                            [--name NAME] [--set hw.NAME=V] [--force]\n"
                 "       frugal calibrate gpu --measure FILE.json [--seconds S]\n"
                 "                            [--hw BASE --out PRESET.ini [--name NAME]]\n"
                 "       frugal calibrate gpu --probe-script > gpu_probe.py\n"
                 "       frugal calibrate cpu --measure FILE.json [--seconds S]\n"
                 "                            [--out PRESET.ini [--hw BASE] [--name NAME]]\n"
                 "       frugal calibrate cpu --fit FILE.json --out PRESET.ini [--hw BASE]\n"
                 "       frugal calibrate cpu --check FILE.json [--hw PRESET]\n\n"
                 "--check runs every kernel phase of a GPU's measurement file\n"
                 "(hw_models/calibration/) through a preset and prints the measured and modelled\n"
                 "time, energy and power of each, and their ratios. Exit code 0 when every\n"
                 "compared phase is within 15% in time and 20% in energy, 1 otherwise.\n\n"
                 "--fit solves the base preset's measurable parameters (idle and active power,\n"
                 "energy per operation, memory rates and energies, kernel floors) one by one so\n"
                 "that frugal reproduces the phase each is tied to, keeps the base's other values\n"
                 "(datasheet figures), writes the fitted preset and prints its check. The\n"
                 "sources of the fitted values say which card, which date and which phase.\n\n"
                 "--measure runs the kernel phases on this machine's first GPU with PyTorch\n"
                 "(/usr/bin/python3, or $FRUGAL_PYTHON), board energy from NVML (python3-pynvml)\n"
                 "or nvidia-smi's power readings, and writes a measurement file; with --out it\n"
                 "then fits --hw to it. About two minutes.\n"
                 "docs/gpu-calibration.md describes both.\n\n"
                 "cpu: --measure times this machine (vector FMA rate, Eigen products from 64 to\n"
                 "1024 on one core and on all, streams within L2, the last-level cache and DRAM,\n"
                 "frugal's trainer and, if /usr/bin/python3 has torch, PyTorch's dispatch and\n"
                 "BLAS), with RAPL energy where /sys/class/powercap is readable; --fit writes a\n"
                 "preset of this machine whose sources say what was measured and what stayed\n"
                 "assumed (the base's values); --check prints measured and modelled time per\n"
                 "phase. --measure with --out does both; about 15 s per second of --seconds.\n"
                 "docs/cpu-model.md describes it.\n\n"
              << options;
    return 0;
  }
  notify_options(vm);
  if (probe_script) {
    std::cout << calibration_script("gpu_probe.py");
    return 0;
  }
  if (words.size() != 1 || (words[0] != "gpu" && words[0] != "cpu"))
    throw InputError(
        "expected 'frugal calibrate gpu ...' or 'frugal calibrate cpu ...' (a device kind, then "
        "--check, --fit or --measure FILE.json)");
  const std::string kind = words[0];
  if (static_cast<int>(!check.empty()) + static_cast<int>(!fit.empty()) +
          static_cast<int>(!measure.empty()) !=
      1)
    throw InputError("calibrate " + kind +
                     " needs one of --check FILE.json, --fit FILE.json and --measure FILE.json");
  if (!fit.empty() && out.empty())
    throw InputError("--fit needs --out PRESET.ini, the file to write the fitted preset to");
  if (!check.empty() && (!out.empty() || !name.empty() || force))
    throw InputError("--out, --name and --force go with --fit or --measure");
  if (!(seconds > 0 && seconds <= 600)) throw InputError("--seconds must be within (0, 600]");
  hw::Preset preset = hw::find_preset(hw.empty() ? kind : hw);
  if (preset.device() != kind)
    throw InputError(preset.name() + " is a " + preset.device() + " preset; calibrate " + kind +
                     " compares and fits " + kind + " presets");
  for (const std::string& text : sets) {
    const Setting set = split_setting(text, "--set");
    if (!is_hw_param_key(set.first))
      throw InputError("--set '" + text + "': expected hw.NAME=VALUE, a preset parameter");
    preset.set(set.first.substr(std::string(kHwParamPrefix).size()), set.second);
  }
  if (kind == "cpu") {
    if (!measure.empty()) {
      if (!out.empty()) results::check_output_path(out, force);  // before measuring
      measure_cpu_to(measure, seconds);
      if (out.empty()) return 0;
      fit = measure;
    }
    if (!fit.empty())
      return fit_cpu(read_cpu_file(fit), preset, name.empty() ? "cpu:this-machine" : name, out,
                     force);
    return check_cpu(read_cpu_file(check), preset) > 0 ? 1 : 0;
  }
  if (!measure.empty()) {
    if (!out.empty()) results::check_output_path(out, force);  // before minutes of measuring
    measure_gpu(measure, seconds);
    if (out.empty()) return 0;
    fit = measure;
  }
  if (!fit.empty())
    return fit_gpu(read_measurements(fit), preset, name.empty() ? preset.name() : name, out, force);
  return check_gpu(read_measurements(check), preset) > 0 ? 1 : 0;
}

}  // namespace frugal::sim
