// Fuzzes ONNX files (--model FILE.onnx): protobuf decoding, the graph, shapes and ops.
#include <string>

#include "tests/fuzz/fuzz_input.h"
#include "workloads/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 20) return 0;
  const std::string path = frugal::fuzz::write_temp("model.onnx", data, size);
  frugal::workloads::BuildOptions options;
  options.batch = 2;
  options.skip_unsupported = (size % 2) == 1;
  frugal::fuzz::expect_clean([&] { frugal::workloads::import_onnx(path, options); });
  return 0;
}
