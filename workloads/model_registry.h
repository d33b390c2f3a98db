#pragma once
// Models by name. A spec is "<family>[:<arguments>]", e.g. "mlp:784-256-128-10:relu"; each family
// is one file under workloads/models/ that registers itself with FRUGAL_REGISTER_MODEL_FAMILY.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workloads/graph.h"

namespace frugal::workloads {

struct BuildOptions {
  int64_t batch = 1;
  int element_bytes = 4;  // fp32
  // ONNX files: the input's dimensions after the batch (needed when the file leaves them
  // dynamic; empty: as in the file), and whether ops frugal does not model are an error (the
  // default) or skipped as zero-cost and listed in Graph::warnings().
  std::vector<int64_t> input_shape;
  bool skip_unsupported = false;
  // Transformers: attention as one fused kernel (PyTorch's scaled_dot_product_attention, as
  // FlashAttention) rather than two products and a softmax with the scores in memory.
  bool fused_attention = false;
};

struct ModelFamily {
  std::string name;         // "mlp"
  std::string syntax;       // "mlp:IN-H1-...-OUT[:relu|tanh|sigmoid]"
  std::string example;      // "mlp:784-256-128-10"
  std::string description;  // one line
  // Builds the forward graph. `arguments` is the spec after "<family>:" (may be empty).
  // Contract: throws InputError naming the spec and what was expected when it is malformed.
  std::function<Graph(const std::string& spec, const std::string& arguments, const BuildOptions&)>
      build;
};

bool register_model_family(ModelFamily family);
const std::vector<ModelFamily>& model_families();

// Throws InputError for an unknown family (listing the known ones), a malformed spec or a
// non-positive batch. A spec ending in ".onnx" is a file to import (workloads/onnx_import.h).
Graph build_model(const std::string& spec, const BuildOptions& options = {});

}  // namespace frugal::workloads

#define FRUGAL_REGISTER_MODEL_FAMILY(ident, ...)               \
  namespace {                                                  \
  [[maybe_unused]] const bool ident##_registered =             \
      ::frugal::workloads::register_model_family(__VA_ARGS__); \
  }
