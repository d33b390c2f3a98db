// Decoder-only transformers (GPT family): token and position embeddings, L blocks of pre-norm
// causal self-attention and a GELU MLP with residual additions, a final layer norm, and an output
// projection tied to the token embedding. The attention products QKᵀ and AV are batched matmuls
// of B·H·S·S·(D/H) MACs each, so their cost grows with the sequence length squared; the full
// S×S scores are computed and masked, as GPT-2's reference code does.
//
//   gpt:layers=L,d_model=D,heads=H,seq=S,vocab=V[,ffn=F][,pos=learned|alibi][,tied=yes|no]
//       [,embed_norm=yes|no][,dropout=P]
//   gpt2   124,439,808 parameters (Radford et al. 2019: L12 D768 H12 S1024 V50257)
//   gpt3   the 175B model (Brown et al. 2020, table 2.1: L96 D12288 H96 S2048 V50257)
//   bloom  176,247,271,424 parameters (BigScience 2022: L70 D14336 H112 S2048 V250880, ALiBi
//          positions instead of learned ones, a layer norm after the embedding)
//
// The batch counts sequences of S tokens. Q, K and V are three D×D projections (GPT-2 fuses them
// into one D×3D matrix: the same parameters and MACs). dropout=P (default 0, as GPT-2's 0.1 when
// given) drops the embedding's output, the attention's probabilities and each block's two
// residual branches, as GPT-2's reference code does: for the cost, a mask drawn and applied. With
// --attention fused the attention's own draw happens inside its kernel.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "results/core/error.h"
#include "results/core/memory.h"
#include "workloads/model_registry.h"
#include "workloads/net_builder.h"

namespace frugal::workloads {
namespace {

const char* const kSyntax =
    "gpt:layers=L,d_model=D,heads=H,seq=S,vocab=V[,ffn=F][,pos=learned|alibi][,tied=yes|no]"
    "[,embed_norm=yes|no][,dropout=P]";

struct GptConfig {
  int64_t layers = 0, d_model = 0, heads = 0, seq = 0, vocab = 0, ffn = 0;
  bool learned_positions = true, tied = true, embed_norm = false;
  double dropout = 0;  // probability of dropping a value, at each of GPT-2's dropout sites
};

[[noreturn]] void malformed(const std::string& spec, const std::string& why) {
  throw InputError("model spec '" + spec + "': " + why + " (expected " + kSyntax +
                   ", e.g. gpt:layers=12,d_model=768,heads=12,seq=1024,vocab=50257)");
}

GptConfig parse(const std::string& spec, const std::string& arguments) {
  std::map<std::string, std::string> values;
  size_t start = 0;
  while (start <= arguments.size()) {
    const size_t comma = arguments.find(',', start);
    const std::string item = arguments.substr(start, comma - start);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) malformed(spec, "'" + item + "' is not key=value");
    if (!values.emplace(item.substr(0, eq), item.substr(eq + 1)).second)
      malformed(spec, "'" + item.substr(0, eq) + "' given twice");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  GptConfig c;
  auto number = [&](const char* key, int64_t& out, bool required) {
    const auto it = values.find(key);
    if (it == values.end()) {
      if (required) malformed(spec, std::string("missing ") + key);
      return;
    }
    const std::string& text = it->second;
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string::npos || std::stoll(text) == 0)
      malformed(spec, std::string(key) + " must be a positive integer, got '" + text + "'");
    out = std::stoll(text);
    values.erase(it);
  };
  auto choice = [&](const char* key, const std::string& yes, const std::string& no, bool& out) {
    const auto it = values.find(key);
    if (it == values.end()) return;
    if (it->second != yes && it->second != no)
      malformed(spec, std::string(key) + " must be " + yes + " or " + no);
    out = it->second == yes;
    values.erase(it);
  };
  number("layers", c.layers, true);
  number("d_model", c.d_model, true);
  number("heads", c.heads, true);
  number("seq", c.seq, true);
  number("vocab", c.vocab, true);
  c.ffn = 4 * c.d_model;
  number("ffn", c.ffn, false);
  choice("pos", "learned", "alibi", c.learned_positions);
  choice("tied", "yes", "no", c.tied);
  choice("embed_norm", "yes", "no", c.embed_norm);
  if (const auto it = values.find("dropout"); it != values.end()) {
    char* end = nullptr;
    c.dropout = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || !(c.dropout >= 0 && c.dropout < 1))
      malformed(spec, "dropout must be a probability in [0, 1), got '" + it->second + "'");
    values.erase(it);
  }
  if (!values.empty()) malformed(spec, "unknown key '" + values.begin()->first + "'");
  if (c.d_model % c.heads != 0)
    malformed(spec, "d_model " + std::to_string(c.d_model) + " is not a multiple of heads " +
                        std::to_string(c.heads));
  return c;
}

