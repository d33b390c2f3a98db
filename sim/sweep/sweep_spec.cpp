#include "sim/sweep/sweep_spec.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>

#include "results/core/error.h"
#include "results/core/memory.h"

namespace frugal::sim {
namespace {

// Most scenarios one sweep may expand to: beyond this a typo in a range is more likely than intent.
constexpr int64_t kMaxScenarios = 10'000'000;
constexpr int64_t kMaxValuesPerRange = 1'000'000;

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  value = std::strtod(begin, &end);
  return end == begin + text.size() && errno == 0 && std::isfinite(value);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

// Shortest faithful text of a range value: integers without a decimal point, others to 12
// significant digits (so 0.1 + 2 * 0.1 prints as 0.3).
std::string format_value(double v) {
  char buffer[32];
  if (std::fabs(v) < 9.0e15 && v == std::round(v))
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%.12g", v);
  return buffer;
}

// Expands one range item ("lo:hi:step" or "log:lo:hi:n", with an optional unit after a blank)
// into `out`. Returns false if the item is not a range (a plain value such as "mlp:784-10").
bool expand_range(const std::string& item, const std::string& key, std::vector<std::string>& out) {
  const auto blank = item.find_first_of(" \t");
  const std::string range = item.substr(0, blank);
  const std::string unit = blank == std::string::npos ? "" : " " + trim(item.substr(blank));
  std::vector<std::string> parts = split(range, ':');
  const bool is_log = parts.size() >= 2 && parts[0] == "log";
  double first = 0;
  if (!is_log && (parts.size() < 2 || !parse_number(parts[0], first))) return false;
  const std::string where = "'" + key + "': malformed range '" + item + "'";

  if (is_log) {
    double lo = 0, hi = 0, n = 0;
    if (parts.size() != 4 || !parse_number(parts[1], lo) || !parse_number(parts[2], hi) ||
        !parse_number(parts[3], n))
      throw InputError(where + " (expected log:LO:HI:N, e.g. log:1e-3:1:4)");
    if (lo <= 0 || hi <= 0) throw InputError(where + " (a log range needs LO > 0 and HI > 0)");
    if (n != std::round(n) || n < 2 || n > kMaxValuesPerRange)
      throw InputError(where + " (N must be an integer from 2 to " +
                       std::to_string(kMaxValuesPerRange) + ")");
    const auto count = static_cast<int64_t>(n);
    for (int64_t i = 0; i < count; ++i) {
      const double v =
          i == count - 1
              ? hi
              : lo * std::pow(hi / lo, static_cast<double>(i) / static_cast<double>(count - 1));
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.12g", v);  // 12 significant digits, then as a range
      out.push_back(format_value(std::strtod(buffer, nullptr)) + unit);
    }
    return true;
  }
  double lo = first, hi = 0, step = 0;
  if (parts.size() != 3 || !parse_number(parts[1], hi) || !parse_number(parts[2], step))
    throw InputError(where + " (expected LO:HI:STEP, e.g. 16:128:16, or log:LO:HI:N)");
  if (step == 0 || (hi - lo) / step < 0)
    throw InputError(where + " (STEP must be nonzero and go from LO towards HI)");
  const double span = (hi - lo) / step;
  if (span >= static_cast<double>(kMaxValuesPerRange))
    throw InputError(where + " (more than " + std::to_string(kMaxValuesPerRange) + " values)");
  const auto count = static_cast<int64_t>(std::floor(span + 1e-9)) + 1;  // HI included
  for (int64_t i = 0; i < count; ++i)
    out.push_back(format_value(lo + static_cast<double>(i) * step) + unit);
  return true;
}

std::string quote_if_needed(const std::string& value) {
  if (value.find_first_of(",\"") == std::string::npos && trim(value) == value) return value;
  return "\"" + value + "\"";
}

}  // namespace

std::vector<std::string> parse_values(const std::string& text, const std::string& key) {
  std::vector<std::string> values;
  std::string item;
  bool quoted = false, was_quoted = false;
  auto finish = [&] {
    const std::string t = was_quoted ? item : trim(item);
    if (t.empty() && !was_quoted)
      throw InputError("'" + key + "': empty value in '" + text +
                       "' (expected values separated by commas)");
    if (was_quoted || !expand_range(t, key, values)) values.push_back(t);
    item.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      if (!quoted && !trim(item).empty())
        throw InputError("'" + key + "': a quote must open a value in '" + text + "'");
      if (!quoted) item.clear();
      quoted = !quoted;
      was_quoted = true;
      if (!quoted) {  // closing quote: only blanks may follow before the next comma
        const auto next = text.find_first_not_of(" \t", i + 1);
        if (next != std::string::npos && text[next] != ',')
          throw InputError("'" + key + "': text after a closing quote in '" + text + "'");
        i = next == std::string::npos ? text.size() - 1 : next - 1;
      }
      continue;
    }
    if (c == ',' && !quoted) {
      finish();
      continue;
    }
    item += c;
  }
  if (quoted) throw InputError("'" + key + "': unterminated quote in '" + text + "'");
  finish();
  return values;
}

