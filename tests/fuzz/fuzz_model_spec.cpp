// Fuzzes model specs (--model): the zoo's families and their arguments.
#include <string>

#include "tests/fuzz/fuzz_input.h"
#include "workloads/model_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;
  const std::string spec(reinterpret_cast<const char*>(data), size);
  if (spec.size() >= 5 && spec.compare(spec.size() - 5, 5, ".onnx") == 0) return 0;  // a file
  frugal::workloads::BuildOptions options;
  options.batch = 2;
  frugal::fuzz::expect_clean([&] { frugal::workloads::build_model(spec, options); });
  return 0;
}