// Refuses, before building anything, a network whose step could not be counted (its MACs, as a
// training step's three passes sum them, beyond 64 bits) or whose graph would not fit in the
// memory this process may use (about 100 kB a layer once a step is expanded and mapped, as
// measured on frugal run).
void check_size(const std::string& spec, const GptConfig& c, int64_t batch) {
  const long double b = batch, s = c.seq, d = c.d_model, h = c.heads, dh = d / h;
  const long double per_layer = b * s * (4 * d * d + 2 * d * c.ffn) + 2 * b * h * s * s * dh;
  const long double macs = c.layers * per_layer + b * s * d * c.vocab;
  if (3 * macs > static_cast<long double>(INT64_MAX)) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3Lg", macs);
    throw InputError("model spec '" + spec + "' at batch " + std::to_string(batch) + ": about " +
                     text + " multiply-accumulates a forward pass, beyond what a step's 64-bit " +
                     "counts hold (about 3e18): use a smaller model, sequence or batch");
  }
  constexpr double kBytesPerLayer = 100e3;
  check_memory_for(kBytesPerLayer * static_cast<double>(c.layers),
                   "model spec '" + spec + "': " + std::to_string(c.layers) + " layers need",
                   "to model");
}

Graph build(const std::string& spec, const GptConfig& c, const BuildOptions& options) {
  check_size(spec, c, options.batch);
  NetBuilder net(spec, options);
  const int64_t b = net.batch(), s = c.seq, d = c.d_model, h = c.heads, dh = d / h;
  const Value ids = net.input({s}, "tokens");
  int wte = -1;
  Value x = net.embedding(ids, c.vocab, d, "wte", &wte);
  if (c.learned_positions) x = net.add(x, net.parameter("wpe.weight", {s, d}), "wpe");
  if (c.embed_norm) x = net.layer_norm(x, "embed_norm");
  x = net.dropout(x, c.dropout, "embed_dropout");
  // Per score: scale by 1/sqrt(D/H) and apply the causal mask (and ALiBi's distance bias).
  const int64_t score_ops = c.learned_positions ? 2 : 3;
  auto heads = [&](const Value& v) {
    return net.transpose(net.reshape(v, {b, s, h, dh}), {0, 2, 1, 3});
  };
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string p = "h" + std::to_string(l);
    Value a = net.layer_norm(x, p + ".ln_1");
    const Value q = heads(net.dense(a, d, p + ".attn.q"));
    const Value k = heads(net.dense(a, d, p + ".attn.k"));
    const Value v = heads(net.dense(a, d, p + ".attn.v"));
    Value context = net.attention(q, k, v, score_ops, true, p + ".attn", c.dropout);
    context = net.reshape(net.transpose(context, {0, 2, 1, 3}), {b, s, d});
    x = net.add(
        x, net.dropout(net.dense(context, d, p + ".attn.proj"), c.dropout, p + ".attn.dropout"),
        p + ".attn.residual");
    a = net.layer_norm(x, p + ".ln_2");
    Value f = net.activation(net.dense(a, c.ffn, p + ".mlp.fc"), "gelu", p + ".mlp.gelu");
    x = net.add(x, net.dropout(net.dense(f, d, p + ".mlp.proj"), c.dropout, p + ".mlp.dropout"),
                p + ".mlp.residual");
  }
  x = net.layer_norm(x, "ln_f");
  const Value logits =
      c.tied ? net.dense_shared(x, wte, "lm_head") : net.dense(x, c.vocab, "lm_head", false);
  return net.finish(logits);
}

Graph build_gpt(const std::string& spec, const std::string& arguments, const BuildOptions& o) {
  if (arguments.empty()) malformed(spec, "no configuration");
  return build(spec, parse(spec, arguments), o);
}

Graph build_named(const std::string& spec, const std::string& arguments, const BuildOptions& o,
                  const std::string& config) {
  if (!arguments.empty())
    throw InputError("model spec '" + spec + "': " + spec.substr(0, spec.find(':')) +
                     " takes no arguments (use gpt:" + config + ",... to change it)");
  return build(spec, parse(spec, config), o);
}

}  // namespace
}  // namespace frugal::workloads

FRUGAL_REGISTER_MODEL_FAMILY(gpt, {"gpt", frugal::workloads::kSyntax,
                                   "gpt:layers=12,d_model=768,heads=12,seq=1024,vocab=50257",
                                   "decoder-only transformer; the batch counts sequences",
                                   frugal::workloads::build_gpt})
FRUGAL_REGISTER_MODEL_FAMILY(
    gpt2,
    {"gpt2", "gpt2", "gpt2", "GPT-2 small, 124,439,808 parameters (sequence 1024)",
     [](const std::string& s, const std::string& a, const frugal::workloads::BuildOptions& o) {
       return frugal::workloads::build_named(s, a, o,
                                             "layers=12,d_model=768,heads=12,seq=1024,vocab=50257");
     }})
FRUGAL_REGISTER_MODEL_FAMILY(
    gpt3,
    {"gpt3", "gpt3", "gpt3", "GPT-3 175B (96 layers, d_model 12288, sequence 2048)",
     [](const std::string& s, const std::string& a, const frugal::workloads::BuildOptions& o) {
       return frugal::workloads::build_named(
           s, a, o, "layers=96,d_model=12288,heads=96,seq=2048,vocab=50257");
     }})
FRUGAL_REGISTER_MODEL_FAMILY(
    bloom,
    {"bloom", "bloom", "bloom", "BLOOM 176B (70 layers, d_model 14336, ALiBi, sequence 2048)",
     [](const std::string& s, const std::string& a, const frugal::workloads::BuildOptions& o) {
       return frugal::workloads::build_named(s, a, o,
                                             "layers=70,d_model=14336,heads=112,seq=2048,"
                                             "vocab=250880,pos=alibi,embed_norm=yes");
     }})