void SweepSpec::add_axis(const std::string& key, const std::string& value_text,
                         const std::string& origin) {
  check_scenario_key(key, origin + ": ");
  if (const SweepAxis* existing = axis(key))
    throw InputError("'" + key + "' is given twice (" + existing->origin + " and " + origin + ")");
  axes.push_back({key, parse_values(value_text, key), origin});
}

void SweepSpec::add_zip(const std::string& keys, const std::string& origin) {
  std::vector<std::string> group;
  for (const std::string& key : split(keys, ',')) {
    const std::string k = trim(key);
    if (k.empty())
      throw InputError(origin + " '" + keys + "': expected axis keys separated by commas");
    group.push_back(k);
  }
  if (group.size() < 2)
    throw InputError(origin + " '" + keys + "': a zip needs at least two swept keys");
  if (std::find(zips.begin(), zips.end(), group) == zips.end()) zips.push_back(group);
}

const SweepAxis* SweepSpec::axis(const std::string& key) const {
  for (const SweepAxis& a : axes)
    if (a.key == key) return &a;
  return nullptr;
}

void SweepSpec::normalize() {
  // The product's order does not depend on how the axes were given (command line, files):
  // scenario options in their table's order, then hw.NAME keys in the order given.
  const std::vector<ScenarioOption>& options = scenario_options();
  auto rank = [&](const SweepAxis& a) {
    const ScenarioOption* o = find_option(a.key);
    return o ? static_cast<size_t>(o - options.data()) : options.size();
  };
  std::stable_sort(axes.begin(), axes.end(),
                   [&](const SweepAxis& a, const SweepAxis& b) { return rank(a) < rank(b); });
  std::vector<SweepAxis> kept;
  for (SweepAxis& a : axes) {
    bool zipped = false;
    for (const auto& group : zips)
      zipped = zipped || std::find(group.begin(), group.end(), a.key) != group.end();
    const bool hw_param = a.key.rfind(kHwParamPrefix, 0) == 0;
    auto in_base =
        std::find_if(base.begin(), base.end(), [&](const Setting& s) { return s.first == a.key; });
    if (a.values.size() == 1 && !zipped && !hw_param && in_base != base.end()) {
      in_base->second = a.values.front();
      continue;
    }
    kept.push_back(std::move(a));
  }
  axes = std::move(kept);
}

std::string SweepSpec::canonical() const {
  // One line per axis ("key = v1, v2") and per zip ("zip = a,b"), for the spec and each part.
  const auto axis_lines = [](const std::vector<SweepAxis>& list) {
    std::string lines;
    for (const SweepAxis& a : list) {
      lines += a.key + " =";
      for (size_t i = 0; i < a.values.size(); ++i)
        lines += (i ? ", " : " ") + quote_if_needed(a.values[i]);
      lines += "\n";
    }
    return lines;
  };
  const auto zip_lines = [](const std::vector<std::vector<std::string>>& groups) {
    std::string lines;
    for (const auto& group : groups) {
      std::string line;
      for (const std::string& k : group) line += (line.empty() ? "" : ",") + k;
      lines += "zip = " + line + "\n";
    }
    return lines;
  };
  std::string text = "# frugal sweep specification\n[base]\n";
  for (const auto& [key, value] : base) text += key + " = " + value + "\n";
  text += "[axes]\n" + axis_lines(axes) + "[zip]\n" + zip_lines(zips);
  text += "[replicates]\nseeds = " + std::to_string(seeds) + "\n";
  for (const SweepPart& part : parts)
    text += "[part " + part.name + "]\n" + axis_lines(part.spec.axes) + zip_lines(part.spec.zips);
  return text;
}

std::vector<std::string> SweepSpec::column_keys() const {
  std::vector<std::string> keys;
  const auto add = [&](const std::string& key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  };
  if (!parts.empty()) add("part");
  for (const SweepAxis& a : axes) add(a.key);
  for (const SweepPart& part : parts)
    for (const SweepAxis& a : part.spec.axes) add(a.key);
  return keys;
}

int64_t derive_seed(int64_t base, int64_t replicate) {
  // SplitMix64 (Steele, Lea & Flood 2014) of the pair, kept non-negative for int64 columns.
  uint64_t z = static_cast<uint64_t>(base) * 0x9E3779B97F4A7C15ULL +
               static_cast<uint64_t>(replicate) + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<int64_t>(z >> 1);
}

