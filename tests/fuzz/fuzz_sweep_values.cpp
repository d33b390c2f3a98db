// Fuzzes the sweep value syntax (lists, quotes, ranges, log ranges, units).
#include <string>

#include "sim/sweep/sweep_spec.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  frugal::fuzz::expect_clean([&] { frugal::sim::parse_values(text, "batch"); });
  return 0;
}
