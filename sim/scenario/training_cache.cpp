#include "sim/scenario/training_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "results/core/error.h"
#include "results/core/text_file.h"
#include "sim/scenario/model_file.h"

namespace frugal::sim {
namespace {

std::string g_folder;

// FNV-1a (64-bit): the file name of a key (the file holds the whole key, so a collision is
// noticed).
std::string file_name(const std::string& key) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char name[32];
  std::snprintf(name, sizeof name, "%016" PRIx64, h);
  return name;
}

std::string hex(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%a", v);
  return text;
}

double number(std::istream& in) {
  std::string word;
  in >> word;
  if (!in) throw std::runtime_error("a shared training's file is cut short");
  return std::strtod(word.c_str(), nullptr);  // reads %a exactly, and nan, inf
}

int64_t integer(std::istream& in) { return static_cast<int64_t>(number(in)); }

// Test hook: FRUGAL_TEST_TRAINING_LOG=FILE appends a line for each training computed (not read).
void log_training(const std::string& line) {
  if (const char* log = std::getenv("FRUGAL_TEST_TRAINING_LOG"))
    if (FILE* f = std::fopen(log, "a")) {
      std::fprintf(f, "%s\n", line.c_str());
      std::fclose(f);
    }
}

}  // namespace

// An exclusive lock on `path` for the life of the object (released by the kernel if the process
// dies), so that one process computes a training while the others wait for it.
TrainingLock::TrainingLock(const std::string& path)
    : m_fd(::open(path.c_str(), O_RDWR | O_CREAT, 0600)) {
  if (m_fd < 0) return;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  while (::fcntl(m_fd, F_SETLKW, &lock) != 0)
    if (errno != EINTR) {
      ::close(m_fd);
      m_fd = -1;
      return;
    }
}

TrainingLock::~TrainingLock() {
  if (m_fd >= 0) ::close(m_fd);
}

void set_training_cache(const std::string& folder) { g_folder = folder; }

std::string encode_training(const algorithms::TrainResult& r) {
  std::ostringstream o;
  o << "frugal-training 2\n"
    << r.train_samples << " " << r.scheduled_epochs << " " << r.macs_per_sample << " "
    << hex(r.crossbar.pulses) << " " << hex(r.crossbar.row_slots) << " "
    << hex(r.crossbar.array_slots) << " " << hex(r.crossbar.rereads) << " " << hex(r.fp32_accuracy)
    << " " << hex(r.deployed_accuracy) << " " << hex(r.pruned_accuracy) << "\n"
    << r.epochs.size() << "\n";
  for (const algorithms::EpochStats& e : r.epochs)
    o << e.epoch << " " << hex(e.train_loss) << " " << hex(e.train_accuracy) << " "
      << hex(e.test_accuracy) << " " << hex(e.validation_accuracy) << "\n";
  o << r.drift.size() << "\n";
  for (const algorithms::DriftPoint& d : r.drift)
    o << hex(d.time_s) << " " << hex(d.accuracy) << "\n";
  return o.str();
}

algorithms::TrainResult decode_training(const std::string& text) {
  std::istringstream in(text);
  std::string magic;
  int version = 0;
  in >> magic >> version;
  if (magic != "frugal-training" || version != 2)
    throw std::runtime_error("not a shared training's file");
  algorithms::TrainResult r;
  r.train_samples = integer(in);
  r.scheduled_epochs = integer(in);
  r.macs_per_sample = integer(in);
  r.crossbar.pulses = number(in);
  r.crossbar.row_slots = number(in);
  r.crossbar.array_slots = number(in);
  r.crossbar.rereads = number(in);
  r.fp32_accuracy = number(in);
  r.deployed_accuracy = number(in);
  r.pruned_accuracy = number(in);
  for (int64_t n = integer(in); n > 0; --n) {
    algorithms::EpochStats e;
    e.epoch = integer(in);
    e.train_loss = number(in);
    e.train_accuracy = number(in);
    e.test_accuracy = number(in);
    e.validation_accuracy = number(in);
    r.epochs.push_back(e);
  }
  for (int64_t n = integer(in); n > 0; --n) {
    algorithms::DriftPoint d;
    d.time_s = number(in);
    d.accuracy = number(in);
    r.drift.push_back(d);
  }
  return r;
}

namespace {

algorithms::TrainResult computed(const std::string& key,
                                 const std::function<algorithms::TrainResult()>& compute) {
  algorithms::TrainResult result = compute();
  log_training(file_name(key));
  return result;
}

// A training's record in the folder: the key's length, a newline, the key, then the result as
// encode_training writes it. read_record gives the result only under the same key (another key
// with the same file name, or an unreadable file: nothing, so it is computed again); write_record
// writes it whole or not at all (a full disk: that training is not shared, and that is all).
std::optional<algorithms::TrainResult> read_record(const std::string& path,
                                                   const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  const size_t end = all.find('\n');
  if (end == std::string::npos || all.substr(0, end) != std::to_string(key.size()) ||
      all.compare(end + 1, key.size(), key) != 0)
    return std::nullopt;
  try {
    return decode_training(all.substr(end + 1 + key.size()));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void write_record(const std::string& path, const std::string& key,
                  const algorithms::TrainResult& result) {
  try {
    write_file_atomically(path, std::to_string(key.size()) + "\n" + key + encode_training(result));
  } catch (const IoError&) {
  }
}

}  // namespace

algorithms::TrainResult shared_training(const std::string& key,
                                        const std::function<algorithms::TrainResult()>& compute) {
  if (g_folder.empty()) return computed(key, compute);
  const std::string base = g_folder + "/" + file_name(key);
  const TrainingLock lock(base + ".lock");
  if (!lock.held()) return computed(key, compute);  // no sharing, the same result
  if (std::optional<algorithms::TrainResult> stored = read_record(base, key)) return *stored;
  algorithms::TrainResult result = computed(key, compute);
  write_record(base, key, result);
  return result;
}

SharedNetwork::SharedNetwork(const std::string& key) : m_key(key) {
  if (g_folder.empty()) return;
  m_lock = std::make_unique<TrainingLock>(g_folder + "/" + file_name(key) + ".lock");
  if (m_lock->held()) m_base = g_folder + "/" + file_name(key);
}

bool SharedNetwork::load(algorithms::Network& net, algorithms::TrainResult& result,
                         const std::string& model) {
  if (m_base.empty()) return false;
  const std::optional<algorithms::TrainResult> stored = read_record(m_base + ".result", m_key);
  if (!stored) return false;
  std::vector<SavedLayer> layers;
  try {
    layers = read_model_file(m_base + ".h5").layers;
  } catch (const std::exception&) {
    return false;  // unreadable weights: trained again
  }
  // The same key names the same model, so the shapes match (a mismatch throws, naming it).
  restore(net, layers, "a shared training", model);
  result = *stored;
  return true;
}

void SharedNetwork::store(const algorithms::Network& net, const algorithms::TrainResult& result) {
  log_training(file_name(m_key) + " network");
  if (m_base.empty()) return;
  try {
    ModelFile file;
    file.model = "a network shared by a sweep's workers";
    file.layers = snapshot(net);
    write_model_file(m_base + ".h5", file, true);  // first: the record says the weights are whole
    write_record(m_base + ".result", m_key, result);
  } catch (const std::exception&) {
    // not shared (a full disk): the others train it themselves, with the same result
  }
}

}  // namespace frugal::sim
