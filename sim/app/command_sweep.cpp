#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>
#include <string>

#include "results/core/error.h"
#include "sim/app/commands.h"
#include "sim/scenario/options.h"
#include "sim/sweep/sweep.h"
#include "sim/sweep/sweep_file.h"

namespace frugal::sim {

namespace po = boost::program_options;

namespace {

// --part: keeps the named sections of the sweep files (in their files' order); an unknown name
// is an error naming the sections there are.
void keep_parts(SweepSpec& spec, const std::vector<std::string>& given) {
  std::vector<std::string> names;  // --part a,b as --part a --part b
  for (const std::string& text : given) {
    std::stringstream list(text);
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) names.push_back(name);
  }
  std::string known;
  for (const SweepPart& part : spec.parts) known += (known.empty() ? "" : ", ") + part.name;
  if (spec.parts.empty())
    throw InputError(
        "--part: the sweep files have no [sections] (expected a study such as "
        "studies/flagship.ini)");
  for (const std::string& name : names)
    if (std::none_of(spec.parts.begin(), spec.parts.end(),
                     [&](const SweepPart& p) { return p.name == name; }))
      throw InputError("--part " + name + ": no section [" + name + "] in the sweep files " +
                       "(sections: " + known + ")");
  std::vector<SweepPart> kept;
  for (SweepPart& part : spec.parts)
    if (std::find(names.begin(), names.end(), part.name) != names.end())
      kept.push_back(std::move(part));
  spec.parts = std::move(kept);
}

}  // namespace

int command_sweep(const std::vector<std::string>& args, const std::string& command_line) {
  SweepOptions options;
  std::vector<std::string> sets, zips, configs, only_parts;
  std::string shard;
  int64_t seeds = 1;
  // Every scenario option, taking a list of values (the value syntax of --set).
  const Scenario defaults;
  po::options_description axes(
      "Scenario options (each takes one value, a list a,b,c, a range "
      "lo:hi:step or log:lo:hi:n; default in brackets)",
      100, 50);
  for (const ScenarioOption& option : scenario_options()) {
    // A flag (--train) may stand alone, meaning true; every other option takes values.
    auto* value = po::value<std::string>();
    if (option.type == ScenarioOption::Type::flag) value->implicit_value("true");
    const std::string help = option.help + " [" + option.text(defaults) + "]";
    axes.add_options()(option.key.c_str(), value, help.c_str());
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
      "command line wins")(
      "part", po::value(&only_parts)->composing(),
      "NAME[,NAME...]: run only these [sections] of the sweep files (e.g. one part of a study)")(
      "dry-run", po::bool_switch(&options.dry_run), "list the scenarios and their count; run none");
  po::options_description running("Running", 100, 50);
  running.add_options()(
      "jobs,j", po::value(&options.jobs)->default_value(0),
      "worker processes (0: one per core; more than the cores is capped at them)")(
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
      "the scenarios it lacks (same options required)")(
      "retry-failed", po::bool_switch(&options.retry_failed),
      "rerun the scenarios of a complete FILE.h5 that failed, crashed or timed out, keeping the "
      "others; the new file replaces it when complete, as an uninterrupted run would have "
      "written it (same options required)")("help,h", "show this help");
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
  for (const ScenarioOption& option : scenario_options())
    if (vm.count(option.key))
      spec.add_axis(option.key, vm[option.key].as<std::string>(), "--" + option.key);
  for (const std::string& text : sets) {
    const Setting set = split_setting(text, "--set");
    spec.add_axis(set.first, set.second, "--set");
  }
  for (const std::string& z : zips) spec.add_zip(z, "--zip");
  const SweepFileSettings file = read_sweep_files(configs, spec);
  if (!only_parts.empty()) keep_parts(spec, only_parts);
  if (file.seeds && vm["seeds"].defaulted()) seeds = *file.seeds;
  if (file.out && !vm.count("out")) options.out = *file.out;
  options.config_files = config_texts(configs);
  if (seeds < 1)
    throw InputError("--seeds must be a positive integer, got " + std::to_string(seeds));
  spec.seeds = seeds;
  spec.normalize();
  if (options.jobs < 0) throw InputError("--jobs must be 0 (one per core) or positive");
  if (options.resume && options.retry_failed)
    throw InputError(
        "--resume and --retry-failed exclude each other (finish an interrupted "
        "sweep with --resume, then retry its failed scenarios)");
  if (!std::isfinite(options.timeout_s) || options.timeout_s < 0)
    throw InputError("--timeout-per-scenario must be a finite number of seconds >= 0 (0: no " +
                     std::string("limit), got ") + std::to_string(options.timeout_s));
  if (!shard.empty()) parse_shard(shard, options.shard_index, options.shard_count);
  return run_sweep(options);
}

}  // namespace frugal::sim
