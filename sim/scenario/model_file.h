#pragma once
// Trained models saved and loaded (--save-model, --warm-start): the weights and biases of every
// trainable layer, with what produced them (model spec, rule, data set, epochs, accuracy, and the
// energy of the training job), in a small HDF5 file readable by h5py (docs/warm-start.md).

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/functional/network.h"

namespace frugal::sim {

struct SavedLayer {
  std::string name;  // the graph op's (fc1, conv1, ...)
  algorithms::Matrix w;
  algorithms::Vector b;
};

struct ModelFile {
  std::string model;    // the model spec it was built from
  std::string rule;     // the rule that trained it
  std::string dataset;  // and on what
  int64_t epochs = 0;   // epochs it was trained for (a warm-started run adds its start's)
  double test_accuracy = 0;
  double training_energy_j = 0;  // its training jobs' device energy (0 when not costed)
  std::string hw;                // the preset that job was costed on
  std::vector<SavedLayer> layers;
};

// The trainable layers of `net`, copied.
std::vector<SavedLayer> snapshot(const algorithms::Network& net);

// Replaces the weights and biases of `net` with `layers` (optimizer state starts afresh). Throws
// InputError naming the first layer whose name or shape differs, `source` being where they came
// from and `model` the spec `net` was built from.
void restore(algorithms::Network& net, const std::vector<SavedLayer>& layers,
             const std::string& source, const std::string& model);

// Writes `file` to `path` crash-safely (as PATH.partial, renamed when complete). Throws
// InputError if the path cannot be written or exists and !overwrite.
void write_model_file(const std::string& path, const ModelFile& file, bool overwrite);

// Reads a file written by write_model_file. Throws InputError naming the file and what is wrong
// (missing, not HDF5, not a frugal model, inconsistent sizes).
ModelFile read_model_file(const std::string& path);

}  // namespace frugal::sim
