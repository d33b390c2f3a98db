#include <cstdio>
#include <iostream>

#include "sim/app/commands.h"
#include "sim/reproductions/reproductions.h"

namespace frugal::sim {

namespace po = boost::program_options;

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
  const std::vector<Reproduction> reproductions = run_reproductions();
  std::cout << "frugal validate: published figures against frugal's\n\n";
  int failed = 0;
  for (const Reproduction& c : reproductions) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-4s %-58s %10.4g %-8s frugal %10.4g  %+6.1f%% (±%.0f%%)\n",
                  c.ok() ? "ok" : "FAIL", c.name.c_str(), c.published, c.unit.c_str(), c.frugal,
                  100 * c.error(), 100 * c.tolerance);
    std::cout << line << "       " << c.source << "\n";
    if (!c.ok()) ++failed;
  }
  std::cout << "\n"
            << reproductions.size() - static_cast<size_t>(failed) << " of " << reproductions.size()
            << " within tolerance\n";
  return failed ? 1 : 0;
}

}  // namespace frugal::sim