namespace {

Expansion expand_one(const SweepSpec& spec);

// One part: the spec's axes with the part's added; a key the part gives replaces a top-level one
// from a file (a command-line axis wins over it).
SweepSpec part_spec(const SweepSpec& spec, const SweepPart& part) {
  SweepSpec sub;
  sub.base = spec.base;
  sub.seeds = spec.seeds;
  sub.zips = spec.zips;
  for (const SweepAxis& a : spec.axes) {
    const SweepAxis* mine = part.spec.axis(a.key);
    if (mine && a.origin.rfind("--", 0) != 0) {
      for (const auto& group : spec.zips)
        if (std::find(group.begin(), group.end(), a.key) != group.end())
          throw InputError(mine->origin + ": '" + a.key + "' is zipped before the sections (" +
                           a.origin + "); give it in each section instead");
      continue;
    }
    sub.axes.push_back(a);
  }
  for (const SweepAxis& a : part.spec.axes) {
    const SweepAxis* top = sub.axis(a.key);
    if (!top) sub.axes.push_back(a);
  }
  for (const auto& group : part.spec.zips) sub.zips.push_back(group);
  sub.normalize();
  return sub;
}

}  // namespace

SweepScenario Expansion::scenario(int64_t id) const {
  const SweepPoint& p = point_of(id);
  SweepScenario s;
  s.id = id;
  s.point = id / seeds;
  s.replicate = id % seeds;
  s.settings = p.settings;
  s.scenario = p.scenario;
  s.scenario.seed = seed(id);
  return s;
}

int64_t Expansion::seed(int64_t id) const {
  const int64_t base = point_of(id).scenario.seed;
  return seeds > 1 ? derive_seed(base, id % seeds) : base;
}

std::vector<SweepScenario> expand(const SweepSpec& spec) {
  const Expansion e = expand_points(spec);
  std::vector<SweepScenario> all;
  all.reserve(static_cast<size_t>(e.size()));
  for (int64_t id = 0; id < e.size(); ++id) all.push_back(e.scenario(id));
  return all;
}

Expansion expand_points(const SweepSpec& spec) {
  if (spec.parts.empty()) return expand_one(spec);
  const std::vector<std::string> columns = spec.column_keys();
  Expansion all;
  all.seeds = spec.seeds;
  for (const SweepPart& part : spec.parts) {
    Expansion mine;
    try {
      mine = expand_one(part_spec(spec, part));
    } catch (const InputError& e) {
      throw InputError("part [" + part.name + "]: " + e.what());
    }
    if (all.size() + mine.size() > kMaxScenarios)
      throw InputError("the sweep expands to more than " + std::to_string(kMaxScenarios) +
                       " scenarios (check the ranges)");
    for (SweepPoint& p : mine.points) {
      // Every column key's value: as the axis gave it, else the scenario's setting.
      std::vector<Setting> settings = {{"part", part.name}};
      const std::vector<Setting> resolved = to_settings(p.scenario);
      for (const std::string& key : columns) {
        if (key == "part" || key.rfind(kHwParamPrefix, 0) == 0) continue;
        auto given = std::find_if(p.settings.begin(), p.settings.end(),
                                  [&](const Setting& x) { return x.first == key; });
        if (given != p.settings.end()) {
          settings.push_back(*given);
          continue;
        }
        auto it = std::find_if(resolved.begin(), resolved.end(),
                               [&](const Setting& x) { return x.first == key; });
        settings.emplace_back(key, it != resolved.end() ? it->second : std::string());
      }
      for (const Setting& x : p.settings)
        if (x.first.rfind(kHwParamPrefix, 0) == 0) settings.push_back(x);
      p.settings = std::move(settings);
      all.points.push_back(std::move(p));
    }
  }
  return all;
}

