#include "sim/cli.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
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
#include "sim/result_files.h"
#include "sim/result_tables.h"
#include "sim/run_scenario.h"
#include "sim/scenario.h"
#include "sim/sweep.h"
#include "sim/validate.h"
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
    "  sweep      run many scenarios (lists, ranges, seeds) in parallel into one HDF5 file\n"
    "  merge      join the shard files of a sweep run as a Slurm job array\n"
    "  export     write a result file's tables as CSV\n"
    "  describe   show a model's layers, parameters and MACs (and a rule's training step)\n"
    "  models     list the model zoo (and how to import ONNX files)\n"
    "  presets    list hardware presets, or show one with every parameter's unit and source\n"
    "  validate   reproduce published figures (GPT-3, BLOOM, Loihi, HERMES, ...) and compare\n"
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
    throw InputError(option_error_message(e) +
                     (hint.empty() ? "" : " (did you mean --" + hint + "?)"));
  } catch (const po::error& e) {
    throw InputError(option_error_message(e));
  }
  return vm;
}

void notify_options(po::variables_map& vm) {
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(option_error_message(e));
  }
}

// ---- run ------------------------------------------------------------------------------------

void print_warnings(const workloads::Graph& graph) {
  for (const std::string& w : graph.warnings()) std::cerr << "frugal: warning: " << w << "\n";
}

// Reads each config file as text for provenance: "# FILE" then its content.
std::string config_texts(const std::vector<std::string>& paths) {
  std::string text;
  for (const std::string& path : paths)
    text += "# " + path + "\n" + read_text_file(path, "config file") + "\n";
  return text;
}

