#include "sim/sweep/sweep_file.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "results/core/error.h"
#include "sim/scenario/config_file.h"
#include "sim/scenario/options.h"

namespace frugal::sim {

SweepFileSettings read_sweep_files(const std::vector<std::string>& paths, SweepSpec& spec) {
  SweepFileSettings settings;
  bool file_seeds = false;
  std::string file_seeds_at, file_out_at;
  std::map<std::string, std::string> section_at;  // where each part's section began
  for (const std::string& path : paths) {
    std::string current;  // the section the previous line was in
    for (const KeyValueLine& kv : read_key_values(path, "sweep file", true)) {
      const std::string where = path + ":" + std::to_string(kv.line);
      if (!kv.section.empty()) {
        if (kv.key == "seeds" || kv.key == "out")
          throw InputError(where + ": " + kv.key + " applies to the whole sweep: give it before " +
                           "the first [section]");
        if (kv.section != current) {  // a section begins
          if (section_at.count(kv.section))
            throw InputError(where + ": section [" + kv.section + "] is given twice (" +
                             section_at[kv.section] + ")");
          section_at[kv.section] = where;
          spec.parts.push_back({kv.section, {}});
          current = kv.section;
        }
        SweepPart* part = &spec.parts.back();
        if (kv.key == "zip") {
          part->spec.add_zip(kv.value, where);
        } else {
          check_scenario_key(kv.key, where + ": ");
          part->spec.add_axis(kv.key, kv.value, where);
        }
        continue;
      }
      current.clear();
      if (kv.key == "zip") {
        spec.add_zip(kv.value, where);  // with --zip's: a key in two zips is an error
      } else if (kv.key == "seeds") {
        if (file_seeds) throw InputError(where + ": seeds is given twice (" + file_seeds_at + ")");
        file_seeds = true;
        file_seeds_at = where;
        try {
          size_t used = 0;
          settings.seeds = std::stoll(kv.value, &used);
          if (used != kv.value.size()) throw std::invalid_argument("junk");
        } catch (const std::exception&) {
          throw InputError(where + ": seeds must be an integer, got '" + kv.value + "'");
        }
      } else if (kv.key == "out") {
        if (!file_out_at.empty())
          throw InputError(where + ": out is given twice (" + file_out_at + ")");
        file_out_at = where;
        settings.out = kv.value;
      } else {
        const SweepAxis* given = spec.axis(kv.key);
        if (given && given->origin.rfind("--", 0) == 0) continue;  // the command line wins
        check_scenario_key(kv.key, where + ": ");
        spec.add_axis(kv.key, kv.value, where);
      }
    }
  }
  // The command line wins over the sections too: their axes of its keys are dropped.
  for (SweepPart& part : spec.parts) {
    std::vector<SweepAxis> kept;
    for (SweepAxis& a : part.spec.axes) {
      const SweepAxis* given = spec.axis(a.key);
      if (!given || given->origin.rfind("--", 0) != 0) {
        kept.push_back(std::move(a));
        continue;
      }
      for (const auto& group : part.spec.zips)
        if (std::find(group.begin(), group.end(), a.key) != group.end())
          throw InputError(given->origin + " " + a.key + " replaces the values of section [" +
                           part.name + "] (" + a.origin + "), where it is zipped: give the " +
                           "zipped keys there, or all of them on the command line");
    }
    part.spec.axes = std::move(kept);
  }
  return settings;
}

}  // namespace frugal::sim
