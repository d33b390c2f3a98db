#pragma once
// Physical quantities at the edge of the program: "45 pJ", "2.3 GHz", "204.8 GB/s" are parsed here
// into SI values (J, Hz, B/s); everything inside frugal is SI. Units are UDUNITS-style symbols so
// that result files read well in xarray (never spelled-out time units, which xarray decodes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frugal::units {

enum class Dimension {
  dimensionless,    // "1"
  energy,           // J
  power,            // W
  time,             // s
  frequency,        // Hz
  bytes,            // B
  bandwidth,        // B/s
  energy_per_byte,  // J/B
  voltage,          // V
  conductance,      // S (siemens)
  mass,             // kg (read as g with a prefix: "150 kg", "500 g")
  operations,       // OP (arithmetic operations; FLOP is read as OP)
  op_rate,          // OP/s (throughput: "989.4 TFLOP/s")
};

// SI symbol of a dimension's base unit: "J", "W", "s", "Hz", "B", "B/s", "J/B", "V", "S",
// "OP", "OP/s", "1".
std::string_view symbol(Dimension dimension);

struct Quantity {
  double value = 0.0;  // in SI base units
  Dimension dimension = Dimension::dimensionless;
};

// Parses "<number> [unit]" where unit is an SI prefix (f p n u µ m k M G T, or Ki Mi Gi Ti for
// bytes) and a symbol (J W s Hz B bit V S, or a ratio such as B/s, bit/s, J/B, J/bit). "%" means
// 1/100. A bare number is dimensionless. Throws InputError naming the text on anything else.
Quantity parse_quantity(std::string_view text);

// Formats with an engineering prefix: format_si(4.6e-12, Dimension::energy) == "4.6 pJ"; masses
// as t, kg, or grams with a prefix ("2.04 mg").
std::string format_si(double value, Dimension dimension, int significant_digits = 4);

// The dimension whose base-unit symbol is `unit` ("J", "kg", "1"; a result column's units), or
// nothing for another ("g/kWh", "").
std::optional<Dimension> dimension_of(std::string_view unit);

// Seconds as a reader thinks of long times: "1 s", "28.6 min", "4.8 h", "121 d", "1 y".
std::string format_duration(double seconds);

// The current time in UTC, ISO 8601: "2026-12-05T10:21:36Z".
std::string utc_now();

// Thousands separated by commas: group_digits(1234567) == "1,234,567".
std::string group_digits(int64_t value);

}  // namespace frugal::units