int command_run(const std::vector<std::string>& args, const std::string& command_line) {
  Scenario scenario;
  std::string config, out, save_model;
  std::vector<std::string> sets;
  bool force = false, json = false;
  po::options_description output("Output", 100, 50);
  output.add_options()("out,o", po::value(&out),
                       "write the results to FILE.h5 (as FILE.h5.partial, renamed when complete)")(
      "save-model", po::value(&save_model),
      "with --train: save the trained network (after pruning) to FILE.h5, for --warm-start")(
      "force", po::bool_switch(&force), "overwrite an existing result file")(
      "json", po::bool_switch(&json), "print the summary as one JSON object on stdout");
  po::options_description general("General", 100, 50);
  general.add_options()(
      "set", po::value(&sets)->composing(),
      "KEY=VALUE: set a scenario option, or a preset parameter as hw.NAME=VALUE with its unit "
      "(e.g. --set hw.dram_energy_per_byte='15 pJ/bit'); repeatable")(
      "config,c", po::value(&config),
      "read options from an INI file of 'key = value' lines; the command line wins")(
      "help,h", "show this help");
  po::options_description all(100, 50);
  all.add(scenario_options(scenario)).add(output).add(general);
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
    in_file.add(scenario_options(scenario));
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

  const ScenarioOutcome outcome = run_scenario(scenario, saving);
  print_warnings(outcome.step.graph);

  if (write) {
    // A run is a sweep of one scenario: the same file layout.
    SweepSpec spec;
    spec.base = to_settings(scenario);
    std::vector<std::string> hw_keys;
    for (const auto& [name, value] : scenario.hw_params) hw_keys.push_back(kHwParamPrefix + name);
    const std::vector<ExtraColumn> extra = extra_columns(hw_keys);
    ResultTables tables = make_result_tables(extra);
    append_outcome(tables, ScenarioKey{}, outcome, extra);
    Provenance prov;
    prov.command_line = command_line;
    prov.sweep_spec = spec.canonical();
    prov.config_files = vm.count("config") ? config_texts({config}) : "";
    prov.hw_presets = outcome.preset.to_text();
    prov.scenario_count = 1;
    SweepWriter writer(out, force, provenance(prov), make_result_tables(extra), "");
    writer.add(tables);
    writer.finish(force);
  }
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

// ---- sweep ----------------------------------------------------------------------------------

int command_sweep(const std::vector<std::string>& args, const std::string& command_line) {
  SweepOptions options;
  std::vector<std::string> sets, zips, configs;
  std::string shard;
  int64_t seeds = 1;
  // Every scenario option, taking a list of values (the value syntax of --set).
  Scenario defaults;
  const po::options_description scenario = scenario_options(defaults);
  po::options_description axes(
      "Scenario options (each takes one value, a list a,b,c, a range "
      "lo:hi:step or log:lo:hi:n)",
      100, 50);
  for (const auto& option : scenario.options()) {
    // A flag (--train) may stand alone, meaning true; every other option takes values.
    auto* value = po::value<std::string>();
    if (option->semantic()->min_tokens() == 0) value->implicit_value("true");
    axes.add_options()(option->long_name().c_str(), value, option->description().c_str());
  }
  po::options_description sweep("Sweep", 100, 50);
  sweep.add_options()(
      "set", po::value(&sets)->composing(),
      "KEY=VALUES: sweep a scenario option or a preset parameter hw.NAME (values with their unit: "
      "hw.dram_energy_per_byte='10:30:10 pJ/bit'); repeatable")(
      "zip", po::value(&zips)->composing(),
      "A,B: these axes vary together (same number of values) instead of as a product")(
      "seeds", po::value(&seeds)->default_value(1),
      "repeat each point with N seeds derived from --seed (Monte-Carlo over noise)")(
      "config,c", po::value(&configs)->composing(),
      "read 'key = values' lines (scenario options, hw.NAME, zip, seeds, out); [NAME] sections "
      "make a study of several sweeps, one after another (docs/sweeps.md); repeatable; the "
      "command line wins")("dry-run", po::bool_switch(&options.dry_run),
                           "list the scenarios and their count; run none");
  po::options_description running("Running", 100, 50);
  running.add_options()("jobs,j", po::value(&options.jobs)->default_value(0),
                        "worker processes (0: one per core)")(
      "timeout-per-scenario", po::value(&options.timeout_s)->default_value(0.0),
      "seconds after which a scenario is stopped and recorded as timeout (0: no limit)")(
      "shard", po::value(&shard),
      "I/N: run only the scenarios whose id % N == I (Slurm job arrays; see frugal merge)")(
      "quiet,q", po::bool_switch(&options.quiet), "no progress output");
  po::options_description output("Output", 100, 50);
  output.add_options()("out,o", po::value(&options.out),
                       "result file FILE.h5 (written as FILE.h5.partial, renamed when complete)")(
      "force", po::bool_switch(&options.force), "overwrite an existing result file")(
      "resume", po::bool_switch(&options.resume),
      "continue an interrupted sweep: rebuilds FILE.h5.partial from FILE.h5.journal and runs only "
      "the scenarios it lacks (same options required)")("help,h", "show this help");
  po::options_description all(100, 50);
  all.add(axes).add(sweep).add(running).add(output);
  po::variables_map vm = parse(args, all);
  if (vm.count("help")) {
    std::cout
        << "usage: frugal sweep [options]\n\n"
           "Runs every combination of the values given (the cartesian product; --zip pairs\n"
           "axes), each scenario in an isolated worker process, into one HDF5 file. Scenario\n"
           "ids and seeds depend only on the specification. Exit code 0 when every scenario\n"
           "succeeded, 3 when some failed (recorded with status and error), 2 for bad input,\n"
           "130/143 when interrupted by SIGINT/SIGTERM (the partial file is kept: --resume).\n"
           "Under mpirun -n N, rank 0 farms the scenarios out to the other ranks.\n\n"
        << all
        << "\nExamples:\n"
           "  frugal sweep --rule bp,inference --batch log:1:1024:11 --out batch.h5\n"
           "  frugal sweep --set hw.dram_energy_per_byte='10:30:5 pJ/bit' --seeds 4 --out dram.h5\n"
           "  frugal sweep --batch 16,64 --rule bp,inference --zip batch,rule --dry-run\n"
           "  frugal sweep --config study.ini --shard 0/4 --out part0.h5 && frugal merge ...\n";
    return 0;
  }
  notify_options(vm);
  options.command_line = command_line;
  SweepSpec& spec = options.spec;
  spec.base = to_settings(defaults);
  for (const auto& option : scenario.options()) {
    const std::string& key = option->long_name();
    if (vm.count(key)) spec.add_axis(key, vm[key].as<std::string>(), "--" + key);
  }
  for (const std::string& text : sets) {
    const Setting set = split_setting(text, "--set");
    spec.add_axis(set.first, set.second, "--set");
  }
  for (const std::string& z : zips) spec.add_zip(z, "--zip");
  const bool seeds_given = !vm["seeds"].defaulted();
  bool file_seeds = false;
  std::string file_seeds_at, file_out_at;
  std::map<std::string, std::string> section_at;  // where each part's section began
  for (const std::string& path : configs) {
    std::string current;  // the section the previous line was in
    for (const KeyValueLine& kv : read_key_values(path, "sweep file", true)) {
      const std::string where = path + ":" + std::to_string(kv.line);
      if (!kv.section.empty()) {
        if (kv.key == "seeds" || kv.key == "out")
          throw InputError(where + ": " + kv.key + " applies to the whole sweep: give it before " +
                           "the first [section]");
        if (kv.section != current) {  // a section begins
          if (section_at.count(kv.section))
            throw InputError(where + ": section [" + kv.section + "] is given twice (" +
                             section_at[kv.section] + ")");
          section_at[kv.section] = where;
          spec.parts.push_back({kv.section, {}});
          current = kv.section;
        }
        SweepPart* part = &spec.parts.back();
        if (kv.key == "zip") {
          part->spec.add_zip(kv.value, where);
        } else {
          check_scenario_key(kv.key, where + ": ");
          part->spec.add_axis(kv.key, kv.value, where);
        }
        continue;
      }
      current.clear();
      if (kv.key == "zip") {
        spec.add_zip(kv.value, where);  // with --zip's: a key in two zips is an error
      } else if (kv.key == "seeds") {
        if (file_seeds) throw InputError(where + ": seeds is given twice (" + file_seeds_at + ")");
        file_seeds = true;
        file_seeds_at = where;
        if (!seeds_given) {
          try {
            size_t used = 0;
            seeds = std::stoll(kv.value, &used);
            if (used != kv.value.size()) throw std::invalid_argument("junk");
          } catch (const std::exception&) {
            throw InputError(where + ": seeds must be an integer, got '" + kv.value + "'");
          }
        }
      } else if (kv.key == "out") {
        if (!file_out_at.empty())
          throw InputError(where + ": out is given twice (" + file_out_at + ")");
        file_out_at = where;
        if (!vm.count("out")) options.out = kv.value;
      } else {
        const SweepAxis* given = spec.axis(kv.key);
        if (given && given->origin.rfind("--", 0) == 0) continue;  // the command line wins
        check_scenario_key(kv.key, where + ": ");
        spec.add_axis(kv.key, kv.value, where);
      }
    }
  }
  // The command line wins over the sections too: their axes of its keys are dropped.
  for (SweepPart& part : spec.parts) {
    std::vector<SweepAxis> kept;
    for (SweepAxis& a : part.spec.axes) {
      const SweepAxis* given = spec.axis(a.key);
      if (!given || given->origin.rfind("--", 0) != 0) {
        kept.push_back(std::move(a));
        continue;
      }
      for (const auto& group : part.spec.zips)
        if (std::find(group.begin(), group.end(), a.key) != group.end())
          throw InputError(given->origin + " " + a.key + " replaces the values of section [" +
                           part.name + "] (" + a.origin + "), where it is zipped: give the " +
                           "zipped keys there, or all of them on the command line");
    }
    part.spec.axes = std::move(kept);
  }
  options.config_files = config_texts(configs);
  if (seeds < 1)
    throw InputError("--seeds must be a positive integer, got " + std::to_string(seeds));
  spec.seeds = seeds;
  spec.normalize();
  if (options.jobs < 0) throw InputError("--jobs must be 0 (one per core) or positive");
  if (options.timeout_s < 0) throw InputError("--timeout-per-scenario must be >= 0 seconds");
  if (!shard.empty()) parse_shard(shard, options.shard_index, options.shard_count);
  return run_sweep(options);
}

// ---- merge, export --------------------------------------------------------------------------

int command_merge(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  bool force = false;
  po::options_description options("Options");
  options.add_options()("files", po::value(&files), "")(
      "force", po::bool_switch(&force), "overwrite an existing OUT.h5")("help,h", "show this help");
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal merge OUT.h5 SHARD.h5... [--force]\n\n"
                 "Joins the files written by 'frugal sweep --shard I/N' into one result file,\n"
                 "checking that every shard comes from the same sweep specification and that\n"
                 "every scenario appears exactly once.\n";
    return 0;
  }
  notify_options(vm);
  if (files.size() < 2) throw InputError("merge needs OUT.h5 and at least one shard file");
  const std::vector<std::string> shards(files.begin() + 1, files.end());
  merge_shards(files.front(), shards, force);
  std::cout << "frugal merge: " << shards.size() << " shard" << (shards.size() == 1 ? "" : "s")
            << " merged into " << files.front() << "\n";
  return 0;
}

