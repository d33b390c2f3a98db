#include <cmath>
#include <cstdio>
#include <iostream>

#include "results/core/units.h"
#include "sim/app/commands.h"
#include "sim/reproductions/reproductions.h"

namespace frugal::sim {

namespace po = boost::program_options;

namespace {

// A figure as a reader takes it in: counts from 100,000 up as whole numbers with their thousands
// separated (GPU-hours, samples per second), the rest to four significant digits.
std::string figure(double value) {
  if (std::abs(value) >= 1e5 && std::abs(value) < 1e15)
    return units::group_digits(static_cast<int64_t>(std::llround(value)));
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

int command_validate(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help");
  po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    std::cout << "usage: frugal validate\n\nRuns frugal's reproductions of published figures "
                 "and prints, for each, the published\nvalue, frugal's, the error and the "
                 "tolerance, in two groups: consistency (a figure some\nparameter was fitted to, "
                 "with what was fitted and frugal's figure without the fit)\nand prediction (a "
                 "figure nothing was fitted to). Exit code 0 when all are within\ntolerance, 1 "
                 "otherwise (docs/validation.md).\n";
    return 0;
  }
  const std::vector<Reproduction> reproductions = run_reproductions();
  std::cout << "frugal validate: published figures against frugal's\n";
  int failed = 0;
  for (const Reproduction::Kind kind :
       {Reproduction::Kind::consistency, Reproduction::Kind::prediction}) {
    const bool fit = kind == Reproduction::Kind::consistency;
    std::cout << (fit ? "\nConsistency: figures a parameter was fitted to, or inputs read back "
                        "(they check the\nfit, not the model)\n"
                      : "\nPrediction: figures nothing was fitted to (they judge the model)\n");
    char header[200];
    std::snprintf(header, sizeof header, "  %-4s %-58s %10s %-8s %10s  %-15s %12s\n", "", "",
                  "published", "", "frugal", "error", fit ? "without fit" : "uncalibrated");
    std::cout << header;
    for (const Reproduction& c : reproductions) {
      if (c.kind != kind) continue;
      char line[320];
      std::snprintf(line, sizeof line, "  %-4s %-58s %10s %-8s %10s  %+6.1f%% (±%.0f%%)",
                    c.ok() ? "ok" : "FAIL", c.name.c_str(), figure(c.published).c_str(),
                    c.unit.c_str(), figure(c.frugal).c_str(), 100 * c.error(), 100 * c.tolerance);
      std::cout << line;
      if (!std::isnan(c.uncalibrated)) {
        std::snprintf(line, sizeof line, "  %10s (%+.0f%%)", figure(c.uncalibrated).c_str(),
                      c.published != 0 ? 100 * (c.uncalibrated / c.published - 1) : 0.0);
        std::cout << line;
      }
      std::cout << "\n       " << c.source << "; " << (fit ? "fitted: " : "from: ") << c.basis
                << "\n";
      if (!c.ok()) ++failed;
    }
  }
  std::cout << "\n"
            << reproductions.size() - static_cast<size_t>(failed) << " of " << reproductions.size()
            << " within tolerance\n";
  return failed ? 1 : 0;
}

}  // namespace frugal::sim
