#include <catch2/catch.hpp>

#include "results/core/error.h"
#include "results/core/units.h"

using namespace frugal;
using units::Dimension;
using units::parse_quantity;

TEST_CASE("quantities parse into SI values with their dimension", "[quick][units]") {
  CHECK(parse_quantity("45 pJ").value == Approx(45e-12).epsilon(1e-15));
  CHECK(parse_quantity("45 pJ").dimension == Dimension::energy);
  CHECK(parse_quantity("2.3GHz").value == Approx(2.3e9));
  CHECK(parse_quantity("2.3GHz").dimension == Dimension::frequency);
  CHECK(parse_quantity("1.25 MiB").value == 1310720.0);
  CHECK(parse_quantity("48 KiB").value == 49152.0);
  CHECK(parse_quantity("204.8 GB/s").value == Approx(204.8e9));
  CHECK(parse_quantity("204.8 GB/s").dimension == Dimension::bandwidth);
  // 20.3 pJ per bit is 8 × 20.3 pJ per byte
  CHECK(parse_quantity("20.3 pJ/bit").value == Approx(162.4e-12));
  CHECK(parse_quantity("20.3 pJ/bit").dimension == Dimension::energy_per_byte);
  CHECK(parse_quantity("2 us").value == Approx(2e-6));
  CHECK(parse_quantity("2 \xC2\xB5s").value == Approx(2e-6));
  CHECK(parse_quantity("15.4 W").dimension == Dimension::power);
  CHECK(parse_quantity("80%").value == Approx(0.8));
  CHECK(parse_quantity("40").dimension == Dimension::dimensionless);
  CHECK(parse_quantity(" 0.5 V ").value == 0.5);
}

TEST_CASE("malformed quantities are rejected with the text in the message", "[quick][units]") {
  for (const char* bad : {"", "abc", "5 furlongs", "1 KiW", "3 J/s/B", "1e999 J", "1 W/B"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_quantity(bad), InputError);
  }
  CHECK_THROWS_WITH(parse_quantity("5 furlongs"),
                    Catch::Contains("'5 furlongs'") && Catch::Contains("unknown unit"));
}

TEST_CASE("values format with an engineering prefix", "[quick][units]") {
  CHECK(units::format_si(4.6e-12, Dimension::energy) == "4.6 pJ");
  CHECK(units::format_si(48.52e-6, Dimension::time) == "48.52 us");
  CHECK(units::format_si(2.3e9, Dimension::frequency) == "2.3 GHz");
  CHECK(units::format_si(0.0, Dimension::power) == "0 W");
  CHECK(units::format_si(1000.0, Dimension::bytes) == "1 kB");
}

TEST_CASE("Long times read in minutes, hours, days and years", "[quick][results]") {
  CHECK(frugal::units::format_duration(42) == "42 s");
  CHECK(frugal::units::format_duration(1716) == "28.6 min");
  CHECK(frugal::units::format_duration(3600) == "1 h");
  CHECK(frugal::units::format_duration(121.1 * 86400) == "121 d");
  CHECK(frugal::units::format_duration(31536000) == "1 y");
}
