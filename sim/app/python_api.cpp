// frugal._core: the C++ core as a Python extension (pybind11), behind results/python/frugal/api.py
// (frugal.run, frugal.sweep, frugal.describe, frugal.presets; docs/python.md). The same code
// as the command line runs: options are parsed and checked by the option table, errors keep
// their one-line messages and become frugal.InputError (bad input) or frugal.IoError (files).

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <systemc>
#include <utility>
#include <vector>

#include "hw_models/device.h"
#include "hw_models/preset.h"
#include "results/core/build_info.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/files/hdf5_file.h"
#include "sim/app/commands.h"
#include "sim/metrics/metrics.h"
#include "sim/scenario/options.h"
#include "sim/scenario/run_scenario.h"

namespace py = pybind11;
using namespace frugal;

namespace {

// SystemC runs frugal's devices inside sc_elab_and_sim, which calls sc_main (as in the frugal
// executable, sim/app/main.cpp): each call into the core is handed to sc_main here.
std::function<void()> g_task;
std::exception_ptr g_error;

// One call at a time: the SystemC kernel and the task above are process-wide, and the calls run
// without the GIL, so two Python threads could otherwise enter at once.
std::mutex g_calls;

template <typename F>
auto in_systemc(F f) -> decltype(f()) {
  const std::lock_guard<std::mutex> one_at_a_time(g_calls);
  decltype(f()) result{};
  g_task = [&] { result = f(); };
  g_error = nullptr;
  char name[] = "frugal";
  char* argv[] = {name, nullptr};
  sc_core::sc_elab_and_sim(1, argv);
  g_task = nullptr;
  if (g_error) std::rethrow_exception(g_error);
  return result;
}

}  // namespace

// libsystemc calls this symbol: visible although pybind11 hides the module's others.
__attribute__((visibility("default"))) int sc_main(int, char*[]) {
  try {
    if (g_task) g_task();
  } catch (...) {
    g_error = std::current_exception();
  }
  return 0;
}

namespace {

py::object to_python(const results::Cell& cell) {
  if (const auto* i = std::get_if<int64_t>(&cell)) return py::int_(*i);
  if (const auto* d = std::get_if<double>(&cell)) return py::float_(*d);
  return py::str(std::get<std::string>(cell));
}

// One scenario from settings (option keys, or hw.NAME), as `frugal run` would: every key and
// value checked, the step run, the result file written when `out` is given. Returns the
// /scenarios row: every metric's column and value.
py::dict run(const std::vector<std::pair<std::string, std::string>>& given, const std::string& out,
             bool force) {
  std::vector<sim::Setting> settings;
  for (const auto& [key, value] : given) {
    sim::check_scenario_key(key, "");
    settings.emplace_back(key, value);
  }
  const sim::Scenario scenario = sim::scenario_from_settings(settings);
  if (!out.empty()) results::check_output_path(out, force);
  const sim::ScenarioOutcome outcome = [&] {
    py::gil_scoped_release unlocked;  // minutes of training: other Python threads go on
    return in_systemc([&] {
             sim::ScenarioOutcome o = sim::run_scenario(scenario);
             if (!out.empty()) sim::write_run_file(out, force, o, "frugal.run (Python)", "");
             return std::optional<sim::ScenarioOutcome>(std::move(o));
           })
        .value();
  }();
  py::dict row;
  for (const sim::Metric& m : sim::metrics())
    row[m.column.name.c_str()] = to_python(m.value(outcome));
  return row;
}

// `frugal sweep ARGS...` in this process (its workers are forked children). Returns the exit
// code: 0 all scenarios finished, 3 some did not (their rows say why).
int sweep(const std::vector<std::string>& args) {
  py::gil_scoped_release unlocked;
  return in_systemc([&] { return sim::command_sweep(args, "frugal.sweep (Python)"); });
}

py::list presets() {
  py::list out;
  for (const hw::Preset& p : hw::builtin_presets()) {
    py::dict preset;
    preset["name"] = p.name();
    preset["device"] = p.device();
    preset["description"] = p.description();
    preset["default"] = p.is_default();
    py::list params;
    for (const hw::PresetParam& param : p.params()) {
      py::dict d;
      d["name"] = param.spec.name;
      d["text"] = param.text;
      d["value"] = param.value;
      d["unit"] = std::string(units::symbol(param.spec.dimension));
      d["description"] = param.spec.description;
      d["source"] = param.source;
      params.append(d);
    }
    preset["params"] = params;
    out.append(preset);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "frugal's C++ core (use the frugal package: frugal.run, frugal.sweep, ...)";
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  static py::exception<IoError> io_error(m, "IoError", PyExc_OSError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      input_error(one_line(e.what()).c_str());
    } catch (const IoError& e) {
      io_error(one_line(e.what()).c_str());
    }
  });
  m.def("run", &run, py::arg("settings"), py::arg("out") = "", py::arg("force") = false);
  m.def("sweep", &sweep, py::arg("args"));
  m.def(
      "describe",
      [](const std::string& model, const std::string& rule, int64_t batch,
         const std::string& optimizer) {
        return in_systemc([&] { return sim::describe_model_json(model, rule, batch, optimizer); });
      },
      py::arg("model"), py::arg("rule") = "", py::arg("batch") = 1, py::arg("optimizer") = "");
  m.def("presets", &presets);
  m.def("version", [] { return "frugal " + version() + " (git " + git_sha() + ")"; });
}
