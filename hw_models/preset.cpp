#include "hw_models/preset.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <sstream>
#include <stdexcept>

#include "hw_models/device.h"
#include "hw_models/presets_embedded.h"
#include "results/core/error.h"
#include "results/core/text_file.h"

namespace frugal::hw {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::string describe_dimension(units::Dimension d) {
  return d == units::Dimension::dimensionless ? "a plain number"
                                              : "a unit of " + std::string(units::symbol(d));
}

// Parses "VALUE UNIT" against a declaration; `where` prefixes error messages.
PresetParam make_param(const ParamSpec& spec, const std::string& text, const std::string& source,
                       const std::string& where) {
  units::Quantity q;
  try {
    q = units::parse_quantity(text);
  } catch (const InputError& e) {
    throw InputError(where + ": parameter '" + spec.name + "': " + e.what());
  }
  if (q.dimension != spec.dimension) {
    if (q.dimension == units::Dimension::dimensionless)
      throw InputError(where + ": parameter '" + spec.name + "' = '" + text +
                       "' has no unit (expected " + describe_dimension(spec.dimension) + ")");
    throw InputError(where + ": parameter '" + spec.name + "' = '" + text + "' has a unit of " +
                     std::string(units::symbol(q.dimension)) + " (expected " +
                     describe_dimension(spec.dimension) + ")");
  }
  if (q.value < spec.min || q.value > spec.max)
    throw InputError(where + ": parameter '" + spec.name + "' = '" + text + "' is out of range [" +
                     units::format_si(spec.min, spec.dimension) + ", " +
                     units::format_si(spec.max, spec.dimension) + "]");
  if (spec.integer && q.value != static_cast<double>(static_cast<int64_t>(q.value)))
    throw InputError(where + ": parameter '" + spec.name + "' = '" + text +
                     "' must be a whole number");
  if (trim(source).empty())
    throw InputError(where + ": parameter '" + spec.name +
                     "' has no source (expected 'value unit | source')");
  return PresetParam{spec, q.value, text, trim(source)};
}

std::string known_keys(const std::vector<ParamSpec>& specs) {
  std::string known;
  for (const ParamSpec& s : specs) known += (known.empty() ? "" : ", ") + s.name;
  return known;
}

}  // namespace

bool PresetParam::assumed() const { return source.rfind("assumption", 0) == 0; }

double Preset::get(const std::string& key) const {
  for (const PresetParam& p : m_params)
    if (p.spec.name == key) return p.value;
  throw std::logic_error("preset '" + m_name + "' has no parameter '" + key + "'");
}

bool Preset::has(const std::string& key) const {
  return std::any_of(m_params.begin(), m_params.end(),
                     [&](const PresetParam& p) { return p.spec.name == key; });
}

void Preset::set(const std::string& key, const std::string& text, const std::string& source) {
  for (PresetParam& p : m_params) {
    if (p.spec.name != key) continue;
    p = make_param(p.spec, text, source, "preset '" + m_name + "'");
    return;
  }
  std::vector<ParamSpec> specs;
  for (const PresetParam& p : m_params) specs.push_back(p.spec);
  throw InputError("preset '" + m_name + "' has no parameter '" + key +
                   "' (known: " + known_keys(specs) + ")");
}

std::string Preset::to_text() const {
  std::ostringstream out;
  out << "# from " << m_origin << "\n[preset]\nname = " << m_name << "\ndevice = " << m_device
      << "\ndescription = " << m_description << "\ndefault = " << (m_default ? "yes" : "no")
      << "\n\n[params]\n";
  for (const PresetParam& p : m_params)
    out << p.spec.name << " = " << p.text << " | " << p.source << "\n";
  return out.str();
}

