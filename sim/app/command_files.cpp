#include <iostream>

#include "results/core/error.h"
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

}  // namespace frugal::sim