namespace {

// Refuses, before building any, points that would not fit in the memory this process may use
// (half of what is available, as an upper bound on a point's size: its scenario, settings and
// the sweep's per-scenario bookkeeping).
void check_fits_in_memory(int64_t points, const SweepSpec& spec) {
  // Strings longer than the small-string buffer live on the heap.
  const auto heap = [](const std::string& text) {
    return text.size() > 15 ? static_cast<double>(text.size() + 1) : 0.0;
  };
  double per_point = sizeof(SweepPoint) + sizeof(const void*);  // and its preset pointer
  for (const Setting& s : spec.base) per_point += heap(s.second);
  for (const SweepAxis& a : spec.axes) {
    double longest = 0;
    for (const std::string& v : a.values) longest = std::max(longest, heap(v));
    per_point += sizeof(Setting) + heap(a.key) + 2 * longest;  // in settings and scenario
  }
  per_point += static_cast<double>(spec.seeds) * sizeof(int64_t);  // the shard's list of ids
  check_memory_for(
      per_point * static_cast<double>(points),
      "the sweep expands to " + std::to_string(points * spec.seeds) + " scenarios, which need",
      "to hold", ": sweep fewer values (or split the study into several sweep files)");
}

Expansion expand_one(const SweepSpec& spec) {
  if (spec.seeds < 1 || spec.seeds > kMaxScenarios)
    throw InputError("--seeds must be an integer from 1 to " + std::to_string(kMaxScenarios) +
                     ", got " + std::to_string(spec.seeds));
  // Groups of axes that vary together: a zip sits where its first key was given.
  std::map<std::string, size_t> zip_of;
  for (size_t z = 0; z < spec.zips.size(); ++z)
    for (const std::string& key : spec.zips[z]) {
      if (!spec.axis(key))
        throw InputError("--zip: '" + key + "' is not a swept key (give its values first, e.g. --" +
                         "set " + key + "=A,B)");
      if (zip_of.count(key)) throw InputError("--zip: '" + key + "' is in two zips");
      zip_of[key] = z;
    }
  std::vector<std::vector<size_t>> groups;  // indices into spec.axes
  std::set<size_t> zips_placed;
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    const auto z = zip_of.find(spec.axes[a].key);
    if (z == zip_of.end()) {
      groups.push_back({a});
      continue;
    }
    if (!zips_placed.insert(z->second).second) continue;
    std::vector<size_t> group;
    for (const std::string& key : spec.zips[z->second])
      group.push_back(static_cast<size_t>(spec.axis(key) - spec.axes.data()));
    const size_t n = spec.axes[group[0]].values.size();
    for (size_t g : group)
      if (spec.axes[g].values.size() != n)
        throw InputError("--zip: '" + spec.axes[group[0]].key + "' has " + std::to_string(n) +
                         " values but '" + spec.axes[g].key + "' has " +
                         std::to_string(spec.axes[g].values.size()) +
                         " (zipped axes need the same number of values)");
    groups.push_back(group);
  }
  int64_t points = 1;
  for (const auto& group : groups) {
    const auto n = static_cast<int64_t>(spec.axes[group[0]].values.size());
    if (n == 0) throw InputError("'" + spec.axes[group[0]].key + "' has no values");
    if (points > kMaxScenarios / n / spec.seeds)
      throw InputError("the sweep expands to more than " + std::to_string(kMaxScenarios) +
                       " scenarios (check the ranges)");
    points *= n;
  }

  check_fits_in_memory(points, spec);
  Expansion expansion;
  expansion.seeds = spec.seeds;
  expansion.points.reserve(static_cast<size_t>(points));
  std::vector<size_t> index(groups.size(), 0);
  std::unique_ptr<ScenarioBuilder> builder;  // made in the loop: its errors name scenario 0
  for (int64_t point = 0; point < points; ++point) {
    // Mixed-radix digits of `point`, the last group fastest.
    int64_t rest = point;
    for (size_t g = groups.size(); g-- > 0;) {
      const auto n = static_cast<int64_t>(spec.axes[groups[g][0]].values.size());
      index[g] = static_cast<size_t>(rest % n);
      rest /= n;
    }
    std::vector<Setting> settings;
    for (size_t g = 0; g < groups.size(); ++g)
      for (size_t a : groups[g])
        settings.emplace_back(spec.axes[a].key, spec.axes[a].values[index[g]]);
    std::sort(settings.begin(), settings.end(), [&](const Setting& x, const Setting& y) {
      return spec.axis(x.first) < spec.axis(y.first);  // the order the axes were given
    });
    SweepPoint p;
    try {
      if (!builder) builder = std::make_unique<ScenarioBuilder>(spec.base);
      p.scenario = builder->build(settings);  // the base with the point's settings
    } catch (const InputError& e) {
      std::string where;
      for (const Setting& s : settings)
        where += (where.empty() ? "" : ", ") + s.first + "=" + s.second;
      // A value the option cannot read may be a range written another way ("16..256").
      const std::string what = e.what();
      const std::string hint = what.find("is invalid") != std::string::npos
                                   ? " (a sweep takes one value, a list a,b,c, a range "
                                     "lo:hi:step or log:lo:hi:n)"
                                   : "";
      throw InputError("scenario " + std::to_string(point * spec.seeds) +
                       (where.empty() ? "" : " (" + where + ")") + ": " + what + hint);
    }
    p.settings = std::move(settings);
    expansion.points.push_back(std::move(p));
  }
  return expansion;
}

}  // namespace

}  // namespace frugal::sim