Preset Preset::parse(const std::string& text, const std::string& origin) {
  Preset preset;
  preset.m_origin = origin;
  std::map<std::string, std::pair<std::string, int>> raw_params;  // key -> (value | source, line)
  std::string section;
  std::istringstream in(text);
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string where = origin + ":" + std::to_string(line_number);
    const std::string stripped = trim(line);
    if (stripped.empty() || stripped[0] == '#' || stripped[0] == ';') continue;
    if (stripped.front() == '[') {
      if (stripped.back() != ']') throw InputError(where + ": malformed section header");
      section = trim(stripped.substr(1, stripped.size() - 2));
      if (section != "preset" && section != "params")
        throw InputError(where + ": unknown section [" + section +
                         "] (expected [preset] or [params])");
      continue;
    }
    const auto eq = stripped.find('=');
    if (eq == std::string::npos) throw InputError(where + ": expected 'key = value'");
    const std::string key = trim(stripped.substr(0, eq));
    const std::string value = trim(stripped.substr(eq + 1));
    if (section == "preset") {
      if (key == "name")
        preset.m_name = value;
      else if (key == "device")
        preset.m_device = value;
      else if (key == "description")
        preset.m_description = value;
      else if (key == "default") {
        if (value != "yes" && value != "no")
          throw InputError(where + ": default = '" + value + "' (expected yes or no)");
        preset.m_default = value == "yes";
      } else {
        throw InputError(where + ": unknown key '" + key +
                         "' in [preset] (expected name, device, description, default)");
      }
    } else if (section == "params") {
      if (!raw_params.emplace(key, std::make_pair(value, line_number)).second)
        throw InputError(where + ": parameter '" + key + "' given twice");
    } else {
      throw InputError(where + ": '" + key + "' outside a section (expected [preset] first)");
    }
  }
  if (preset.m_name.empty()) throw InputError(origin + ": [preset] has no name");
  if (preset.m_device.empty()) throw InputError(origin + ": [preset] has no device");
  const DeviceKind& kind = find_device_kind(preset.m_device);
  for (const auto& raw : raw_params) {
    const std::string& key = raw.first;  // a structured binding cannot be captured (C++17)
    const auto& entry = raw.second;
    const bool declared = std::any_of(kind.params.begin(), kind.params.end(),
                                      [&](const ParamSpec& s) { return s.name == key; });
    if (!declared)
      throw InputError(origin + ":" + std::to_string(entry.second) + ": unknown parameter '" + key +
                       "' for device '" + kind.name + "' (known: " + known_keys(kind.params) + ")");
  }
  for (const ParamSpec& spec : kind.params) {
    const auto it = raw_params.find(spec.name);
    if (it == raw_params.end())
      throw InputError(origin + ": missing parameter '" + spec.name + "' (" + spec.description +
                       ")");
    const std::string& value = it->second.first;
    const auto bar = value.find('|');
    const std::string where = origin + ":" + std::to_string(it->second.second);
    if (bar == std::string::npos)
      throw InputError(where + ": parameter '" + spec.name +
                       "' has no source (expected 'value unit | source')");
    preset.m_params.push_back(
        make_param(spec, trim(value.substr(0, bar)), value.substr(bar + 1), where));
  }
  return preset;
}

const std::vector<Preset>& builtin_presets() {
  static const std::vector<Preset> presets = [] {
    std::vector<Preset> list;
    for (const EmbeddedFile& file : embedded_presets())
      list.push_back(Preset::parse(file.contents, "hw_models/presets/" + file.name));
    for (size_t i = 0; i < list.size(); ++i)
      for (size_t j = i + 1; j < list.size(); ++j) {
        if (list[i].name() == list[j].name())
          throw std::logic_error("two built-in presets are named " + list[i].name());
        if (list[i].is_default() && list[j].is_default() && list[i].device() == list[j].device())
          throw std::logic_error("two built-in presets are the default for " + list[i].device());
      }
    return list;
  }();
  return presets;
}

Preset find_preset(const std::string& name) {
  const bool looks_like_file = name.size() > 4 && name.substr(name.size() - 4) == ".ini";
  if (looks_like_file) {
    Preset preset = Preset::parse(read_text_file(name, "preset file"), name);
    for (const Preset& p : builtin_presets())
      if (p.name() == preset.name())
        throw InputError(name + ": name = " + preset.name() +
                         " is the name of a built-in preset; give the file's preset its own name");
    return preset;
  }
  for (const Preset& p : builtin_presets())
    if (p.name() == name) return p;
  for (const Preset& p : builtin_presets())
    if (p.device() == name && p.is_default()) return p;
  std::string known;
  for (const DeviceKind& kind : device_kinds()) known += (known.empty() ? "" : ", ") + kind.name;
  for (const Preset& p : builtin_presets()) known += ", " + p.name();
  throw InputError("unknown hardware preset '" + name + "' (known: " + known +
                   ", or a preset file ending in .ini)");
}

}  // namespace frugal::hw
