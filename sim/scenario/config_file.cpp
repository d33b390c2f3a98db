#include "sim/scenario/config_file.h"

#include <algorithm>
#include <sstream>

#include "results/core/error.h"
#include "results/core/text_file.h"
#include "sim/scenario/options.h"

namespace frugal::sim {

namespace po = boost::program_options;

std::vector<KeyValueLine> read_key_values(const std::string& path, const std::string& what,
                                          bool allow_sections) {
  std::istringstream file(read_text_file(path, what));
  std::vector<KeyValueLine> lines;
  std::string line, section;
  int number = 0;
  while (std::getline(file, line)) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#' || line[first] == ';') continue;
    if (line[first] == '[' && allow_sections) {
      std::string text = line.substr(first);
      text.erase(text.find_last_not_of(" \t\r") + 1);
      const std::string name = text.size() > 2 ? text.substr(1, text.size() - 2) : "";
      if (text.back() != ']' || name.empty() ||
          name.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
              std::string::npos)
        throw InputError(where + ": expected a section '[NAME]' (letters, digits, - and _), got '" +
                         text + "'");
      section = name;
      continue;
    }
    if (line[first] == '[')
      throw InputError(where + ": sections are not used in " + what + "s (expected key = value)");
    const auto eq = line.find('=');
    if (eq == std::string::npos) throw InputError(where + ": expected 'key = value'");
    std::string key = line.substr(first, eq - first);
    key.erase(key.find_last_not_of(" \t") + 1);
    std::string value = line.substr(eq + 1);
    // A '#' preceded by a blank starts a comment, as in the preset files.
    for (size_t i = 1; i < value.size(); ++i)
      if (value[i] == '#' && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value.resize(i);
        break;
      }
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    if (key.empty()) throw InputError(where + ": expected 'key = value' (the key is missing)");
    lines.push_back({key, value, number, section});
  }
  return lines;
}

void read_config_file(const std::string& path, const po::options_description& allowed,
                      po::variables_map& variables, std::vector<Setting>* hw_params) {
  std::vector<std::string> names;
  for (const auto& option : allowed.options()) names.push_back(option->long_name());

  std::ostringstream checked;
  for (const KeyValueLine& kv : read_key_values(path, "config file")) {
    const std::string where = path + ":" + std::to_string(kv.line);
    if (hw_params && is_hw_param_key(kv.key)) {
      hw_params->emplace_back(kv.key.substr(std::string(kHwParamPrefix).size()), kv.value);
      continue;
    }
    if (std::find(names.begin(), names.end(), kv.key) == names.end()) {
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
      const std::string hint = closest_name(kv.key, names);
      throw InputError(where + ": unknown key '" + kv.key + "'" +
                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                       "; known keys: " + known + (hw_params ? ", hw.NAME" : ""));
    }
    checked << kv.key << " = " << kv.value << "\n";
  }
  std::istringstream text(checked.str());
  try {
    po::store(po::parse_config_file(text, allowed), variables);
  } catch (const po::error& e) {
    throw InputError("config file '" + path + "': " + option_error_message(e));
  }
}

}  // namespace frugal::sim