int command_export(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  std::string prefix;
  bool csv = false, force = false;
  po::options_description options("Options");
  options.add_options()("files", po::value(&files), "")("csv", po::bool_switch(&csv),
                                                        "write CSV files (the only format)")(
      "prefix", po::value(&prefix), "output name prefix (default: FILE without .h5)")(
      "force", po::bool_switch(&force), "overwrite existing CSV files")("help,h", "show this help");
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal export --csv FILE.h5 [--prefix PREFIX] [--force]\n\n"
                 "Writes one CSV per table (PREFIX-scenarios.csv, PREFIX-ops.csv, ...) and\n"
                 "PREFIX-columns.csv with every column's units and description.\n";
    return 0;
  }
  notify_options(vm);
  if (!csv) throw InputError("export needs a format: --csv");
  if (files.size() != 1) throw InputError("export needs exactly one result file");
  std::string stem = files.front().substr(files.front().find_last_of('/') + 1);
  if (stem.size() > 3 && stem.compare(stem.size() - 3, 3, ".h5") == 0) stem.resize(stem.size() - 3);
  if (prefix.empty()) {
    prefix = files.front().substr(0, files.front().find_last_of('/') + 1) + stem;
  } else if (prefix.back() == '/') {
    prefix += stem;  // a directory: the file's name inside it
  }
  for (const std::string& written : export_csv(files.front(), prefix, force))
    std::cout << written << "\n";
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
            << ", feedback matrices " << bytes(m.feedback_bytes) << ", activations held "
            << bytes(m.activations_bytes) << ", peak activations " << bytes(m.peak_activation_bytes)
            << "; total " << bytes(m.total_bytes()) << "\n";
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
  Scenario shape;  // batch, --input-shape, --onnx-unsupported
  shape.batch = 1;
  bool json = false;
  po::options_description options("Options");
  options.add_options()("model", po::value(&spec),
                        "model spec or ONNX file (also the first positional argument)")(
      "batch", po::value(&shape.batch)->default_value(shape.batch), "samples per step (positive)")(
      "input-shape", po::value(&shape.input_shape),
      "ONNX models: the input's dimensions after the batch, e.g. 3x224x224")(
      "onnx-unsupported", po::value(&shape.onnx_unsupported)->default_value("error"),
      "ONNX ops frugal does not model: error, or skip (zero-cost, with a warning)")(
      "rule", po::value(&rule), "also expand the model into this rule's training step")(
      "optimizer", po::value(&optimizer)->default_value(optimizer), "optimizer of the step")(
      "json", po::bool_switch(&json), "print one JSON object")("help,h", "show this help");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal describe SPEC|FILE.onnx [--batch N] [--rule RULE] [--json]\n\n"
                 "Prints per-layer parameters, MACs and activation memory, and totals.\nModels:\n";
    for (const auto& f : workloads::model_families())
      std::cout << "  " << f.syntax << "\n      " << f.description << "\n";
    std::cout << "\n" << options;
    return 0;
  }
  notify_options(vm);
  if (spec.empty())
    throw InputError("describe needs a model spec, e.g. frugal describe mlp:784-256-128-10");
  validate(shape);
  algorithms::find_optimizer(optimizer);
  const workloads::Graph graph = workloads::build_model(spec, build_options(shape));
  print_warnings(graph);
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

