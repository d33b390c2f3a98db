// Fully connected networks: "mlp:IN-H1-...-OUT[:ACT]". Hidden layers use ACT (default relu); the
// output layer has none (its logits go to the loss). A layer of n_in inputs and n_out outputs has
// n_in·n_out + n_out parameters and, per sample, n_in·n_out MACs and n_out bias additions.

#include <cctype>
#include <string>
#include <vector>

#include "results/core/error.h"
#include "workloads/model_registry.h"
#include "workloads/net_builder.h"

namespace frugal::workloads {
namespace {

constexpr int64_t kMaxLayerWidth = 100'000'000;  // guards against typos that overflow counts
const char* const kSyntax = "mlp:IN-H1-...-OUT[:relu|tanh|sigmoid]";

[[noreturn]] void malformed(const std::string& spec, const std::string& why) {
  throw InputError("model spec '" + spec + "': " + why + " (expected " + kSyntax +
                   " with positive integer sizes, e.g. mlp:784-256-128-10)");
}

std::vector<int64_t> parse_sizes(const std::string& spec, const std::string& text) {
  std::vector<int64_t> sizes;
  size_t start = 0;
  while (true) {
    const size_t dash = text.find('-', start);
    const std::string token = text.substr(start, dash == std::string::npos ? dash : dash - start);
    const std::string position = "layer size " + std::to_string(sizes.size() + 1);
    if (token.empty()) malformed(spec, position + " is empty");
    for (const char c : token)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        malformed(spec, position + " '" + token + "' is not a positive integer");
    if (token.size() > 9 || std::stoll(token) > kMaxLayerWidth)
      malformed(spec, position + " " + token + " is larger than " + std::to_string(kMaxLayerWidth));
    const int64_t size = std::stoll(token);
    if (size == 0) malformed(spec, position + " is 0; sizes must be positive");
    sizes.push_back(size);
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  if (sizes.size() < 2) malformed(spec, "needs at least an input and an output size");
  return sizes;
}

Graph build_mlp(const std::string& spec, const std::string& arguments,
                const BuildOptions& options) {
  if (arguments.empty()) malformed(spec, "no layer sizes");
  const auto colon = arguments.find(':');
  const std::vector<int64_t> sizes = parse_sizes(spec, arguments.substr(0, colon));
  const std::string activation = colon == std::string::npos ? "relu" : arguments.substr(colon + 1);
  if (activation != "relu" && activation != "tanh" && activation != "sigmoid")
    malformed(spec, "unknown activation '" + activation + "'");

  NetBuilder net(spec, options);
  Value h = net.input({sizes.front()});
  const size_t layers = sizes.size() - 1;
  for (size_t l = 1; l <= layers; ++l) {
    const std::string name = "fc" + std::to_string(l);
    h = net.dense(h, sizes[l], name);
    if (l < layers) h = net.activation(h, activation, name + "." + activation);
  }
  return net.finish(h);  // logits go to the loss unchanged
}

}  // namespace
}  // namespace frugal::workloads

FRUGAL_REGISTER_MODEL_FAMILY(mlp, {"mlp", frugal::workloads::kSyntax, "mlp:784-256-128-10",
                                   "fully connected network; hidden layers use the activation "
                                   "(default relu), the output layer gives logits",
                                   frugal::workloads::build_mlp})
