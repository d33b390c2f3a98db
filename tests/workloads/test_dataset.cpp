#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "results/core/error.h"
#include "workloads/dataset.h"

using namespace frugal;
using namespace frugal::workloads;

namespace {

std::string temp(const std::string& name) {
  return "/tmp/frugal-test-" + std::to_string(::getpid()) + "-" + name;
}

std::vector<uint8_t> be32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

// An IDX pair of n images (rows×cols, pixel value = item index) and labels (item % 10).
void write_idx(const std::string& images, const std::string& labels, uint32_t n, uint32_t rows,
               uint32_t cols, bool gzip, uint32_t label_count, uint32_t magic = 0x803) {
  std::vector<uint8_t> a, b;
  for (uint32_t v : {magic, n, rows, cols})
    for (uint8_t x : be32(v)) a.push_back(x);
  for (uint32_t i = 0; i < n; ++i) a.insert(a.end(), rows * cols, static_cast<uint8_t>(i));
  for (uint32_t v : {0x801u, label_count})
    for (uint8_t x : be32(v)) b.push_back(x);
  for (uint32_t i = 0; i < label_count; ++i) b.push_back(static_cast<uint8_t>(i % 10));
  for (const auto& [path, bytes] : {std::make_pair(images, a), std::make_pair(labels, b)}) {
    if (gzip) {
      gzFile f = gzopen(path.c_str(), "wb");
      gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(f);
    } else {
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    }
  }
}

std::string message(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("IDX files are read raw or gzipped, scaled to [0, 1], limited on request",
          "[quick][data]") {
  const std::string img = temp("img"), lab = temp("lab");
  for (bool gzip : {false, true}) {
    INFO("gzip " << gzip);
    write_idx(img, lab, 12, 3, 2, gzip, 12);
    const Dataset d = read_idx(img, lab, 0, 10);
    CHECK(d.size() == 12);
    CHECK(d.rows == 3);
    CHECK(d.cols == 2);
    CHECK(d.images.size() == 12 * 6);
    CHECK(d.images[6 * 5] == Approx(5.0 / 255.0));
    CHECK(d.labels[11] == 1);
    CHECK(read_idx(img, lab, 4, 10).size() == 4);
  }
  std::remove(img.c_str());
  std::remove(lab.c_str());
}

TEST_CASE("Bad IDX files: wrong magic, truncated, corrupt, mismatched counts, bad labels",
          "[quick][data]") {
  const std::string img = temp("bimg"), lab = temp("blab");
  write_idx(img, lab, 12, 3, 2, false, 12, 0x801);
  CHECK_THAT(message([&] { read_idx(img, lab, 0, 10); }), Catch::Contains("not an IDX image file"));
  write_idx(img, lab, 12, 3, 2, false, 11);
  CHECK_THAT(message([&] { read_idx(img, lab, 0, 10); }),
             Catch::Contains("12 images but") && Catch::Contains("11 labels"));
  write_idx(img, lab, 12, 3, 2, true, 12);
  CHECK_THAT(message([&] { read_idx(img, lab, 0, 3); }), Catch::Contains("label 3"));
  // Truncated: a raw file cut short, and a gzip stream cut in the middle.
  write_idx(img, lab, 12, 3, 2, false, 12);
  ::truncate(img.c_str(), 16 + 30);
  CHECK_THAT(message([&] { read_idx(img, lab, 0, 10); }), Catch::Contains("truncated"));
  write_idx(img, lab, 200, 28, 28, true, 200);
  std::ifstream in(img, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  std::ofstream(img, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  const std::string cut = message([&] { read_idx(img, lab, 0, 10); });
  CHECK((cut.find("truncated") != std::string::npos || cut.find("corrupt") != std::string::npos));
  CHECK_THAT(message([&] { read_idx(temp("none"), lab, 0, 10); }), Catch::Contains("no such file"));
  std::remove(img.c_str());
  std::remove(lab.c_str());
  CHECK_THAT(message([&] { load_dataset("fashion-mnist", temp("nodir"), 0, 0, 0); }),
             Catch::Contains("does not exist"));
  CHECK_THAT(message([&] { load_dataset("cifar", "", 0, 0, 0); }),
             Catch::Contains("unknown data set"));
}

TEST_CASE("The synthetic set is deterministic for a seed", "[quick][data]") {
  const DataSplit a = load_dataset("synthetic", "", 100, 20, 7);
  const DataSplit b = load_dataset("synthetic", "", 100, 20, 7);
  const DataSplit c = load_dataset("synthetic", "", 100, 20, 8);
  CHECK(a.train.size() == 100);
  CHECK(a.test.size() == 20);
  CHECK(a.train.images == b.train.images);
  CHECK(a.train.labels == b.train.labels);
  CHECK(a.train.images != c.train.images);
}

TEST_CASE("Debian's Fashion-MNIST: 60,000 + 10,000 images of 28x28, 10 classes", "[quick][data]") {
  // scripts/setup.sh installs dataset-fashion-mnist.
  const DataSplit d = load_dataset("fashion-mnist", "", 0, 0, 0);
  CHECK(d.train.size() == 60000);
  CHECK(d.test.size() == 10000);
  CHECK(d.train.rows == 28);
  CHECK(d.train.cols == 28);
  // The first training image is an ankle boot (9), the first test image too (the data set's card).
  CHECK(d.train.labels[0] == 9);
  CHECK(d.test.labels[0] == 9);
  std::vector<int> counts(10, 0);
  for (uint8_t l : d.train.labels) ++counts[l];
  for (int c : counts) CHECK(c == 6000);  // balanced classes
}
