#pragma once
// `frugal validate`: frugal's reproductions of published figures, each with the published value,
// frugal's, the error and the tolerance.

#include <string>
#include <vector>

namespace frugal::sim {

struct Check {
  std::string name;    // what is compared
  std::string source;  // where the published figure comes from
  std::string unit;
  double published = 0;
  double frugal = 0;
  double tolerance = 0.25;  // relative
  double error() const { return published != 0 ? frugal / published - 1.0 : 0.0; }
  bool ok() const { return error() >= -tolerance && error() <= tolerance; }
};

// Runs every reproduction in this process (a few seconds).
std::vector<Check> run_validation();

}  // namespace frugal::sim
