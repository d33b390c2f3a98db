// Fuzzes IDX files (Fashion-MNIST's format): the first byte splits the input into an image file
// and a label file.
#include <string>

#include "tests/fuzz/fuzz_input.h"
#include "workloads/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 1 << 16) return 0;
  const size_t split = 1 + (size - 1) * data[0] / 255;
  const std::string images = frugal::fuzz::write_temp("images.idx", data + 1, split - 1);
  const std::string labels = frugal::fuzz::write_temp("labels.idx", data + split, size - split);
  frugal::fuzz::expect_clean([&] { frugal::workloads::read_idx(images, labels, 100, 10); });
  return 0;
}
