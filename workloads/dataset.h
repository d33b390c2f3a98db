#pragma once
// Data sets for the functional face (training for real): Fashion-MNIST from IDX files (Debian's
// dataset-fashion-mnist, gzip or raw), and a small synthetic set for fast tests.

#include <cstdint>
#include <string>
#include <vector>

namespace frugal::workloads {

struct Dataset {
  int64_t rows = 0, cols = 0;  // image size; one value per pixel
  int64_t classes = 0;
  std::vector<float> images;    // size() × rows·cols, scaled to [0, 1]
  std::vector<uint8_t> labels;  // size(), each < classes
  int64_t features() const { return rows * cols; }
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

struct DataSplit {
  std::string name;
  Dataset train, test;
};

// Reads an IDX image file (magic 0x00000803: count, rows, cols, then bytes) and its IDX label
// file (magic 0x00000801: count, then bytes), gzip-compressed or raw; keeps the first `limit`
// items (0: all). Throws InputError naming the file: missing, not IDX (magic), truncated or
// corrupt, sizes out of range, image and label counts that differ, labels >= `classes`.
Dataset read_idx(const std::string& images_path, const std::string& labels_path, int64_t limit,
                 int64_t classes);

// Where --dataset fashion-mnist looks: $FRUGAL_DATA_DIR if set, else Debian's
// /usr/share/datasets/fashion-mnist.
std::string default_fashion_mnist_dir();

// "fashion-mnist" (from `dir`, or the default) or "synthetic" (10 classes of 28×28 images, drawn
// from `seed`: deterministic). Subsets of 0 keep everything (synthetic: 6000 train, 1000 test).
// Throws InputError for an unknown name or unreadable files.
DataSplit load_dataset(const std::string& name, const std::string& dir, int64_t train_subset,
                       int64_t test_subset, uint64_t seed);

const std::vector<std::string>& dataset_names();

// Checks, without reading it, that data set `name` is known and its directory exists (the checks
// a sweep makes before running any scenario). Throws InputError as load_dataset would.
void check_dataset(const std::string& name, const std::string& dir);

}  // namespace frugal::workloads
