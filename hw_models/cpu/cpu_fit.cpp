#include "hw_models/cpu/cpu_fit.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>
#include <utility>

#include "algorithms/learning_rule.h"
#include "hw_models/cpu/cpu_params.h"
#include "hw_models/device.h"
#include "results/core/error.h"
#include "workloads/model_registry.h"
#include "workloads/net_builder.h"

namespace frugal::hw::cpu {
namespace {

using units::Dimension;

constexpr int kDigits = 4;

struct Phase {
  double s_per_iter = 0;
  double macs = 0, bytes = 0;
  double package_j = NAN, dram_j = NAN;
};

struct File {
  std::string device, date;
  double cores = 0, l1 = 0, l2 = 0, llc = 0, mhz = 0;
  std::string flags, rapl;
  std::vector<std::pair<std::string, Phase>> phases;
  const Phase* find(const std::string& name) const {
    for (const auto& [n, p] : phases)
      if (n == name) return &p;
    return nullptr;
  }
};

File read_file(const results::JsonValue& json, const std::string& where) {
  File f;
  const results::JsonValue* machine = json.find("machine");
  if (!machine || !json.find("phases"))
    throw InputError(where +
                     ": not a CPU measurement file (expected the 'machine' and 'phases' that "
                     "'frugal calibrate cpu --measure' writes)");
  const std::string at = where + ": machine";
  f.device = json.at("device", where).string(where + ": device");
  const results::JsonValue* date = json.find("date");
  f.date = date ? date->string(where + ": date") : "an unknown date";
  f.cores = machine->at("cores", at).number(at + ": cores");
  f.l1 = machine->at("l1d_bytes", at).number(at + ": l1d_bytes");
  f.l2 = machine->at("l2_bytes", at).number(at + ": l2_bytes");
  f.llc = machine->at("llc_bytes", at).number(at + ": llc_bytes");
  f.mhz = machine->at("cpuinfo_mhz", at).number(at + ": cpuinfo_mhz");
  f.flags = " " + machine->at("flags", at).string(at + ": flags") + " ";
  f.rapl = machine->at("rapl", at).string(at + ": rapl");
  if (!(f.cores >= 1 && f.cores <= 4096)) throw InputError(at + ": cores must be within 1..4096");
  for (const auto& [name, fields] : json.at("phases", where).object(where + ": phases")) {
    const std::string pat = where + ": phase " + name;
    Phase p;
    p.s_per_iter = fields.at("s_per_iter", pat).number(pat + ": s_per_iter");
    if (!(p.s_per_iter > 0 && std::isfinite(p.s_per_iter)))
      throw InputError(pat + ": s_per_iter must be positive and finite");
    if (const results::JsonValue* v = fields.find("macs")) p.macs = v->number(pat + ": macs");
    if (const results::JsonValue* v = fields.find("bytes")) p.bytes = v->number(pat + ": bytes");
    if (const results::JsonValue* v = fields.find("package_j_per_iter"))
      p.package_j = v->number(pat + ": package_j_per_iter");
    if (const results::JsonValue* v = fields.find("dram_j_per_iter"))
      p.dram_j = v->number(pat + ": dram_j_per_iter");
    f.phases.emplace_back(name, p);
  }
  return f;
}

const Phase& need(const File& f, const std::string& name, const std::string& where,
                  const char* field = nullptr) {
  const Phase* p = f.find(name);
  if (!p) throw InputError(where + ": no phase '" + name + "' (measure with frugal calibrate cpu)");
  if (field && std::string(field) == "macs" && !(p->macs > 0))
    throw InputError(where + ": phase '" + name + "' needs a positive macs");
  if (field && std::string(field) == "bytes" && !(p->bytes > 0))
    throw InputError(where + ": phase '" + name + "' needs a positive bytes");
  return *p;
}

bool has_flag(const File& f, const char* flag) {
  return f.flags.find(" " + std::string(flag) + " ") != std::string::npos;
}

// A one-product step: an m x k by k x n product (a dense layer without bias over m rows).
algorithms::TrainingStep product_step(int64_t n) {
  workloads::BuildOptions options;
  options.batch = n;
  workloads::NetBuilder b("product", options);
  const workloads::Value x = b.input({n});
  const workloads::Graph graph = b.finish(b.dense(x, n, "product", false));
  // The product alone, as measured (the forward-only rule's step is the forward graph).
  algorithms::TrainingStep step =
      algorithms::make_rule(algorithms::forward_only_rule().name)->expand(graph, {});
  step.graph = graph;
  return step;
}

// The bp step (momentum) of a tiny network. Its data set stays in the caches (kilobytes, where
// the model's contract is a data set that streams from DRAM), so its batches are not new data:
// its inputs and labels are costed as activations.
algorithms::TrainingStep tiny_step(const std::string& phase) {
  for (const TinyNet& net : tiny_trainer_nets())
    if (net.phase == phase) {
      algorithms::TrainingStep step =
          algorithms::make_rule("bp")->expand(net.forward, algorithms::StepOptions{});
      workloads::Graph cached = workloads::without_ops(
          step.graph, [](workloads::Graph& copy, const workloads::Tensor& t) {
            workloads::Tensor resident = t;
            if (t.kind == workloads::TensorKind::input || t.kind == workloads::TensorKind::label)
              resident.kind = workloads::TensorKind::activation;
            copy.add_tensor_like(resident, resident.shape);
          });
      for (const workloads::Op& op : step.graph.ops()) cached.add_op(op);
      step.graph = std::move(cached);
      return step;
    }
  throw std::logic_error("no tiny network for " + phase);
}

double step_time(const Preset& preset, algorithms::TrainingStep step, int64_t threads,
                 const std::string& runtime) {
  step.threads = threads;
  step.runtime = runtime;
  return make_device(preset)->simulate(step).latency_s;
}

}  // namespace

const std::vector<TinyNet>& tiny_trainer_nets() {
  static const std::vector<TinyNet> nets = [] {
    std::vector<TinyNet> list;
    workloads::BuildOptions mlp;
    mlp.batch = 1;
    list.push_back({"trainer_step_tiny", workloads::build_model("mlp:4-4-2", mlp), 4, 1});
    workloads::BuildOptions conv;
    conv.batch = 8;
    workloads::NetBuilder b("conv-tiny", conv);
    workloads::Value x = b.input({1, 12, 12});
    x = b.activation(b.conv2d(x, workloads::ConvParams::square(4, 3, 1, 1), "conv"), "relu",
                     "conv.relu");
    x = b.flatten(b.max_pool(x, workloads::PoolParams::square(2, 2), "pool"));
    list.push_back({"trainer_conv_tiny", b.finish(b.dense(x, 2, "fc")), 144, 8});
    return list;
  }();
  return nets;
}

CpuFit fit_cpu(const results::JsonValue& json, const std::string& where, const Preset& base,
               const std::string& name) {
  if (base.device() != "cpu")
    throw InputError(base.name() + " is a " + base.device() + " preset; a cpu preset is fitted");
  const File f = read_file(json, where);
  Preset preset = base;
  CpuFit fit;
  fit.rapl = f.rapl;
  const std::string measured = "measured by frugal calibrate cpu on " + f.device + ", " + f.date;
  auto set = [&](const std::string& key, double value, Dimension d, const std::string& from) {
    const std::string text = units::format_si(value, d, kDigits);
    preset.set(key, text, measured + ": " + from);
    fit.fitted.push_back({key, text, from, "", false});
  };
  // The last value set is solved for `phase`, and whether it is at the end of its range.
  auto solved_for = [&](const std::string& phase, bool at_bound) {
    fit.fitted.back().phase = phase;
    fit.fitted.back().at_bound = at_bound;
  };
  // Topology, from the machine section.
  set("core_count", f.cores, Dimension::dimensionless, "the cores the OS offers");
  if (f.l1 > 0) set("l1_capacity", f.l1, Dimension::bytes, "sysfs cache index, level 1 data");
  if (f.l2 > 0) set("l2_capacity", f.l2, Dimension::bytes, "sysfs cache index, level 2");
  if (f.llc > 0) set("llc_capacity", f.llc, Dimension::bytes, "sysfs cache index, level 3");
  const double lanes = has_flag(f, "avx512f") ? 16 : has_flag(f, "avx2") ? 8 : 4;
  set("simd_lanes_fp32", lanes, Dimension::dimensionless,
      lanes == 16  ? "avx512f in /proc/cpuinfo"
      : lanes == 8 ? "avx2 in /proc/cpuinfo"
                   : "SSE");
  set("simd_lanes_bf16", has_flag(f, "avx512_bf16") ? 32 : 0, Dimension::dimensionless,
      has_flag(f, "avx512_bf16") ? "avx512_bf16 in /proc/cpuinfo (VDPBF16PS: 32 MACs)"
                                 : "no avx512_bf16 in /proc/cpuinfo (AMX not modelled)");
  const double int8 = has_flag(f, "avx512_vnni") ? 64 : has_flag(f, "avx_vnni") ? 32 : 0;
  set("simd_lanes_int8", int8, Dimension::dimensionless,
      int8 == 64   ? "avx512_vnni in /proc/cpuinfo (VPDPBUSD: 64 MACs)"
      : int8 == 32 ? "avx_vnni in /proc/cpuinfo (256-bit VPDPBUSD: 32 MACs)"
                   : "no VNNI in /proc/cpuinfo");

  // The issue rate: vector FMAs per second from registers on one core.
  const Phase& fma = need(f, "fma_peak", where, "macs");
  const double issue = fma.macs / fma.s_per_iter / lanes;  // instructions/s
  const double units_per_cycle = f.mhz > 0 ? std::clamp(std::round(issue / (f.mhz * 1e6)), 1.0, 8.0)
                                           : preset.get("vector_units");
  set("vector_units", units_per_cycle, Dimension::dimensionless,
      "fma_peak's vector FMAs per cycle of the clock /proc/cpuinfo reports, rounded");
  set("clock", issue / units_per_cycle, Dimension::frequency,
      "fma_peak (vector FMAs per second on one core) / vector_units");
  // Bandwidths: one core from each level, and all cores at once.
  auto rate = [&](const char* phase) {
    const Phase& p = need(f, phase, where, "bytes");
    return p.bytes / p.s_per_iter;
  };
  set("l2_bandwidth", rate("stream_l2"), Dimension::bandwidth,
      "stream_l2, c = a + b within L2 on one core");
  set("llc_core_bandwidth", rate("stream_llc"), Dimension::bandwidth,
      "stream_llc, c = a + b within the last-level cache on one core");
  set("dram_core_bandwidth", rate("stream_dram"), Dimension::bandwidth,
      "stream_dram, c = a + b from DRAM on one core");
  set("llc_bandwidth", rate("stream_llc_all") * f.cores, Dimension::bandwidth,
      "stream_llc_all, one stream per core within the last-level cache");
  set("dram_bandwidth", rate("stream_dram_all") * f.cores, Dimension::bandwidth,
      "stream_dram_all, one stream per core from DRAM (sustained, so dram_efficiency is 1)");
  set("dram_efficiency", 1, Dimension::dimensionless,
      "dram_bandwidth is the sustained rate stream_dram_all measured");
  if (const Phase* p = f.find("latency_llc"))
    set("llc_latency", p->s_per_iter, Dimension::time,
        "latency_llc, dependent loads around a random cycle within the last-level cache");
  if (const Phase* p = f.find("latency_dram"))
    set("dram_latency", p->s_per_iter, Dimension::time,
        "latency_dram, dependent loads around a random cycle beyond the last-level cache");

  // A parameter `key` that makes `step` (on `threads`, `runtime`) take the phase's measured time,
  // within the parameter's range (for a time, at most the phase's time): solved by bisection,
  // the step's modelled time being monotone in it. A time grows the step only once it outlasts
  // the op's memory latencies; an efficiency shortens it only until another limit (a bandwidth)
  // binds. Where no value in the range reproduces the phase, the nearer end is kept and the
  // value is reported out of reach.
  auto solve = [&](const char* key, const char* phase, const algorithms::TrainingStep& step,
                   int64_t threads, const std::string& runtime, Dimension d,
                   const std::string& from) {
    const double measured_s = need(f, phase, where).s_per_iter;
    auto time_with = [&](double value) {
      preset.set(key, units::format_si(value, d, 17), "being fitted");
      return step_time(preset, step, threads, runtime);
    };
    double lo = 0, hi = 1;
    for (const ParamSpec& spec : cpu_param_table().specs())
      if (spec.name == key) std::tie(lo, hi) = std::pair(spec.min, spec.max);
    if (d == Dimension::time) hi = std::min(hi, measured_s);
    const double t_lo = time_with(lo), t_hi = time_with(hi);
    const bool fast_lo = t_lo < measured_s, fast_hi = t_hi < measured_s;
    double value = std::abs(t_lo - measured_s) < std::abs(t_hi - measured_s) ? lo : hi;
    if (fast_lo != fast_hi) {
      for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (lo + hi);
        ((time_with(mid) < measured_s) == fast_lo ? lo : hi) = mid;
      }
      value = hi;
    }
    set(key, value, d, from);
    solved_for(phase, fast_lo == fast_hi);
  };
  auto solve_time = [&](const char* key, const char* phase, const algorithms::TrainingStep& step,
                        int64_t threads, const std::string& runtime, const std::string& from) {
    solve(key, phase, step, threads, runtime, Dimension::time, from);
  };
  // Product rates: the efficiency (of the fma_peak rate) at which the model's 1024^3 product on
  // one core takes the measured time. Solved before the times per op: the tiny steps' arithmetic
  // depends on it, while an op's overhead barely touches a product of a billion MACs.
  need(f, "gemm_fp32_1024", where, "macs");
  solve("gemm_efficiency", "gemm_fp32_1024", product_step(1024), 1, "graph",
        Dimension::dimensionless,
        "gemm_fp32_1024: a 1024^3 product, Eigen, one thread, as measured with the modelled "
        "memory traffic at the bandwidths above");
  if (const Phase* torch = f.find("torch_gemm_fp32_1024"); torch && torch->macs > 0)
    solve("eager_gemm_efficiency", "torch_gemm_fp32_1024", product_step(1024), 1, "eager",
          Dimension::dimensionless,
          "torch_gemm_fp32_1024: a 1024^3 product, PyTorch's BLAS, one thread, as measured "
          "with the modelled memory traffic at the bandwidths above");
  // Time per op: of frugal's own trainer (graph) and PyTorch's eager dispatch, from tiny steps
  // whose arithmetic is negligible.
  const algorithms::TrainingStep tiny = tiny_step("trainer_step_tiny");
  const std::string tiny_from = ": a bp step of mlp:4-4-2 at batch 1 (" +
                                std::to_string(tiny.graph.ops().size()) +
                                " ops) as measured, with its modelled work";
  solve_time("op_overhead", "trainer_step_tiny", tiny, 1, "graph", "trainer_step_tiny" + tiny_from);
  if (f.find("trainer_conv_tiny"))
    solve_time("layout_element_time", "trainer_conv_tiny", tiny_step("trainer_conv_tiny"), 1,
               "graph",
               "trainer_conv_tiny: a bp step of a 3x3 convolution (4 channels, 12x12), max "
               "pooling and a dense layer at batch 8, as measured with its modelled work");
  if (f.find("torch_step_tiny"))
    solve_time("dispatch_op", "torch_step_tiny", tiny, 1, "eager", "torch_step_tiny" + tiny_from);
  // Splitting a product over the cores: what a 256^3 product on all of them takes beyond its
  // share of the work.
  if (f.find("torch_gemm_fp32_256_all") && f.cores > 1)
    solve_time("thread_sync", "torch_gemm_fp32_256_all", product_step(256),
               static_cast<int64_t>(f.cores), "eager",
               "torch_gemm_fp32_256_all: a 256^3 product on every core, PyTorch's BLAS, as "
               "measured with its modelled share of the work");

