#include "workloads/model_registry.h"

#include "results/core/error.h"
#include "results/core/module.h"
#include "results/core/registry.h"
#include "workloads/onnx_import.h"

namespace frugal::workloads {
namespace {

Registry<ModelFamily>& registry() {
  static Registry<ModelFamily> families("model family");
  return families;
}

// ONNX import, from its module (loaded on the first .onnx spec).
Graph import_onnx_file(const std::string& path, const BuildOptions& options) {
  static const OnnxImporter importer = module_entry<OnnxImporter>(
      reinterpret_cast<const void*>(&registry), "libfrugal_onnx.so", "frugal_onnx_importer");
  return importer(path, options);
}

}  // namespace

bool register_model_family(ModelFamily family) { return registry().add(std::move(family)); }

const std::vector<ModelFamily>& model_families() { return registry().all(); }

Graph build_model(const std::string& spec, const BuildOptions& options) {
  if (options.batch <= 0)
    throw InputError("batch must be a positive integer, got " + std::to_string(options.batch));
  if (spec.size() > 5 && spec.compare(spec.size() - 5, 5, ".onnx") == 0)
    return import_onnx_file(spec, options);
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string arguments = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (const ModelFamily* family = registry().find_or_null(name))
    return family->build(spec, arguments, options);
  std::string known;
  for (const ModelFamily& family : registry().all())
    known += (known.empty() ? "" : ", ") + family.syntax;
  throw InputError("unknown model '" + spec + "' (known: " + known + ")");
}

}  // namespace frugal::workloads
