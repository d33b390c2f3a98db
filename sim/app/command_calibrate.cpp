#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "hw_models/device.h"
#include "hw_models/gpu/kernel_fit.h"
#include "hw_models/gpu/kernel_phases.h"
#include "hw_models/presets_embedded.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/core/units.h"
#include "results/files/hdf5_file.h"
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

// The probe that measures a card's kernel phases (hw_models/calibration/gpu_probe.py, built in).
const std::string& gpu_probe_script() {
  for (const hw::EmbeddedFile& f : hw::embedded_calibration_scripts())
    if (f.name == "gpu_probe.py") return f.contents;
  throw std::logic_error("gpu_probe.py is not built in");
}

// The last line of `text` that is not blank ("" if none).
std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

// Runs the probe with Debian's Python (or $FRUGAL_PYTHON) into `out`: its progress goes to the
// terminal; its error, the last line it writes to stderr, into the InputError thrown when it
// cannot run or fails (it leaves no file then).
void measure_gpu(const std::string& out, double seconds) {
  results::check_output_path(out, false);
  char script[] = "/tmp/frugal-gpu-probe-XXXXXX";
  const int fd = ::mkstemp(script);
  if (fd < 0) throw IoError("cannot write the probe to /tmp: " + std::string(std::strerror(errno)));
  const std::string& text = gpu_probe_script();
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  const char* python_env = std::getenv("FRUGAL_PYTHON");
  const std::string python = python_env && *python_env ? python_env : "/usr/bin/python3";
  std::vector<std::string> words = {python, script,      "--out",
                                    out,    "--seconds", std::to_string(seconds)};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  int spawned = written ? 0 : EIO;
  if (spawned == 0 && ::pipe(pipe_fds) != 0) spawned = errno;
  pid_t pid = 0;
  std::string errors;
  if (spawned == 0) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    spawned = ::posix_spawn(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0;)
      if (n > 0)
        errors.append(buffer, static_cast<size_t>(n));
      else if (errno != EINTR)
        break;
    ::close(pipe_fds[0]);
  }
  int status = 0;
  if (spawned == 0)
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  std::remove(script);
  if (spawned != 0)
    throw InputError("cannot run the probe with " + python + " (" + std::strerror(spawned) +
                     "); set FRUGAL_PYTHON to a Python with PyTorch and CUDA");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw InputError("the GPU probe failed (" + python + "): " +
                     one_line(last_line(errors).empty() ? "no message" : last_line(errors)) +
                     "; nothing written");
  std::cerr << errors;  // warnings of a run that succeeded
}

}  // namespace

int command_calibrate(const std::vector<std::string>& args) {
  std::vector<std::string> words, sets;
  std::string check, fit, measure, name, out, hw = "gpu";
  bool force = false, probe_script = false;
  double seconds = 2.0;
  po::options_description options("Options", 100, 50);
  options.add_options()("words", po::value(&words), "")(
      "check", po::value(&check),
      "FILE.json: compare the preset with these kernel measurements, phase by phase")(
      "measure", po::value(&measure),
      "FILE.json: run the kernel phases on this machine's GPU (PyTorch with CUDA) and write them; "
      "with --out, fit a preset to them too")("seconds",
                                              po::value(&seconds)->default_value(seconds),
                                              "--measure: seconds per phase, after warm-up")(
      "probe-script", po::bool_switch(&probe_script),
      "print the probe --measure runs (Python), to run on a machine without frugal")(
      "fit", po::value(&fit),
      "FILE.json: fit the preset's measurable parameters to these kernel measurements and write "
      "the fitted preset to --out")("out", po::value(&out),
                                    "PRESET.ini: where --fit writes the fitted preset")(
      "name", po::value(&name), "the fitted preset's name (default: the base preset's)")(
      "force", po::bool_switch(&force), "let --fit replace an existing --out file")(
      "hw", po::value(&hw)->default_value(hw), "the preset to compare (a name or a file)")(
      "set", po::value(&sets)->composing(),
      "hw.NAME=VALUE: a preset parameter for this comparison (repeatable)")("help,h",
                                                                            "show this help");
  po::positional_options_description positional;
  positional.add("words", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal calibrate gpu --check FILE.json [--hw PRESET] [--set hw.NAME=V]\n"
                 "       frugal calibrate gpu --fit FILE.json --hw BASE --out PRESET.ini\n"
                 "                            [--name NAME] [--set hw.NAME=V] [--force]\n"
                 "       frugal calibrate gpu --measure FILE.json [--seconds S]\n"
                 "                            [--hw BASE --out PRESET.ini [--name NAME]]\n"
                 "       frugal calibrate gpu --probe-script > gpu_probe.py\n\n"
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
              << options;
    return 0;
  }
  notify_options(vm);
  if (probe_script) {
    std::cout << gpu_probe_script();
    return 0;
  }
  if (words.size() != 1 || words[0] != "gpu")
    throw InputError(
        "expected 'frugal calibrate gpu --check FILE.json' or '... --fit FILE.json' (the device "
        "kind gpu)");
  if (static_cast<int>(!check.empty()) + static_cast<int>(!fit.empty()) +
          static_cast<int>(!measure.empty()) !=
      1)
    throw InputError(
        "calibrate gpu needs one of --check FILE.json, --fit FILE.json and --measure FILE.json");
  if (!fit.empty() && out.empty())
    throw InputError("--fit needs --out PRESET.ini, the file to write the fitted preset to");
  if (!check.empty() && (!out.empty() || !name.empty() || force))
    throw InputError("--out, --name and --force go with --fit or --measure");
  if (!(seconds > 0 && seconds <= 600)) throw InputError("--seconds must be within (0, 600]");
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
