// Fuzzes INI scenario and sweep files: the sweep-file reader (key = value lines, comments,
// [sections], seeds, out, zips), then each line as a sweep axis (its key checked, its values
// parsed) and the whole as a scenario.
#include <string>
#include <vector>

#include "sim/scenario/config_file.h"
#include "sim/scenario/options.h"
#include "sim/sweep/sweep_file.h"
#include "sim/sweep/sweep_spec.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string path = frugal::fuzz::write_temp("sweep.ini", data, size);
  frugal::fuzz::expect_clean([&] {
    using namespace frugal::sim;
    SweepSpec file_spec;
    file_spec.base = to_settings(Scenario{});
    read_sweep_files({path}, file_spec);
    file_spec.normalize();
    file_spec.canonical();
    const std::vector<KeyValueLine> lines = read_key_values(path, "sweep file", true);
    SweepSpec spec;
    spec.base = to_settings(Scenario{});
    std::vector<Setting> settings = spec.base;
    for (const KeyValueLine& kv : lines) {
      if (kv.key == "zip") {
        spec.add_zip(kv.value, "fuzz");
        continue;
      }
      spec.add_axis(kv.key, kv.value, "fuzz");
      for (Setting& s : settings)
        if (s.first == kv.key) s.second = kv.value;
    }
    spec.normalize();
    spec.canonical();
    check_scenario(scenario_from_settings(settings));
  });
  return 0;
}
