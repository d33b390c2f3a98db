#include "sim/cli.h"

#include <boost/program_options.hpp>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "hw_models/device.h"
#include "hw_models/preset.h"
#include "results/error.h"
#include "results/hdf5_file.h"
#include "results/json.h"
#include "results/text_file.h"
#include "results/units.h"
#include "sim/build_info.h"
#include "sim/report.h"
#include "sim/result_tables.h"
#include "sim/run_scenario.h"
#include "sim/scenario.h"
#include "workloads/model_registry.h"

namespace frugal::sim {
namespace {

namespace po = boost::program_options;
using units::Dimension;
using units::format_si;

const char* const kUsage =
    "frugal: what it costs (energy, time) to train or run a neural network with a given\n"
    "learning rule on a given kind of hardware.\n"
    "\n"
    "usage: frugal <command> [options]\n"
    "\n"
    "commands:\n"
    "  run        simulate one scenario; print its cost and optionally write it to HDF5\n"
    "  describe   show a model's layers, parameters and MACs (and a rule's training step)\n"
    "  presets    list hardware presets, or show one with every parameter's unit and source\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version and the git commit of this build\n"
    "\n"
    "Run 'frugal <command> --help' for the options of a command.\n"
    "Example: frugal run --model mlp:784-256-128-10 --rule bp --hw cpu --batch 64 --out run.h5\n";

std::vector<std::string> long_names(const po::options_description& options) {
  std::vector<std::string> names;
  for (const auto& option : options.options()) names.push_back(option->long_name());
  return names;
}

po::variables_map parse(const std::vector<std::string>& args,
                        const po::options_description& options,
                        const po::positional_options_description& positional = {}) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
  } catch (const po::unknown_option& e) {
    std::string name = e.get_option_name();
    while (!name.empty() && name.front() == '-') name.erase(0, 1);
    const std::string hint = closest_name(name, long_names(options));
    throw InputError(std::string(e.what()) +
                     (hint.empty() ? "" : " (did you mean --" + hint + "?)"));
  } catch (const po::error& e) {
    throw InputError(e.what());
  }
  return vm;
}

void notify_options(po::variables_map& vm) {
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(e.what());
  }
}

// ---- run ------------------------------------------------------------------------------------

int command_run(const std::vector<std::string>& args, const std::string& command_line) {
  Scenario scenario;
  std::string config, out;
  bool force = false, json = false;
  po::options_description output("Output", 100, 50);
  output.add_options()("out,o", po::value(&out),
                       "write the results to FILE.h5 (as FILE.h5.partial, renamed when complete)")(
      "force", po::bool_switch(&force), "overwrite an existing result file")(
      "json", po::bool_switch(&json), "print the summary as one JSON object on stdout");
  po::options_description general("General", 100, 50);
  general.add_options()(
      "config,c", po::value(&config),
      "read options from an INI file of 'key = value' lines; the command line wins")(
      "help,h", "show this help");
  po::options_description all(100, 50);
  all.add(scenario_options(scenario)).add(output).add(general);
  po::variables_map vm = parse(args, all);
  if (vm.count("help")) {
    std::cout
        << "usage: frugal run [options]\n\n"
           "Simulates one scenario (a model trained or run with a learning rule on a hardware\n"
           "preset) and prints energy by component and phase, latency and energy per sample.\n"
        << all << "\nINI files take the scenario options and 'out' as 'key = value' lines.\n";
    return 0;
  }
  if (vm.count("config")) {
    po::options_description in_file;
    in_file.add(scenario_options(scenario));
    in_file.add_options()("out", po::value(&out), "");
    read_config_file(vm["config"].as<std::string>(), in_file, vm);
  }
  notify_options(vm);
  validate(scenario);
  const bool write = vm.count("out") > 0;
  if (write) results::check_output_path(out, force);  // before any work

  const ScenarioOutcome outcome = run_scenario(scenario);

  if (write) {
    results::ResultsWriter writer(out, force);
    writer.set_root_attributes(
        provenance(command_line, scenario.seed, to_ini(scenario), outcome.preset.to_text()));
    results::Table scenarios = make_scenarios_table();
    append_scenario(scenarios, 0, outcome);
    results::Table ops = make_ops_table();
    append_ops(ops, 0, outcome);
    writer.write_table(scenarios, "scenario_id");
    writer.write_table(ops);
    writer.commit();
  }
  if (json)
    std::cout << summary_json(outcome, out) << "\n";
  else
    print_summary(std::cout, outcome, out);
  return 0;
}

// ---- describe -------------------------------------------------------------------------------

