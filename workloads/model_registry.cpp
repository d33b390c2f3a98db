#include "workloads/model_registry.h"

#include <stdexcept>

#include "results/error.h"

namespace frugal::workloads {
namespace {

std::vector<ModelFamily>& registry() {
  static std::vector<ModelFamily> families;
  return families;
}

}  // namespace

bool register_model_family(ModelFamily family) {
  for (const ModelFamily& f : registry())
    if (f.name == family.name)
      throw std::logic_error("model family '" + family.name + "' registered twice");
  registry().push_back(std::move(family));
  return true;
}

const std::vector<ModelFamily>& model_families() { return registry(); }

Graph build_model(const std::string& spec, const BuildOptions& options) {
  if (options.batch <= 0)
    throw InputError("batch must be a positive integer, got " + std::to_string(options.batch));
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string arguments = colon == std::string::npos ? "" : spec.substr(colon + 1);
  for (const ModelFamily& family : registry())
    if (family.name == name) return family.build(spec, arguments, options);
  std::string known;
  for (const ModelFamily& family : registry()) known += (known.empty() ? "" : ", ") + family.syntax;
  throw InputError("unknown model '" + spec + "' (known: " + known + ")");
}

}  // namespace frugal::workloads
