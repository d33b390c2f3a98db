#include <catch2/catch.hpp>
#include <string>

#include "hw_models/device.h"
#include "hw_models/preset.h"
#include "results/core/error.h"
#include "results/core/units.h"

using namespace frugal;
using namespace frugal::hw;

namespace {

// A valid CPU preset with `replace` substituted for the line starting with `key =` (if given).
std::string cpu_preset_text(const std::string& key = "", const std::string& replacement = "") {
  std::string text = "[preset]\nname = cpu:test\ndevice = cpu\ndescription = test part\n[params]\n";
  const Preset base = find_preset("cpu:xeon-8380");
  for (const PresetParam& p : base.params()) {
    if (p.spec.name == key) {
      if (!replacement.empty()) text += replacement + "\n";
      continue;
    }
    text += p.spec.name + " = " + p.text + " | " + p.source + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("built-in presets give every declared parameter with a unit and a source",
          "[quick][hw][presets]") {
  REQUIRE_FALSE(builtin_presets().empty());
  for (const Preset& preset : builtin_presets()) {
    INFO(preset.name());
    const DeviceKind& kind = find_device_kind(preset.device());
    CHECK(preset.params().size() == kind.params.size());
    for (const PresetParam& p : preset.params()) {
      INFO(p.spec.name << " = " << p.text);
      CHECK(p.source.size() > 10);  // a real source, not a placeholder
      // The text as written carries the unit of the declared dimension and reads back exactly.
      const units::Quantity q = units::parse_quantity(p.text);
      CHECK(q.dimension == p.spec.dimension);
      CHECK(q.value == p.value);
    }
  }
}

TEST_CASE("hardware names resolve to presets, device kinds and files", "[quick][hw][presets]") {
  CHECK(find_preset("cpu").name() == "cpu:xeon-8380");
  CHECK(find_preset("cpu:xeon-8380").get("core_count") == 40);
  CHECK(find_preset("cpu:xeon-8380").get("clock") == Approx(2.3e9));
  CHECK(find_preset("cpu:xeon-8380").get("dram_energy_per_byte") == Approx(8 * 9.9e-12));
  CHECK_THROWS_WITH(
      find_preset("gpu:h9000"),
      Catch::Contains("unknown hardware preset 'gpu:h9000'") && Catch::Contains("cpu:xeon-8380"));
  CHECK_THROWS_WITH(find_preset("/nonexistent/preset.ini"), Catch::Contains("cannot read"));
}

TEST_CASE("a preset is valid text with every parameter given", "[quick][hw][presets]") {
  const Preset p = Preset::parse(cpu_preset_text(), "test.ini");
  CHECK(p.name() == "cpu:test");
  CHECK(p.origin() == "test.ini");
  CHECK_FALSE(p.is_default());
}

TEST_CASE("bad presets fail naming the file, line and key", "[quick][hw][presets]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text("clock", "clock = 2.3 | Intel ARK"), "t.ini"),
                    Contains("t.ini:") && Contains("'clock'") && Contains("has no unit"));
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text("clock", "clock = 2.3 GB | Intel ARK"), "t.ini"),
                    Contains("'clock'") && Contains("unit of B") && Contains("Hz"));
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text("clock", "clock = 2.3 GHz"), "t.ini"),
                    Contains("'clock'") && Contains("no source"));
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text("clock", "clock = 2.3 GHz |  "), "t.ini"),
                    Contains("no source"));
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text("clock", "clock = 2.3 THz | typo"), "t.ini"),
                    Contains("out of range"));
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text("core_count", "core_count = 40.5 | x"), "t.ini"),
                    Contains("whole number"));
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text("clock"), "t.ini"),
                    Contains("missing parameter 'clock'"));
  CHECK_THROWS_WITH(Preset::parse(cpu_preset_text() + "warp_drive = 1 | fiction\n", "t.ini"),
                    Contains("unknown parameter 'warp_drive'") && Contains("t.ini:"));
  CHECK_THROWS_WITH(Preset::parse("[preset]\nname = x\ndevice = quantum\n", "t.ini"),
                    Contains("unknown device kind 'quantum'"));
  CHECK_THROWS_WITH(Preset::parse("[extras]\n", "t.ini"),
                    Contains("t.ini:1") && Contains("[extras]"));
}

TEST_CASE("a preset written as text reads back to the same values", "[quick][hw][presets]") {
  Preset p = find_preset("cpu");
  p.set("clock", "2 GHz", "assumption: underclocked");
  const Preset back = Preset::parse(p.to_text(), "copy.ini");
  REQUIRE(back.params().size() == p.params().size());
  for (size_t i = 0; i < p.params().size(); ++i) {
    CHECK(back.params()[i].value == p.params()[i].value);
    CHECK(back.params()[i].source == p.params()[i].source);
  }
  CHECK(back.get("clock") == 2e9);
  CHECK(back.params()[1].assumed());
}

TEST_CASE("preset parameters can be overridden with the same checks", "[quick][hw][presets]") {
  Preset p = find_preset("cpu");
  p.set("llc_capacity", "1 MiB");
  CHECK(p.get("llc_capacity") == 1048576.0);
  CHECK_THROWS_WITH(p.set("llc_capacity", "1 GHz"), Catch::Contains("unit of Hz"));
  CHECK_THROWS_WITH(p.set("llc_size", "1 MiB"), Catch::Contains("no parameter 'llc_size'"));
}
