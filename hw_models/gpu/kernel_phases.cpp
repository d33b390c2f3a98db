#include "hw_models/gpu/kernel_phases.h"

#include <functional>
#include <map>

#include "algorithms/functional/numerics.h"
#include "algorithms/learning_rule.h"
#include "hw_models/gpu/gpu_params.h"
#include "results/core/error.h"
#include "workloads/net_builder.h"

namespace frugal::hw::gpu {
namespace {

using workloads::Graph;
using workloads::NetBuilder;
using workloads::Value;

constexpr int64_t kGiB = int64_t{1} << 30;

// What a phase does, and the graph of one iteration in `precision` (its values' bytes).
struct PhaseWork {
  std::string work;
  std::string precision;
  std::function<Graph(int bytes)> graph;
  bool from_host = false;  // the input crosses the host link (otherwise already on the device)
};

NetBuilder builder(const std::string& name, int64_t batch, int bytes,
                   bool fused_attention = false) {
  workloads::BuildOptions options;
  options.batch = batch;
  options.element_bytes = bytes;
  options.fused_attention = fused_attention;
  return NetBuilder(name, options);
}

// An m x k by k x n product, as a dense layer without bias over m rows.
PhaseWork product(int64_t m, int64_t k, int64_t n, const std::string& precision) {
  return {std::to_string(m) + "x" + std::to_string(k) + " by " + std::to_string(k) + "x" +
              std::to_string(n) + " " + precision + " product",
          precision, [=](int bytes) {
            NetBuilder b = builder("product", m, bytes);
            const Value x = b.input({k});
            return b.finish(b.dense(x, n, "product", false));
          }};
}

PhaseWork square_product(int64_t n, const std::string& precision) {
  return product(n, n, n, precision);
}

// One elementwise kernel over `bytes_total` of bf16 input.
PhaseWork elementwise(const std::string& function, int64_t bytes_total) {
  const int64_t elements = bytes_total / 2;
  return {function + " of " + std::to_string(bytes_total / kGiB) + " GiB of bf16", "bf16",
          [=](int bytes) {
            NetBuilder b = builder(function, 1, bytes);
            const Value x = b.input({elements});
            Value y;
            if (function == "add")
              y = b.add(x, b.parameter("addend", {1, elements}), "add");
            else if (function == "relu" || function == "gelu")
              y = b.activation(x, function, function);
            else if (function == "dropout")
              y = b.dropout(x, 0.1, "dropout");  // PyTorch's: the same work at any p
            else
              y = b.elementwise_const(function, x, function, 0);  // a copy: no arithmetic
            return b.finish(y);
          }};
}

const std::map<std::string, PhaseWork>& phase_work() {
  static const std::map<std::string, PhaseWork> table = [] {
    std::map<std::string, PhaseWork> t;
    for (const int64_t n : {256, 512, 1024, 2048, 4096, 8192, 16384})
      t["gemm_bf16_" + std::to_string(n) + "_graph"] = square_product(n, "bf16");
    t["eager_gemm_bf16_8192"] = square_product(8192, "bf16");
    t["eager_gemm_bf16_4096"] = square_product(4096, "bf16");
    t["eager_gemm_bf16_2048"] = square_product(2048, "bf16");
    t["eager_gemm_fp32_8192"] = square_product(8192, "fp32");
    t["eager_gemm_tf32_8192"] = square_product(8192, "tf32");
    // GPT-2 small's products at 8 x 1024 tokens, and a ResNet-50 3x3 convolution as im2col
    // (64 images of 56 x 56, 64 channels in and out).
    t["gemm_bf16_gpt2_lmhead_50257_graph"] = product(8192, 768, 50257, "bf16");
    t["gemm_bf16_gpt2_lmhead_50304_graph"] = product(8192, 768, 50304, "bf16");
    t["gemm_bf16_gpt2_qkv_graph"] = product(8192, 768, 2304, "bf16");
    t["gemm_bf16_gpt2_mlp_down_graph"] = product(8192, 3072, 768, "bf16");
    t["gemm_bf16_resnet_3x3_im2col_graph"] = product(64 * 56 * 56, 64 * 9, 64, "bf16");
    t["conv3x3_256to256_56x56_bs256_fwd"] = {
        "3x3 convolution, 256 to 256 channels, 56x56, batch 256, bf16", "bf16", [](int bytes) {
          NetBuilder b = builder("conv", 256, bytes);
          const Value x = b.input({256, 56, 56});
          return b.finish(b.conv2d(x, workloads::ConvParams::square(256, 3, 1, 1, false), "conv"));
        }};
    for (const char* f : {"copy", "add", "relu", "gelu", "dropout"})
      t[std::string(f == std::string("gelu") ? "gelu_tanh" : f) + "_bf16_1gib_graph"] =
          elementwise(f, kGiB);
    t["eager_copy_4gib"] = elementwise("copy", 4 * kGiB);
    // Host-bound eager calls: a one-value add, and small products.
    t["eager_tiny_add"] = {"an add of one bf16 value", "bf16", [](int bytes) {
                             NetBuilder b = builder("add", 1, bytes);
                             const Value x = b.input({1});
                             return b.finish(b.add(x, b.parameter("addend", {1, 1}), "add"));
                           }};
    for (const int64_t n : {256, 512, 1024})
      t["eager_gemm_bf16_" + std::to_string(n)] = square_product(n, "bf16");
    t["batchnorm_fwd_256x256x56x56_cl"] = {"batch norm forward, 256x256x56x56, bf16", "bf16",
                                           [](int bytes) {
                                             NetBuilder b = builder("bn", 256, bytes);
                                             const Value x = b.input({256, 56, 56});
                                             return b.finish(b.batch_norm(x, "bn"));
                                           }};
    t["maxpool3x3s2_fwd_256x64x112x112_cl"] = {
        "3x3 max pool, stride 2, 256x64x112x112, bf16", "bf16", [](int bytes) {
          NetBuilder b = builder("pool", 256, bytes);
          const Value x = b.input({64, 112, 112});
          return b.finish(b.max_pool(x, workloads::PoolParams::square(3, 2, 1), "pool"));
        }};
    t["softmax_bf16_96x1024x1024"] = {"softmax over 96x1024 rows of 1024, bf16", "bf16",
                                      [](int bytes) {
                                        NetBuilder b = builder("softmax", 96, bytes);
                                        const Value x = b.input({1024, 1024});
                                        return b.finish(b.softmax(x, "softmax"));
                                      }};
    t["layernorm_bf16_8192x768"] = {"layer norm over 8192 rows of 768, bf16", "bf16",
                                    [](int bytes) {
                                      NetBuilder b = builder("ln", 8192, bytes);
                                      const Value x = b.input({768});
                                      return b.finish(b.layer_norm(x, "ln"));
                                    }};
    // Causal attention, 8 sequences x 12 heads x 1024 tokens x 64, as PyTorch's
    // scaled_dot_product_attention runs it: one fused kernel (--attention fused) that scales and
    // masks each score it computes.
    t["sdpa_causal_bf16_8x12x1024x64_fwd"] = {
        "fused causal attention 8x12x1024x64, bf16", "bf16", [](int bytes) {
          NetBuilder b = builder("attention", 8, bytes, true);
          const Value q = b.input({12, 1024, 64});
          const Value k = b.parameter("k", {8, 12, 1024, 64});
          const Value v = b.parameter("v", {8, 12, 1024, 64});
          return b.finish(b.attention(q, k, v, 2, true, "attention"));
        }};
    // An AdamW step over GPT-2 small's 124,439,808 fp32 parameters, as torch.optim's foreach
    // implementation runs it (one eager call per step of the update, over all the tensors).
    t["adamw_step_124M_fp32"] = {
        "AdamW's update of 124,439,808 fp32 parameters (foreach kernels)", "fp32", [](int bytes) {
          constexpr int64_t kParams = 124439808;
          Graph g("adamw", 1, bytes);
          using workloads::TensorKind;
          const int w = g.add_tensor("params", TensorKind::weight, kParams);
          workloads::Op op;
          op.name = "adamw.update";
          op.kind = workloads::OpKind::optimizer_update;
          op.function = "adamw";
          op.phase = workloads::Phase::update;
          op.in = op.out = workloads::Shape{{kParams}};
          op.params = kParams;
          op.other_ops = 13 * kParams;  // algorithms/optimizer.cpp's count
          const int m = g.add_tensor("exp_avg", TensorKind::optimizer_state, kParams);
          const int v = g.add_tensor("exp_avg_sq", TensorKind::optimizer_state, kParams);
          op.reads = {w, g.add_tensor("grads", TensorKind::gradient, kParams), m, v};
          op.writes = {m, v, w};
          g.add_op(op);
          g.set_io(w, w);
          return g;
        }};
    PhaseWork h2d = elementwise("copy", kGiB);
    h2d.work = "1 GiB from pinned host memory, then copied on the device";
    h2d.from_host = true;
    t["h2d_pinned_1gib"] = h2d;
    return t;
  }();
  return table;
}

// Phases whose work frugal does not build as a step yet.
const std::map<std::string, std::string>& not_modelled() {
  static const std::map<std::string, std::string> table = {
      {"eager_idle", "idle with a PyTorch context: compared through the idle phase"},
      {"batchnorm_fwd_bwd_256x256x56x56_cl", "a batch norm's backward pass alone: not built yet"},
  };
  return table;
}

}  // namespace

std::vector<KernelPhase> kernel_phases(const results::JsonValue& file, const std::string& where,
                                       std::vector<SkippedPhase>* skipped) {
  const results::JsonValue* quick = file.find("quick");
  if (quick && quick->boolean(where + ": quick"))
    throw InputError(where +
                     ": a --quick probe's file (a smoke test: its phases do not have their "
                     "names' sizes); measure without --quick");
  const results::JsonValue* energy = file.find("energy");
  if (energy && energy->string(where + ": energy") == "none")
    throw InputError(where +
                     ": measured without board energy (neither NVML nor nvidia-smi answered); "
                     "frugal needs each phase's time and energy");
  std::vector<KernelPhase> phases;
  for (const auto& [name, fields] : file.at("phases", where).object(where + ": phases")) {
    const std::string at = where + ": phase " + name;
    KernelPhase phase;
    phase.name = name;
    phase.measured_s = fields.at("s_per_iter", at).number(at + ": s_per_iter");
    phase.measured_j = fields.at("j_per_iter", at).number(at + ": j_per_iter");
    if (!(phase.measured_s > 0) || !(phase.measured_j > 0))
      throw InputError(at + ": s_per_iter and j_per_iter must be positive");
    const results::JsonValue* graph = fields.find("graph");
    phase.graph = graph ? graph->boolean(at + ": graph") : name.rfind("eager_", 0) != 0;
    if (name == "idle") {
      phase.work = "idle with a context, nothing running";
      phases.push_back(std::move(phase));
      continue;
    }
    const auto work = phase_work().find(name);
    if (work == phase_work().end()) {
      if (skipped) {
        const auto why = not_modelled().find(name);
        skipped->push_back(
            {name, why != not_modelled().end() ? why->second : "a phase frugal does not know"});
      }
      continue;
    }
    const PhaseWork& w = work->second;
    phase.work = w.work;
    const Graph graph_of_work = w.graph(algorithms::format_bytes(w.precision));
    phase.step = algorithms::make_rule(algorithms::forward_only_rule().name)
                     ->expand(graph_of_work, algorithms::StepOptions{});
    // The kernels as measured: a batch norm in training mode (statistics over the batch), not
    // the running statistics an inference step uses.
    phase.step->graph = graph_of_work;
    phase.step->precision = w.precision;
    phase.step->inputs_on_device = !w.from_host;
    phase.step->runtime = phase.graph ? "graph" : "eager";
    phases.push_back(std::move(phase));
  }
  return phases;
}

PhaseCost cost_phase(Device& device, const KernelPhase& phase) {
  if (!phase.step) {  // idle: the board's idle power over the measured time
    const double idle_w = GpuParams::from(device.preset()).idle_power_w;
    return {phase.measured_s, idle_w * phase.measured_s};
  }
  const Cost cost = device.simulate(*phase.step);
  return {cost.latency_s, cost.ledger.total()};
}

}  // namespace frugal::hw::gpu
