#pragma once
// A scenario: one model, trained (or run) with one learning rule on one hardware preset. Its
// options are declared once (scenario_options) and read from the command line, INI files and
// --help alike.

#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace frugal::sim {

struct Scenario {
  std::string model = "mlp:784-256-128-10";
  std::string rule = "bp";
  std::string hw = "cpu";
  int64_t batch = 64;
  std::string optimizer = "momentum";
  int64_t seed = 0;
};

// The scenario's options, bound to the fields of `scenario` (their current values are the
// defaults shown by --help).
boost::program_options::options_description scenario_options(Scenario& scenario);

// Checks values that parse but make no sense (a non-positive batch); throws InputError.
void validate(const Scenario& scenario);

// The scenario as the INI text that reproduces it (stored in result files).
std::string to_ini(const Scenario& scenario);

// Reads `key = value` options from an INI file into `variables` (values already there, e.g. from
// the command line, win). `allowed` are the options the file may set. Throws InputError naming
// the file and line of an unknown key, a section, or a malformed line.
void read_config_file(const std::string& path,
                      const boost::program_options::options_description& allowed,
                      boost::program_options::variables_map& variables);

// Closest known name to `word` within a small edit distance, for "did you mean" hints ("" if none).
std::string closest_name(const std::string& word, const std::vector<std::string>& names);

}  // namespace frugal::sim
