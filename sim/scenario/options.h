#pragma once
// The scenario's options, declared once (options.cpp): each entry gives an option's key, the
// Scenario member it sets, its unit, its help, the check of its value and, for some, the
// /scenarios column it fills. From the table come the command line and INI options (Boost),
// --help, the settings text (to_settings, stored in result files), the input checks and the
// input columns of /scenarios. Adding an option is a Scenario member and one entry.

#include <boost/program_options.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "results/files/table.h"
#include "sim/scenario/scenario.h"
#include "workloads/model_registry.h"

namespace frugal::sim {

struct ScenarioOption {
  enum class Type { text, integer, real, flag };
  std::string key;  // --key on the command line, `key = value` in INI files
  Type type = Type::text;
  std::string unit;  // of the value (UDUNITS: "1", "s", "g/kWh"); "" for text
  std::string help;  // --help
  // The /scenarios column the option fills, named as the key with '_' for '-' (empty: none).
  std::string column;
  // Bound to the member the entry names: Boost's value (the scenario's current value shown as
  // the default), the value as settings text, as a result cell, and its check (throws
  // InputError naming the option and what was expected).
  std::function<boost::program_options::value_semantic*(Scenario&)> bind;
  std::function<std::string(const Scenario&)> text;
  std::function<results::Cell(const Scenario&)> cell;
  std::function<void(const Scenario&)> check;

  std::string column_name() const;
  // A result column's type for the option's value: string, float64, or int64 (flags 0 or 1).
  results::ColumnType column_type() const;
  results::ColumnSpec column_spec() const;  // Contract: !column.empty()
};

// Every option, in the order of settings text, result files and --help.
const std::vector<ScenarioOption>& scenario_options();
// The option named `key`, or null.
const ScenarioOption* find_option(const std::string& key);
// The options as Boost options bound to `scenario` (all of them, or those named in `keys`).
boost::program_options::options_description option_description(
    Scenario& scenario, const std::string& caption = "Scenario",
    const std::vector<std::string>& keys = {});

// The message of a Boost.Program_options error. Boost's own what() loops forever when a value
// holds one of its placeholders ("%value%"; found by fuzz_ini, docs/reliability.md): the values
// are defused first.
std::string option_error_message(const boost::program_options::error& error);

// Checks every option's value, then the options that depend on each other (a --drift-times
// without --train); throws InputError naming the first problem.
void check_scenario(const Scenario& scenario);

// --drift-times as seconds, ascending (separated by commas, semicolons or spaces). Throws
// InputError for a value that is not a number or is negative.
std::vector<double> drift_times(const Scenario& scenario);

// The model-building options of a scenario (batch, ONNX input shape, unsupported ops).
workloads::BuildOptions build_options(const Scenario& scenario);

// The scenario as settings, every option in table order then the preset parameters set;
// scenario_from_settings(to_settings(s)) == s.
std::vector<Setting> to_settings(const Scenario& scenario);

// Builds a scenario from settings (missing options keep their defaults) with the same parsing
// and checks as the command line. Throws InputError naming an unknown key or a malformed value.
Scenario scenario_from_settings(const std::vector<Setting>& settings);

// Builds many scenarios that share a base (a sweep's points): the base is parsed once, and each
// scenario parses only its own settings on top of it, as scenario_from_settings(base with those
// settings replacing the base's) would, with the same checks and the same result.
class ScenarioBuilder {
 public:
  explicit ScenarioBuilder(const std::vector<Setting>& base);
  ~ScenarioBuilder();
  ScenarioBuilder(const ScenarioBuilder&) = delete;
  ScenarioBuilder& operator=(const ScenarioBuilder&) = delete;
  Scenario build(const std::vector<Setting>& settings);

 private:
  struct Parser;
  std::unique_ptr<Parser> m_parser;
};

// Whether `key` sets a hardware preset parameter (hw.NAME).
bool is_hw_param_key(const std::string& key);
// Throws InputError if `key` is neither an option nor hw.<parameter> (with a hint); `where`
// prefixes the message.
void check_scenario_key(const std::string& key, const std::string& where);

// Splits "key=value" (from --set); throws InputError naming `text` if there is no '=' or key.
Setting split_setting(const std::string& text, const std::string& option);

// The scenario as the INI text that reproduces it.
std::string to_ini(const Scenario& scenario);

// Shortest text that reads back as exactly `value` ("0.9", "3e+11").
std::string format_number(double value);

}  // namespace frugal::sim
