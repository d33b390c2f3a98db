#pragma once
// ONNX import: `--model path/to/model.onnx` builds the forward graph of a model exported by
// PyTorch (opsets 11-17) with the same ops, counts and shapes as the zoo (docs/workloads.md).

#include <string>

#include "workloads/graph.h"
#include "workloads/model_registry.h"

namespace frugal::workloads {

// Reads and converts an ONNX file. The input's first dimension is the batch (options.batch);
// options.input_shape replaces the others (required when they are dynamic). Throws InputError
// naming the file (and the node) for a file that cannot be read or parsed, a graph with a cycle
// or a missing input, a zero or negative dimension, or an op frugal does not model (unless
// options.skip_unsupported).
Graph import_onnx(const std::string& path, const BuildOptions& options);

// import_onnx lives in the module libfrugal_onnx.so, loaded on first use (build_model does):
// its entry point `frugal_onnx_importer`, with C linkage for dlsym, returns import_onnx.
using OnnxImporter = Graph (*)(const std::string& path, const BuildOptions& options);

}  // namespace frugal::workloads

extern "C" frugal::workloads::OnnxImporter frugal_onnx_importer();
