// Fuzzes hardware preset files (--hw FILE.ini): device, parameters with units and sources.
#include <string>

#include "hw_models/preset.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  frugal::fuzz::expect_clean([&] {
    const frugal::hw::Preset preset = frugal::hw::Preset::parse(text, "fuzz.ini");
    // What parses must print and parse back to the same text (the origin is in a comment).
    const std::string again = frugal::hw::Preset::parse(preset.to_text(), "fuzz.ini").to_text();
    if (again != preset.to_text()) std::abort();
  });
  return 0;
}