void describe_text(const workloads::Graph& g, const algorithms::TrainingStep* step) {
  std::cout << g.spec() << "  (batch " << g.batch() << ", " << 8 * g.element_bytes()
            << "-bit values)\n\n";
  std::cout << std::left << std::setw(7) << "layer" << std::setw(14) << "name" << std::setw(12)
            << "in" << std::setw(12) << "out" << std::right << std::setw(14) << "params"
            << std::setw(16) << "MACs" << std::setw(14) << "activations"
            << "\n";
  for (const workloads::LayerSummary& l : g.layers()) {
    std::cout << std::left << std::setw(7) << l.layer << std::setw(14) << l.name << std::setw(12)
              << l.in.str() << std::setw(12) << l.out.str() << std::right << std::setw(14)
              << group_digits(l.params) << std::setw(16) << group_digits(l.macs) << std::setw(14)
              << format_si(static_cast<double>(l.activation_bytes), Dimension::bytes) << "\n";
  }
  std::cout << std::left << std::setw(45) << "total" << std::right << std::setw(14)
            << group_digits(g.params()) << std::setw(16) << group_digits(g.macs()) << "\n";
  if (!step) return;
  const auto& m = step->memory;
  std::cout << "\ntraining step of rule " << step->rule << " (optimizer " << step->optimizer
            << ")\n";
  std::cout << "  " << std::left << std::setw(18) << "phase" << std::right << std::setw(6) << "ops"
            << std::setw(16) << "MACs" << std::setw(16) << "other ops"
            << "\n";
  for (int p = 0; p < workloads::kPhaseCount; ++p) {
    const workloads::Phase phase = workloads::phase_from_index(p);
    int ops = 0;
    int64_t other = 0;
    for (const workloads::Op& op : step->graph.ops())
      if (op.phase == phase) {
        ++ops;
        other += op.other_ops;
      }
    if (ops == 0) continue;
    std::cout << "  " << std::left << std::setw(18) << workloads::to_string(phase) << std::right
              << std::setw(6) << ops << std::setw(16) << group_digits(step->graph.macs(phase))
              << std::setw(16) << group_digits(other) << "\n";
  }
  std::cout << "  " << std::left << std::setw(24) << "total" << std::right << std::setw(16)
            << group_digits(step->graph.macs()) << std::setw(16)
            << group_digits(step->graph.other_ops()) << "\n\n";
  auto bytes = [](int64_t b) { return format_si(static_cast<double>(b), Dimension::bytes); };
  std::cout << "  memory: weights " << bytes(m.weights_bytes) << ", gradients "
            << bytes(m.gradients_bytes) << ", optimizer state " << bytes(m.optimizer_state_bytes)
            << ", activations held " << bytes(m.activations_bytes) << ", peak activations "
            << bytes(m.peak_activation_bytes) << "; total " << bytes(m.total_bytes()) << "\n";
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  std::cout << "  weight transport: " << yes(step->traits.weight_transport)
            << ", backward sweep: " << yes(step->traits.backward_sweep)
            << ", update locking: " << yes(step->traits.update_locking) << "\n";
}

std::string describe_json(const workloads::Graph& g, const algorithms::TrainingStep* step) {
  results::JsonWriter j;
  j.begin_object();
  j.key("model").value(g.spec());
  j.key("batch").value(g.batch());
  j.key("element_bytes").value(g.element_bytes());
  j.key("layers").begin_array();
  for (const workloads::LayerSummary& l : g.layers()) {
    j.begin_object();
    j.key("layer").value(l.layer);
    j.key("name").value(l.name);
    j.key("in").value(l.in.str());
    j.key("out").value(l.out.str());
    j.key("params").value(l.params);
    j.key("macs").value(l.macs);
    j.key("activation_bytes").value(l.activation_bytes);
    j.end_object();
  }
  j.end_array();
  j.key("params").value(g.params());
  j.key("macs").value(g.macs());
  if (step) {
    j.key("step").begin_object();
    j.key("rule").value(step->rule);
    j.key("optimizer").value(step->optimizer);
    j.key("macs").value(step->graph.macs());
    j.key("macs_by_phase").begin_object();
    for (int p = 0; p < workloads::kPhaseCount; ++p) {
      const workloads::Phase phase = workloads::phase_from_index(p);
      j.key(std::string(workloads::to_string(phase))).value(step->graph.macs(phase));
    }
    j.end_object();
    write_memory_json(j, step->memory);
    j.key("weight_transport").value(step->traits.weight_transport);
    j.key("backward_sweep").value(step->traits.backward_sweep);
    j.key("update_locking").value(step->traits.update_locking);
    j.end_object();
  }
  j.end_object();
  return j.str();
}

