#include "workloads/dataset.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>

#include "results/core/error.h"

namespace frugal::workloads {
namespace {

constexpr uint32_t kImageMagic = 0x00000803;
constexpr uint32_t kLabelMagic = 0x00000801;
constexpr int64_t kMaxItems = 100'000'000;
constexpr int64_t kMaxSide = 4096;

// Reads a gzip or raw file (zlib reads both) fully, checking for corruption.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : m_path(path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      throw InputError("cannot read data file '" + path + "': no such file");
    if (S_ISDIR(st.st_mode)) throw InputError("data file '" + path + "' is a directory");
    m_file = gzopen(path.c_str(), "rb");
    if (!m_file) throw InputError("cannot open data file '" + path + "'");
  }
  ~GzFile() {
    if (m_file) gzclose(m_file);
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads exactly n bytes; `what` names them in the error for a short or corrupt file.
  void read(void* data, size_t n, const std::string& what) {
    auto* p = static_cast<char*>(data);
    size_t done = 0;
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
      const int got = gzread(m_file, p + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(m_file, &code);
        throw InputError("data file '" + m_path + "' is corrupt (" + message + ")");
      }
      if (got == 0)
        throw InputError("data file '" + m_path + "' is truncated: expected " + std::to_string(n) +
                         " bytes of " + what + ", got " + std::to_string(done));
      done += static_cast<size_t>(got);
    }
  }

  uint32_t big_endian_u32(const std::string& what) {
    unsigned char b[4];
    read(b, 4, what);
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  }

 private:
  std::string m_path;
  gzFile m_file = nullptr;
};

int64_t checked_count(uint32_t value, int64_t max, const std::string& path, const char* what) {
  if (value == 0 || value > max)
    throw InputError("data file '" + path + "': " + what + " " + std::to_string(value) +
                     " is out of range (1 to " + std::to_string(max) + ")");
  return value;
}

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

// Ten classes of 28×28 images: each class a fixed random prototype in [0, 1], each image its
// class's prototype plus uniform noise, clipped. Learnable but not trivially (noise ±0.5).
Dataset synthetic(int64_t n, std::mt19937_64& rng, const std::vector<std::vector<float>>& protos) {
  Dataset d;
  d.rows = d.cols = 28;
  d.classes = 10;
  std::uniform_real_distribution<float> noise(-0.5f, 0.5f);
  std::uniform_int_distribution<int> label(0, 9);
  d.images.reserve(static_cast<size_t>(n * d.features()));
  for (int64_t i = 0; i < n; ++i) {
    const int c = label(rng);
    d.labels.push_back(static_cast<uint8_t>(c));
    for (float p : protos[static_cast<size_t>(c)])
      d.images.push_back(std::min(1.0f, std::max(0.0f, p + noise(rng))));
  }
  return d;
}

}  // namespace

Dataset read_idx(const std::string& images_path, const std::string& labels_path, int64_t limit,
                 int64_t classes) {
  Dataset d;
  d.classes = classes;
  GzFile images(images_path);
  const uint32_t magic = images.big_endian_u32("header");
  if (magic != kImageMagic)
    throw InputError("data file '" + images_path + "' is not an IDX image file (magic " +
                     std::to_string(magic) + ", expected " + std::to_string(kImageMagic) + ")");
  const int64_t count =
      checked_count(images.big_endian_u32("header"), kMaxItems, images_path, "image count");
  d.rows = checked_count(images.big_endian_u32("header"), kMaxSide, images_path, "row count");
  d.cols = checked_count(images.big_endian_u32("header"), kMaxSide, images_path, "column count");

  GzFile labels(labels_path);
  const uint32_t label_magic = labels.big_endian_u32("header");
  if (label_magic != kLabelMagic)
    throw InputError("data file '" + labels_path + "' is not an IDX label file (magic " +
                     std::to_string(label_magic) + ", expected " + std::to_string(kLabelMagic) +
                     ")");
  const int64_t label_count =
      checked_count(labels.big_endian_u32("header"), kMaxItems, labels_path, "label count");
  if (label_count != count)
    throw InputError("data files disagree: '" + images_path + "' has " + std::to_string(count) +
                     " images but '" + labels_path + "' has " + std::to_string(label_count) +
                     " labels");
  const int64_t n = limit > 0 ? std::min(limit, count) : count;
  std::vector<uint8_t> pixels(static_cast<size_t>(n * d.features()));
  images.read(pixels.data(), pixels.size(), "pixels");
  d.labels.resize(static_cast<size_t>(n));
  labels.read(d.labels.data(), d.labels.size(), "labels");
  for (size_t i = 0; i < d.labels.size(); ++i)
    if (d.labels[i] >= classes)
      throw InputError("data file '" + labels_path + "': label " + std::to_string(d.labels[i]) +
                       " of item " + std::to_string(i) + " is not below " +
                       std::to_string(classes));
  d.images.resize(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) d.images[i] = static_cast<float>(pixels[i]) / 255.0f;
  return d;
}

std::string default_fashion_mnist_dir() {
  return env_or("FRUGAL_DATA_DIR", "/usr/share/datasets/fashion-mnist");
}

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = {"fashion-mnist", "synthetic"};
  return names;
}

void check_dataset(const std::string& name, const std::string& dir) {
  if (name == "synthetic") return;
  if (name != "fashion-mnist")
    throw InputError("unknown data set '" + name + "' (known: fashion-mnist, synthetic)");
  const std::string d = dir.empty() ? default_fashion_mnist_dir() : dir;
  struct stat st {};
  if (::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw InputError("data set directory '" + d +
                     "' does not exist (install Debian's dataset-fashion-mnist, or give "
                     "--data-dir)");
}

DataSplit load_dataset(const std::string& name, const std::string& dir, int64_t train_subset,
                       int64_t test_subset, uint64_t seed) {
  if (train_subset < 0 || test_subset < 0)
    throw InputError("--train-subset and --test-subset must be >= 0 (0: all)");
  DataSplit split;
  split.name = name;
  check_dataset(name, dir);
  if (name == "fashion-mnist") {
    const std::string d = dir.empty() ? default_fashion_mnist_dir() : dir;
    split.train = read_idx(d + "/train-images-idx3-ubyte.gz", d + "/train-labels-idx1-ubyte.gz",
                           train_subset, 10);
    split.test = read_idx(d + "/t10k-images-idx3-ubyte.gz", d + "/t10k-labels-idx1-ubyte.gz",
                          test_subset, 10);
    return split;
  }
  if (name == "synthetic") {
    std::mt19937_64 rng(seed ^ 0x5EEDull);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<std::vector<float>> protos(10, std::vector<float>(28 * 28));
    for (auto& p : protos)
      for (float& v : p) v = u(rng) < 0.3f ? u(rng) : 0.0f;  // sparse, like clothing on black
    split.train = synthetic(train_subset ? train_subset : 6000, rng, protos);
    split.test = synthetic(test_subset ? test_subset : 1000, rng, protos);
    return split;
  }
  return split;  // unreachable: check_dataset refused other names
}

}  // namespace frugal::workloads
