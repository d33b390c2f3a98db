#pragma once
// INI files of `key = value` lines: a run's config file (its options), and the lines of a sweep
// file (with [NAME] sections).

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace frugal::sim {

// Reads `key = value` options from an INI file into `variables` (values already there, e.g. from
// the command line, win). `allowed` are the options the file may set; `hw.NAME` keys are appended
// to `hw_params` (as NAME, value) when it is given (and are unknown keys otherwise). Throws
// InputError naming the file and line of an unknown key, a section, or a malformed line.
void read_config_file(const std::string& path,
                      const boost::program_options::options_description& allowed,
                      boost::program_options::variables_map& variables,
                      std::vector<Setting>* hw_params = nullptr);

// The `key = value` lines of an INI file, with their line numbers; comments (#, ;) and blank lines
// skipped.
struct KeyValueLine {
  std::string key, value;
  int line = 0;
  std::string section;  // the [NAME] above the line ("" before any), with allow_sections
};
// Reads `key = value` lines (# and ; comments). A [NAME] line is an error unless
// `allow_sections` (NAME: letters, digits, '-' and '_'). Throws InputError naming file and line
// for a malformed line; `what` names the kind of file ("config file").
std::vector<KeyValueLine> read_key_values(const std::string& path, const std::string& what,
                                          bool allow_sections = false);

}  // namespace frugal::sim