int command_describe(const std::vector<std::string>& args) {
  std::string spec, rule, optimizer = "momentum";
  int64_t batch = 1;
  bool json = false;
  po::options_description options("Options");
  options.add_options()("model", po::value(&spec),
                        "model spec (also the first positional argument)")(
      "batch", po::value(&batch)->default_value(batch), "samples per step (positive)")(
      "rule", po::value(&rule), "also expand the model into this rule's training step")(
      "optimizer", po::value(&optimizer)->default_value(optimizer), "optimizer of the step")(
      "json", po::bool_switch(&json), "print one JSON object")("help,h", "show this help");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal describe SPEC [--batch N] [--rule RULE] [--json]\n\n"
                 "Prints per-layer parameters, MACs and activation memory, and totals.\nModels:\n";
    for (const auto& f : workloads::model_families())
      std::cout << "  " << f.syntax << "\n      " << f.description << "\n";
    std::cout << "\n" << options;
    return 0;
  }
  notify_options(vm);
  if (spec.empty())
    throw InputError("describe needs a model spec, e.g. frugal describe mlp:784-256-128-10");
  if (batch <= 0)
    throw InputError("--batch must be a positive integer, got " + std::to_string(batch));
  algorithms::find_optimizer(optimizer);
  workloads::BuildOptions build;
  build.batch = batch;
  const workloads::Graph graph = workloads::build_model(spec, build);
  std::unique_ptr<algorithms::TrainingStep> step;
  if (!rule.empty()) {
    algorithms::StepOptions step_options;
    step_options.optimizer = optimizer;
    step = std::make_unique<algorithms::TrainingStep>(
        algorithms::make_rule(rule)->expand(graph, step_options));
  }
  if (json)
    std::cout << describe_json(graph, step.get()) << "\n";
  else
    describe_text(graph, step.get());
  return 0;
}

// ---- presets --------------------------------------------------------------------------------

int command_presets(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  bool as_ini = false;
  po::options_description options("Options");
  options.add_options()("words", po::value(&words), "")("ini", po::bool_switch(&as_ini), "")(
      "help,h", "show this help");
  po::positional_options_description positional;
  positional.add("words", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal presets                  list the hardware presets\n"
                 "       frugal presets show NAME        every parameter of a preset, with its "
                 "unit and source\n"
                 "       frugal presets show NAME --ini  the same as a preset file, to copy and "
                 "edit (give it a new name; use it with --hw FILE.ini)\n";
    return 0;
  }
  notify_options(vm);
  if (words.empty()) {
    std::cout << std::left << std::setw(22) << "NAME" << std::setw(8) << "DEVICE"
              << "DESCRIPTION\n";
    for (const hw::Preset& p : hw::builtin_presets())
      std::cout << std::setw(22) << p.name() << std::setw(8) << p.device() << p.description()
                << (p.is_default() ? "  [default for --hw " + p.device() + "]" : "") << "\n";
    std::cout << "\ndevice kinds:\n";
    for (const hw::DeviceKind& k : hw::device_kinds())
      std::cout << "  " << std::setw(8) << k.name << k.description << "\n";
    return 0;
  }
  if (words.size() != 2 || words[0] != "show")
    throw InputError("expected 'frugal presets' or 'frugal presets show NAME'");
  const hw::Preset preset = hw::find_preset(words[1]);
  if (as_ini) {
    std::cout << preset.to_text();
    return 0;
  }
  std::cout << preset.name() << " (device " << preset.device() << ")\n"
            << preset.description() << "\nfrom " << preset.origin() << "\n\n";
  for (const hw::PresetParam& p : preset.params()) {
    std::cout << p.spec.name << " = " << p.text;
    const std::string si = format_si(p.value, p.spec.dimension);
    if (p.spec.dimension != Dimension::dimensionless && si != p.text)
      std::cout << "  (" << si << ")";
    std::cout << "\n    " << p.spec.description << "\n    source: " << p.source << "\n";
  }
  return 0;
}

}  // namespace

int run_cli(int argc, char* argv[]) {
  std::vector<std::string> argv_list(argv, argv + argc);
  const std::string command_line = shell_quote(argv_list);
  try {
    if (argc < 2) {
      std::cerr << kUsage;
      return 2;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (command == "--version") {
      std::cout << "frugal " << version() << " (git " << git_sha() << ")\n";
      return 0;
    }
    if (command == "run") return command_run(args, command_line);
    if (command == "describe") return command_describe(args);
    if (command == "presets") return command_presets(args);
    const std::string hint = closest_name(command, {"run", "describe", "presets"});
    throw InputError("unknown command '" + command + "'" +
                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                     "; commands: run, describe, presets (see frugal --help)");
  } catch (const InputError& e) {
    std::cerr << "frugal: error: " << one_line(e.what()) << "\n";
    return 2;
  } catch (const IoError& e) {
    std::cerr << "frugal: error: " << one_line(e.what()) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "frugal: internal error: " << one_line(e.what()) << "\n";
    return 1;
  }
}

}  // namespace frugal::sim