  // Energies, where RAPL was readable.
  const Phase* idle = f.find("idle");
  const Phase& all = need(f, "gemm_fp32_1024_all", where, "macs");
  if (idle && !std::isnan(idle->package_j) && !std::isnan(all.package_j)) {
    const double idle_w = idle->package_j / idle->s_per_iter;
    set("idle_power", idle_w, Dimension::power, "RAPL package power, idle phase");
    const double instructions_per_s = all.macs * f.cores / all.s_per_iter / lanes;
    const double active_w = all.package_j / all.s_per_iter - idle_w;
    set("instruction_energy",
        std::max(0.0, active_w / instructions_per_s - lanes * preset.get("fp32_mac_energy")),
        Dimension::energy,
        "RAPL package power of gemm_fp32_1024_all above idle, per vector FMA, less its "
        "arithmetic (fp32_mac_energy x lanes)");
    const Phase& dram = need(f, "stream_dram_all", where, "bytes");
    if (!std::isnan(idle->dram_j) && !std::isnan(dram.dram_j)) {
      const double background_w = idle->dram_j / idle->s_per_iter;
      set("dram_background_power", background_w, Dimension::power, "RAPL DRAM power, idle");
      set("dram_energy_per_byte",
          std::max(0.0, (dram.dram_j - background_w * dram.s_per_iter) / (dram.bytes * f.cores)),
          Dimension::energy_per_byte, "RAPL DRAM energy of stream_dram_all above idle, per byte");
    }
  }
  // What stays the base's (whatever was not set above): marked as assumed for this machine.
  for (const PresetParam& p : preset.params()) {
    bool fitted = false;
    for (const CpuFitValue& v : fit.fitted) fitted = fitted || v.param == p.spec.name;
    if (fitted) continue;
    fit.kept.push_back(p.spec.name);
    const std::string source =
        p.source.rfind("assumption: ", 0) == 0 ? p.source.substr(12) : p.source;
    preset.set(p.spec.name, p.text,
               "assumption: not measured on this machine; as " + base.name() + ": " + source);
  }

