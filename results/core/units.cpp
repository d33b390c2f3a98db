#include "results/core/units.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <utility>

#include "results/core/error.h"

namespace frugal::units {
namespace {

struct Prefix {
  std::string_view text;
  double factor;
  bool binary;  // only valid on bytes and bits
};

constexpr std::array<Prefix, 15> kPrefixes{{
    {"", 1.0, false},
    {"f", 1e-15, false},
    {"p", 1e-12, false},
    {"n", 1e-9, false},
    {"u", 1e-6, false},
    {"\xC2\xB5", 1e-6, false},  // µ (UTF-8)
    {"m", 1e-3, false},
    {"k", 1e3, false},
    {"M", 1e6, false},
    {"G", 1e9, false},
    {"T", 1e12, false},
    {"Ki", 1024.0, true},
    {"Mi", 1048576.0, true},
    {"Gi", 1073741824.0, true},
}};

struct BaseUnit {
  std::string_view text;
  Dimension dimension;
  double factor;  // to the SI base of its dimension
};

constexpr std::array<BaseUnit, 11> kBaseUnits{{
    {"FLOP", Dimension::operations, 1.0},
    {"OP", Dimension::operations, 1.0},
    {"Hz", Dimension::frequency, 1.0},
    {"bit", Dimension::bytes, 0.125},
    {"J", Dimension::energy, 1.0},
    {"W", Dimension::power, 1.0},
    {"s", Dimension::time, 1.0},
    {"B", Dimension::bytes, 1.0},
    {"V", Dimension::voltage, 1.0},
    {"S", Dimension::conductance, 1.0},
    {"g", Dimension::mass, 1e-3},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "<prefix><base>", e.g. "pJ", "GiB", "ms". Returns the SI factor and dimension.
std::optional<std::pair<double, Dimension>> parse_prefixed(std::string_view unit) {
  for (const BaseUnit& base : kBaseUnits) {
    if (unit.size() < base.text.size() || unit.substr(unit.size() - base.text.size()) != base.text)
      continue;
    std::string_view prefix = unit.substr(0, unit.size() - base.text.size());
    for (const Prefix& p : kPrefixes) {
      if (p.text != prefix) continue;
      if (p.binary && base.dimension != Dimension::bytes) return std::nullopt;
      return std::make_pair(p.factor * base.factor, base.dimension);
    }
  }
  return std::nullopt;
}

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw InputError(
      "cannot read quantity '" + std::string(text) + "': " + std::string(why) +
      " (expected a number and a unit such as 45 pJ, 2.3 GHz, 204.8 GB/s, 1.25 MiB, 989 TFLOP/s)");
}

}  // namespace

std::string_view symbol(Dimension dimension) {
  switch (dimension) {
    case Dimension::dimensionless:
      return "1";
    case Dimension::energy:
      return "J";
    case Dimension::power:
      return "W";
    case Dimension::time:
      return "s";
    case Dimension::frequency:
      return "Hz";
    case Dimension::bytes:
      return "B";
    case Dimension::bandwidth:
      return "B/s";
    case Dimension::energy_per_byte:
      return "J/B";
    case Dimension::voltage:
      return "V";
    case Dimension::conductance:
      return "S";
    case Dimension::mass:
      return "kg";
    case Dimension::operations:
      return "OP";
    case Dimension::op_rate:
      return "OP/s";
  }
  return "?";
}

Quantity parse_quantity(std::string_view text) {
  const std::string_view trimmed = trim(text);
  if (trimmed.empty()) fail(text, "it is empty");
  const std::string buffer(trimmed);
  errno = 0;
  char* end = nullptr;
  const double number = std::strtod(buffer.c_str(), &end);
  if (end == buffer.c_str()) fail(text, "it does not start with a number");
  if (errno == ERANGE || !std::isfinite(number)) fail(text, "the number is out of range");
  const std::string_view unit = trim(std::string_view(buffer).substr(end - buffer.c_str()));

  if (unit.empty() || unit == "1") return {number, Dimension::dimensionless};
  if (unit == "%") return {number / 100.0, Dimension::dimensionless};

  const auto slash = unit.find('/');
  if (slash == std::string_view::npos) {
    const auto parsed = parse_prefixed(unit);
    if (!parsed) fail(text, "unknown unit '" + std::string(unit) + "'");
    return {number * parsed->first, parsed->second};
  }
  const auto numerator = parse_prefixed(unit.substr(0, slash));
  const auto denominator = parse_prefixed(unit.substr(slash + 1));
  if (!numerator || !denominator) fail(text, "unknown unit '" + std::string(unit) + "'");
  const double factor = numerator->first / denominator->first;
  if (numerator->second == Dimension::bytes && denominator->second == Dimension::time)
    return {number * factor, Dimension::bandwidth};
  if (numerator->second == Dimension::energy && denominator->second == Dimension::bytes)
    return {number * factor, Dimension::energy_per_byte};
  if (numerator->second == Dimension::operations && denominator->second == Dimension::time)
    return {number * factor, Dimension::op_rate};
  fail(text, "unsupported ratio '" + std::string(unit) + "'");
}

namespace {

// `value` with the engineering prefix its magnitude takes, then `unit`: "4.6 pJ", "2.04 mg".
std::string with_prefix(double value, const std::string& unit, int significant_digits) {
  struct Scale {
    double factor;
    const char* prefix;
  };
  static constexpr std::array<Scale, 11> kScales{{{1e12, "T"},
                                                  {1e9, "G"},
                                                  {1e6, "M"},
                                                  {1e3, "k"},
                                                  {1.0, ""},
                                                  {1e-3, "m"},
                                                  {1e-6, "u"},
                                                  {1e-9, "n"},
                                                  {1e-12, "p"},
                                                  {1e-15, "f"},
                                                  {1e-18, "a"}}};
  const double magnitude = std::fabs(value);
  const Scale* chosen = &kScales.back();
  for (const Scale& s : kScales) {
    if (magnitude >= s.factor * 0.99995) {
      chosen = &s;
      break;
    }
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g %s%s", significant_digits, value / chosen->factor,
                chosen->prefix, unit.c_str());
  return buffer;
}

}  // namespace

std::string format_si(double value, Dimension dimension, int significant_digits) {
  char buffer[64];
  if (dimension == Dimension::mass && std::isfinite(value) && value != 0.0) {
    // Masses as a reader says them: tonnes, kilograms, or grams with a prefix ("2.04 mg"), never
    // a prefixed kilogram.
    const double magnitude = std::fabs(value);
    if (magnitude < 0.99995) return with_prefix(value * 1000, "g", significant_digits);
    if (magnitude >= 1000 * 0.99995)
      std::snprintf(buffer, sizeof buffer, "%.*g t", significant_digits, value / 1000);
    else
      std::snprintf(buffer, sizeof buffer, "%.*g kg", significant_digits, value);
    return buffer;
  }
  const std::string unit(symbol(dimension));
  if (dimension == Dimension::dimensionless || value == 0.0 || !std::isfinite(value)) {
    std::snprintf(buffer, sizeof buffer, "%.*g", significant_digits, value);
    return dimension == Dimension::dimensionless ? buffer : std::string(buffer) + " " + unit;
  }
  return with_prefix(value, unit, significant_digits);
}

std::optional<Dimension> dimension_of(std::string_view unit) {
  for (int d = static_cast<int>(Dimension::dimensionless);
       d <= static_cast<int>(Dimension::op_rate); ++d)
    if (symbol(static_cast<Dimension>(d)) == unit) return static_cast<Dimension>(d);
  return std::nullopt;
}

std::string format_duration(double seconds) {
  struct Unit {
    const char* name;
    double seconds;
  };
  static const Unit units[] = {{"y", 31536000.0}, {"d", 86400.0}, {"h", 3600.0}, {"min", 60.0}};
  char text[32];
  for (const Unit& u : units)
    if (seconds >= u.seconds) {
      std::snprintf(text, sizeof text, "%.3g %s", seconds / u.seconds, u.name);
      return text;
    }
  std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

std::string group_digits(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<size_t>(i), ",");
  return value < 0 ? "-" + digits : digits;
}

std::string utc_now() {
  char text[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace frugal::units
