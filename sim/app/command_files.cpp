#include <iostream>

#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/files/hdf5_file.h"
#include "results/report/html_report.h"
#include "sim/app/commands.h"
#include "sim/sweep/result_files.h"

namespace frugal::sim {

namespace po = boost::program_options;

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

int command_report(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  std::string html;
  bool force = false;
  po::options_description options("Options");
  options.add_options()("files", po::value(&files), "")(
      "html", po::value(&html), "write the report as one self-contained HTML page OUT.html")(
      "force", po::bool_switch(&force), "overwrite an existing OUT.html")("help,h",
                                                                          "show this help");
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal report FILE.h5 --html OUT.html [--force]\n\n"
                 "Writes one HTML page that opens offline (inline CSS and SVG, no script):\n"
                 "provenance, every scenario with the columns' meanings, and the plots the file\n"
                 "has data for: accuracy against training energy with its Pareto front, energy\n"
                 "per sample by component (log axis), accuracy by epoch, drift and timestep\n"
                 "curves, and parallel coordinates over a sweep's axes (docs/report.md).\n\n"
              << options;
    return 0;
  }
  notify_options(vm);
  if (html.empty()) throw InputError("report needs an output: --html OUT.html");
  if (files.size() != 1)
    throw InputError("report needs exactly one result file, got " + std::to_string(files.size()));
  const results::ResultsFile file = read_frugal_file(files.front(), "report");
  results::check_output_path(html, force);
  write_files_atomically({{html, results::html_report(file, files.front())}});
  std::cout << html << "\n";
  return 0;
}

}  // namespace frugal::sim
