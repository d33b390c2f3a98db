#include "sim/app/cli.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "results/core/build_info.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "sim/app/commands.h"
#include "sim/app/report.h"
#include "sim/scenario/options.h"

namespace frugal::sim {

namespace po = boost::program_options;

namespace {

// Every command, declared once: its name, its line in --help, and what runs it.
struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args, const std::string& command_line);
};

template <int (*F)(const std::vector<std::string>&)>
int without_command_line(const std::vector<std::string>& args, const std::string&) {
  return F(args);
}

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"run", "simulate one scenario; print its cost and optionally write it to HDF5", command_run},
      {"sweep", "run many scenarios (lists, ranges, seeds) in parallel into one HDF5 file",
       command_sweep},
      {"merge", "join the shard files of a sweep run as a Slurm job array",
       without_command_line<command_merge>},
      {"export", "write a result file's tables as CSV", without_command_line<command_export>},
      {"report", "write a result file as one self-contained HTML page with its plots",
       without_command_line<command_report>},
      {"describe", "show a model's layers, parameters and MACs (and a rule's training step)",
       without_command_line<command_describe>},
      {"models", "list the model zoo (and how to import ONNX files)",
       without_command_line<command_models>},
      {"presets", "list hardware presets, or show one with every parameter's unit and source",
       without_command_line<command_presets>},
      {"validate", "compare with published figures: consistency (fitted) and prediction",
       without_command_line<command_validate>},
      {"calibrate",
       "measure this machine (cpu) or a GPU, fit a preset to it, compare phase by phase",
       without_command_line<command_calibrate>},
  };
  return table;
}

std::string command_names() {
  std::string names;
  for (const Command& c : commands()) names += (names.empty() ? "" : ", ") + std::string(c.name);
  return names;
}

std::string usage() {
  std::string text =
      "frugal: what it costs (energy, time) to train or run a neural network with a given\n"
      "learning rule on a given kind of hardware.\n"
      "\n"
      "usage: frugal <command> [options]\n"
      "\n"
      "commands:\n";
  for (const Command& c : commands()) {
    std::string name = c.name;
    name.resize(std::max<size_t>(name.size() + 1, 11), ' ');
    text += "  " + name + c.summary + "\n";
  }
  return text +
         "\n"
         "options:\n"
         "  -h, --help     show this help\n"
         "  --version      show the version and the git commit of this build\n"
         "\n"
         "Run 'frugal <command> --help' for the options of a command.\n"
         "Example: frugal run --model mlp:784-256-128-10 --rule bp --hw cpu --batch 64 --out "
         "run.h5\n";
}

std::vector<std::string> long_names(const po::options_description& options) {
  std::vector<std::string> names;
  for (const auto& option : options.options()) names.push_back(option->long_name());
  return names;
}

}  // namespace

po::variables_map parse(const std::vector<std::string>& args,
                        const po::options_description& options,
                        const po::positional_options_description& positional) {
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

int run_cli(int argc, char* argv[]) {
  std::vector<std::string> argv_list(argv, argv + argc);
  const std::string command_line = shell_quote(argv_list);
  try {
    if (argc < 2) {
      std::cerr << "usage: frugal COMMAND [options] (commands: " << command_names()
                << "; frugal --help for more)\n";
      return 2;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << usage();
      return 0;
    }
    if (command == "--version") {
      std::cout << "frugal " << version() << " (git " << git_sha() << ")\n";
      return 0;
    }
    std::vector<std::string> names;
    for (const Command& c : commands()) {
      if (command == c.name) return c.run(args, command_line);
      names.emplace_back(c.name);
    }
    const std::string hint = closest_name(command, names);
    throw InputError("unknown command '" + command + "'" +
                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                     "; commands: " + command_names() + " (see frugal --help)");
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