// ---- models ---------------------------------------------------------------------------------

int command_models(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help");
  po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    std::cout << "usage: frugal models\n\nLists the model families of the zoo and their syntax.\n";
    return 0;
  }
  std::cout << "model families (use with --model, or frugal describe SPEC):\n";
  for (const auto& f : workloads::model_families())
    std::cout << "  " << std::left << std::setw(14) << f.name << f.description << "\n"
              << "  " << std::setw(14) << ""
              << "syntax: " << f.syntax << "\n";
  std::cout << "  " << std::setw(14) << "FILE.onnx"
            << "a model exported to ONNX (opsets 11-17), e.g. by torch.onnx.export; see "
               "--input-shape and --onnx-unsupported\n";
  return 0;
}

// ---- validate -------------------------------------------------------------------------------

int command_validate(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help");
  po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    std::cout << "usage: frugal validate\n\nRuns frugal's reproductions of published figures "
                 "and prints, for each, the published\nvalue, frugal's, the error and the "
                 "tolerance. Exit code 0 when all are within\ntolerance, 1 otherwise "
                 "(docs/validation.md).\n";
    return 0;
  }
  const std::vector<Check> checks = run_validation();
  std::cout << "frugal validate: published figures against frugal's\n\n";
  int failed = 0;
  for (const Check& c : checks) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-4s %-58s %10.4g %-8s frugal %10.4g  %+6.1f%% (±%.0f%%)\n",
                  c.ok() ? "ok" : "FAIL", c.name.c_str(), c.published, c.unit.c_str(), c.frugal,
                  100 * c.error(), 100 * c.tolerance);
    std::cout << line << "       " << c.source << "\n";
    if (!c.ok()) ++failed;
  }
  std::cout << "\n"
            << checks.size() - static_cast<size_t>(failed) << " of " << checks.size()
            << " within tolerance\n";
  return failed ? 1 : 0;
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
    if (command == "sweep") return command_sweep(args, command_line);
    if (command == "merge") return command_merge(args);
    if (command == "models") return command_models(args);
    if (command == "export") return command_export(args);
    if (command == "validate") return command_validate(args);
    const std::string hint = closest_name(
        command, {"run", "sweep", "describe", "models", "presets", "merge", "export", "validate"});
    throw InputError(
        "unknown command '" + command + "'" +
        (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
        "; commands: run, sweep, merge, export, describe, models, presets, validate (see frugal "
        "--help)");
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
