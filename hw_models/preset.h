#pragma once
// Hardware presets are data: INI-like files under hw_models/presets/ (built into the binary) or a
// user's own file. Every parameter carries a value with its unit and a source:
//
//   [preset]
//   name = cpu:xeon-8380
//   device = cpu
//   description = ...
//   default = yes            # the preset `--hw cpu` picks
//   [params]
//   clock = 2.3 GHz | Intel ARK, Xeon Platinum 8380 base frequency
//
// The device kind declares each parameter once (name, dimension, range, description); a preset
// is checked against those declarations when it is read.

#include <string>
#include <vector>

#include "results/core/units.h"

namespace frugal::hw {

struct ParamSpec {
  std::string name;
  units::Dimension dimension = units::Dimension::dimensionless;
  double min = 0.0;  // inclusive range, SI
  double max = 0.0;
  std::string description;
  bool integer = false;  // the value must be a whole number (counts)
};

struct PresetParam {
  ParamSpec spec;
  double value = 0.0;    // SI
  std::string text;      // as written, e.g. "2.3 GHz"
  std::string source;    // paper, datasheet, or "assumption: ..." / "derived: ..."
  bool assumed() const;  // the source says it is an assumption
};

class Preset {
 public:
  const std::string& name() const { return m_name; }
  const std::string& device() const { return m_device; }
  const std::string& description() const { return m_description; }
  const std::string& origin() const { return m_origin; }  // file the preset came from
  bool is_default() const { return m_default; }
  const std::vector<PresetParam>& params() const { return m_params; }

  // Value in SI of a declared parameter. Contract: `key` is declared by the device kind.
  double get(const std::string& key) const;
  bool has(const std::string& key) const;

  // Replaces a parameter's value (e.g. for a sweep). Throws InputError for an unknown key, a wrong
  // or missing unit, or a value out of range.
  void set(const std::string& key, const std::string& text,
           const std::string& source = "set by the user");

  // The preset as the text of a preset file (every parameter with its unit and source), which
  // Preset::parse reads back to the same values; stored in result files.
  std::string to_text() const;

  // Parses and validates a preset file's text. `origin` names the file in error messages.
  static Preset parse(const std::string& text, const std::string& origin);

 private:
  std::string m_name, m_device, m_description, m_origin;
  bool m_default = false;
  std::vector<PresetParam> m_params;  // in the device kind's declaration order
};

// Presets shipped with frugal, in file-name order.
const std::vector<Preset>& builtin_presets();

// Resolves --hw: a preset name ("cpu:xeon-8380"), a device kind ("cpu": its default preset), or a
// path to a preset file ("my-cpu.ini"). Throws InputError listing what is available.
Preset find_preset(const std::string& name);

}  // namespace frugal::hw
