#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include "results/core/error.h"
#include "results/core/units.h"
#include "results/files/hdf5_file.h"
#include "sim/app/commands.h"
#include "sim/app/report.h"
#include "sim/metrics/figures.h"
#include "sim/metrics/result_tables.h"
#include "sim/scenario/config_file.h"
#include "sim/scenario/options.h"
#include "sim/scenario/run_scenario.h"
#include "sim/sweep/result_files.h"
#include "sim/sweep/sweep_spec.h"

namespace frugal::sim {

namespace po = boost::program_options;

namespace {

// With --train: a line on stderr as each epoch ends, with its test accuracy, the time so far
// and an estimate of the rest; and, when stderr is a terminal, a line redrawn within the epoch
// (the samples done, and the estimate from them).
struct TrainingProgress {
  EpochCallback on_epoch;
  StepCallback on_step;
};
TrainingProgress training_progress() {
  struct State {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), drawn{};
    bool tty = ::isatty(STDERR_FILENO) != 0, line_open = false;
  };
  auto state = std::make_shared<State>();
  auto seconds = [state] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - state->start).count();
  };
  TrainingProgress p;
  p.on_epoch = [state, seconds](const algorithms::EpochStats& e, int64_t scheduled) {
    const double elapsed = seconds();
    const double rest = elapsed / static_cast<double>(e.epoch) *
                        static_cast<double>(std::max<int64_t>(0, scheduled - e.epoch));
    char line[160];
    std::snprintf(
        line, sizeof line, "frugal run: epoch %lld/%lld, test accuracy %.2f%%, %s, ETA %s",
        static_cast<long long>(e.epoch), static_cast<long long>(scheduled), 100 * e.test_accuracy,
        units::format_duration(elapsed).c_str(), units::format_duration(rest).c_str());
    if (state->line_open) std::cerr << "\r\033[K";
    state->line_open = false;
    std::cerr << line << std::endl;
  };
  if (state->tty)
    p.on_step = [state, seconds](double fraction) {
      const auto now = std::chrono::steady_clock::now();
      if (now - state->drawn < std::chrono::milliseconds(200) || fraction < 0.01) return;
      state->drawn = now;
      const double elapsed = seconds();
      char line[120];
      std::snprintf(line, sizeof line, "frugal run: training %.0f%%, %s, ETA %s", 100 * fraction,
                    units::format_duration(elapsed).c_str(),
                    units::format_duration(elapsed / fraction * (1 - fraction)).c_str());
      std::cerr << "\r" << line << "\033[K" << std::flush;
      state->line_open = true;
    };
  return p;
}

}  // namespace

void write_run_file(const std::string& out, bool force, const ScenarioOutcome& outcome,
                    const std::string& command_line, const std::string& config_files) {
  SweepSpec spec;
  spec.base = to_settings(outcome.scenario);
  std::vector<std::string> hw_keys;
  for (const auto& [name, value] : outcome.scenario.hw_params)
    hw_keys.push_back(kHwParamPrefix + name);
  const std::vector<ExtraColumn> extra = extra_columns(hw_keys);
  ResultTables tables = make_result_tables(extra);
  append_outcome(tables, ScenarioKey{}, outcome, extra);
  Provenance prov;
  prov.command_line = command_line;
  prov.sweep_spec = spec.canonical();
  prov.config_files = config_files;
  prov.hw_presets = outcome.preset.to_text();
  prov.scenario_count = 1;
  SweepWriter writer(out, force, provenance(prov), make_result_tables(extra), "");
  writer.add(tables);
  writer.finish(force);
}