  std::ostringstream text;
  text << "# " << name << ": fitted by 'frugal calibrate cpu' to microbenchmarks of\n# " << f.device
       << ", measured " << f.date << " (RAPL: " << f.rapl << "), on the base preset "
       << base.origin()
       << ".\n# Rerun the calibration rather than edit the fitted values (docs/cpu-model.md).\n\n"
          "[preset]\nname = "
       << name << "\ndevice = cpu\ndescription = " << f.device
       << ", fitted by frugal calibrate cpu on " << f.date << "\n\n[params]\n";
  for (const PresetParam& p : preset.params())
    text << p.spec.name << " = " << p.text << " | " << p.source << "\n";
  fit.preset_text = text.str();
  return fit;
}

std::vector<CpuPhaseCheck> check_cpu(const results::JsonValue& json, const std::string& where,
                                     const Preset& preset) {
  const File f = read_file(json, where);
  std::vector<CpuPhaseCheck> checks;
  for (const int64_t n : {64, 128, 256, 512, 1024}) {
    const std::string phase = "gemm_fp32_" + std::to_string(n);
    if (const Phase* p = f.find(phase))
      checks.push_back({phase, std::to_string(n) + "^3 fp32 product, Eigen, one thread",
                        p->s_per_iter, step_time(preset, product_step(n), 1, "graph"), n == 1024});
  }
  if (const Phase* p = f.find("torch_gemm_fp32_1024"))
    checks.push_back({"torch_gemm_fp32_1024", "1024^3 fp32 product, PyTorch eager, one thread",
                      p->s_per_iter, step_time(preset, product_step(1024), 1, "eager"), true});
  if (const Phase* p = f.find("torch_gemm_fp32_256"))
    checks.push_back({"torch_gemm_fp32_256", "256^3 fp32 product, PyTorch eager, one thread",
                      p->s_per_iter, step_time(preset, product_step(256), 1, "eager"), false});
  if (const Phase* p = f.find("torch_gemm_fp32_256_all"))
    checks.push_back({"torch_gemm_fp32_256_all", "256^3 fp32 product, PyTorch eager, all cores",
                      p->s_per_iter,
                      step_time(preset, product_step(256), static_cast<int64_t>(f.cores), "eager"),
                      f.cores > 1});
  if (const Phase* p = f.find("trainer_step_tiny"))
    checks.push_back({"trainer_step_tiny", "bp step of mlp:4-4-2, batch 1, frugal's trainer",
                      p->s_per_iter, step_time(preset, tiny_step("trainer_step_tiny"), 1, "graph"),
                      true});
  if (const Phase* p = f.find("trainer_conv_tiny"))
    checks.push_back({"trainer_conv_tiny", "bp step of a tiny CNN, batch 8, frugal's trainer",
                      p->s_per_iter, step_time(preset, tiny_step("trainer_conv_tiny"), 1, "graph"),
                      true});
  if (const Phase* p = f.find("torch_step_tiny"))
    checks.push_back({"torch_step_tiny", "bp step of mlp:4-4-2, batch 1, PyTorch eager",
                      p->s_per_iter, step_time(preset, tiny_step("trainer_step_tiny"), 1, "eager"),
                      true});
  return checks;
}

}  // namespace frugal::hw::cpu