int command_run(const std::vector<std::string>& args, const std::string& command_line) {
  Scenario scenario;
  std::string config, out, save_model;
  std::vector<std::string> sets;
  bool force = false, json = false, quiet = false;
  po::options_description output("Output", 100, 50);
  output.add_options()("out,o", po::value(&out),
                       "write the results to FILE.h5 (as FILE.h5.partial, renamed when complete)")(
      "save-model", po::value(&save_model),
      "with --train: save the trained network (after pruning) to FILE.h5, for --warm-start")(
      "force", po::bool_switch(&force), "overwrite an existing result file")(
      "json", po::bool_switch(&json), "print the summary as one JSON object on stdout")(
      "quiet,q", po::bool_switch(&quiet), "no progress on stderr (with --train: a line per epoch)");
  po::options_description general("General", 100, 50);
  general.add_options()(
      "set", po::value(&sets)->composing(),
      "KEY=VALUE: set a scenario option, or a preset parameter as hw.NAME=VALUE with its unit "
      "(e.g. --set hw.dram_energy_per_byte='15 pJ/bit'); repeatable")(
      "config,c", po::value(&config),
      "read options from an INI file of 'key = value' lines; the command line wins")(
      "help,h", "show this help");
  po::options_description all(100, 50);
  all.add(option_description(scenario)).add(output).add(general);
  po::variables_map vm = parse(args, all);
  std::set<std::string> on_command_line;  // options given explicitly, before any config file
  for (const auto& [key, value] : vm)
    if (!value.defaulted()) on_command_line.insert(key);
  if (vm.count("help")) {
    std::cout
        << "usage: frugal run [options]\n\n"
           "Simulates one scenario (a model trained or run with a learning rule on a hardware\n"
           "preset) and prints energy by component and phase, latency and energy per sample.\n"
        << all
        << "\nINI files take the scenario options, hw.NAME and 'out' as 'key = value' lines.\n";
    return 0;
  }
  std::vector<Setting> file_hw_params;
  if (vm.count("config")) {
    po::options_description in_file;
    in_file.add(option_description(scenario));
    in_file.add_options()("out", po::value(&out), "")("save-model", po::value(&save_model), "");
    read_config_file(vm["config"].as<std::string>(), in_file, vm, &file_hw_params);
  }
  notify_options(vm);
  // --set: options win over the config file; a key given both as --KEY and --set is an error.
  std::vector<Setting> settings = to_settings(scenario);
  for (const auto& [name, value] : file_hw_params)
    settings.emplace_back(kHwParamPrefix + name, value);
  for (const std::string& text : sets) {
    const Setting set = split_setting(text, "--set");
    check_scenario_key(set.first, "--set: ");
    if (on_command_line.count(set.first))
      throw InputError("'" + set.first + "' is given twice (--" + set.first + " and --set)");
    auto it = std::find_if(settings.begin(), settings.end(),
                           [&](const Setting& s) { return s.first == set.first; });
    if (it != settings.end())
      it->second = set.second;
    else
      settings.push_back(set);
  }
  scenario = scenario_from_settings(settings);
  const bool write = vm.count("out") > 0;
  if (write) results::check_output_path(out, force);  // before any work
  const bool saving = !save_model.empty();
  if (saving) {
    if (!scenario.train) throw InputError("--save-model saves a trained network: add --train");
    if (write && save_model == out)
      throw InputError("--save-model and --out name the same file '" + out +
                       "': expected two files");
    results::check_output_path(save_model, force);
  }

  const TrainingProgress progress = quiet ? TrainingProgress{} : training_progress();
  const ScenarioOutcome outcome =
      run_scenario(scenario, saving, progress.on_epoch, progress.on_step);
  print_warnings(outcome.step.graph);

  if (write)
    write_run_file(out, force, outcome, command_line,
                   vm.count("config") ? config_texts({config}) : "");
  if (saving) write_model_file(save_model, trained_model(outcome), force);
  const std::string saved_line = saving ? "  trained model saved to " + save_model +
                                              " (start later runs from it with "
                                              "--warm-start)\n"
                                        : "";
  if (json)
    std::cout << summary_json(outcome, out) << "\n";
  else
    print_summary(std::cout, outcome, out);
  if (!json) std::cout << saved_line;
  return 0;
}

}  // namespace frugal::sim
