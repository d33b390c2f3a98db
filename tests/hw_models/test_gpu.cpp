// The GPU device, simulated in this process (one SystemC elaboration serves every test here).

#include <catch2/catch.hpp>
#include <cmath>

#include "algorithms/learning_rule.h"
#include "hw_models/device.h"
#include "hw_models/gpu/gpu_mapper.h"
#include "hw_models/gpu/gpu_params.h"
#include "results/core/error.h"
#include "tests/hw_models/steps.h"
#include "workloads/model_registry.h"
#include "workloads/net_builder.h"

using namespace frugal;
using namespace frugal::hw;

using testing::simulate;
using testing::step_of;

TEST_CASE("A large bf16 GEMM on the H100 runs near peak at about TDP / peak per FLOP",
          "[quick][hw][gpu]") {
  // The second layer: its input is already on the device (the first reads the batch from the
  // host), as in the measured 8192³ product (docs/references.md#h100-measured: 798 TFLOP/s).
  const auto step = step_of("inference", "mlp:8192-8192-8192", 8192);
  const Cost cost = simulate("gpu:h100-sxm", step);
  const gpu::GpuParams p = gpu::GpuParams::from(find_preset("gpu:h100-sxm"));
  const size_t gemm = step.graph.ops().size() - 1;
  REQUIRE(step.graph.ops()[gemm].kind == workloads::OpKind::dense);
  const double flops = 2.0 * static_cast<double>(step.graph.ops()[gemm].macs);
  const OpCost& op = cost.ops[gemm];
  const double rate = flops / op.latency_s;
  CHECK(rate > 0.7 * p.peak.bf16);
  CHECK(rate <= p.peak.bf16 * p.gemm_efficiency * 1.0001);  // never above the sustained peak
  const double per_flop = op.energy_total_j() / flops;
  const double tdp_over_peak = p.tdp_w / p.peak.bf16;  // 0.71 pJ
  CHECK(per_flop > 0.9 * tdp_over_peak);
  CHECK(per_flop < 1.5 * tdp_over_peak);
  CHECK(op.energy_total_j() / op.latency_s <= p.tdp_w * (1 + 1e-9));
}

TEST_CASE("A memory-bound elementwise op streams at HBM bandwidth", "[quick][hw][gpu]") {
  workloads::BuildOptions build;
  build.batch = 1;
  build.element_bytes = 2;
  workloads::NetBuilder net("stream", build);
  workloads::Value x = net.input({int64_t{1} << 29});  // 1 GiB of bf16 in, 1 GiB out
  x = net.activation(x, "relu", "first");              // reads the batch from the host
  algorithms::TrainingStep step =
      algorithms::make_rule("inference")->expand(net.finish(net.activation(x, "relu", "relu")), {});
  step.precision = "bf16";
  const Cost cost = simulate("gpu:h100-sxm", step);
  const gpu::GpuParams p = gpu::GpuParams::from(find_preset("gpu:h100-sxm"));
  const double bytes = static_cast<double>(cost.ops[1].dram_bytes);
  CHECK(bytes >= 2.0 * (1 << 30));
  const double kernel_s = cost.ops[1].latency_s - p.kernel_launch_s;
  CHECK(bytes / kernel_s == Approx(p.hbm_sustained_bandwidth()).epsilon(0.02));
  // The first op waited for the batch to cross the host link.
  CHECK(cost.ops[0].latency_s > (1 << 30) / p.host_bandwidth_bytes_per_s);
}

TEST_CASE("A batch-1 MLP inference is dominated by kernel launches", "[quick][hw][gpu]") {
  const auto step = step_of("inference", "mlp:784-256-128-10", 1);
  const Cost cost = simulate("gpu:h100-sxm", step);
  const gpu::GpuParams p = gpu::GpuParams::from(find_preset("gpu:h100-sxm"));
  // Each kernel takes the shortest a kernel takes (the H200's fit: 6.2 us, above its launch).
  const double floors = p.kernel_min_s * static_cast<double>(step.graph.ops().size());
  CHECK(p.kernel_min_s >= p.kernel_launch_s);
  CHECK(floors / cost.latency_s > 0.8);
  // Nearly all of its energy is the board idling while kernels launch.
  CHECK(cost.ledger.component(Component::static_power) / cost.ledger.total() > 0.9);
}

TEST_CASE("GPU energy parts sum to the total; power never exceeds TDP", "[quick][hw][gpu]") {
  for (const char* preset : {"gpu:v100", "gpu:a100-40gb", "gpu:a100-80gb", "gpu:h100-sxm"}) {
    INFO(preset);
    const auto step = step_of("bp", "resnet18:64x64", 64, "fp16");
    const Cost cost = simulate(preset, step);
    const double tdp = find_preset(preset).get("tdp");
    double ops_total = 0, by_component = 0, by_phase = 0, latency_sum = 0;
    for (const OpCost& op : cost.ops) {
      ops_total += op.energy_total_j();
      latency_sum += op.latency_s;
      REQUIRE(op.latency_s > 0);
      CHECK(op.energy_total_j() / op.latency_s <= tdp * (1 + 1e-9));
    }
    for (int k = 0; k < kComponentCount; ++k)
      by_component += cost.ledger.component(component_from_index(k));
    for (int ph = 0; ph < workloads::kPhaseCount; ++ph)
      by_phase += cost.ledger.phase(workloads::phase_from_index(ph));
    CHECK(ops_total == Approx(cost.ledger.total()).epsilon(1e-12));
    CHECK(by_component == Approx(cost.ledger.total()).epsilon(1e-12));
    CHECK(by_phase == Approx(cost.ledger.total()).epsilon(1e-12));
    CHECK(cost.latency_s == Approx(latency_sum).epsilon(1e-9));
  }
}

TEST_CASE("Newer GPUs train faster; lower precision is faster and cheaper", "[quick][hw][gpu]") {
  const auto fp16 =
      step_of("bp", "gpt:layers=4,d_model=1024,heads=16,seq=512,vocab=32000", 16, "fp16");
  const Cost v100 = simulate("gpu:v100", fp16), a100 = simulate("gpu:a100-80gb", fp16),
             h100 = simulate("gpu:h100-sxm", fp16);
  CHECK(a100.latency_s < v100.latency_s);
  CHECK(h100.latency_s < a100.latency_s);
  const auto fp32 =
      step_of("bp", "gpt:layers=4,d_model=1024,heads=16,seq=512,vocab=32000", 16, "fp32");
  const Cost slow = simulate("gpu:a100-80gb", fp32);
  CHECK(slow.latency_s > a100.latency_s);
  CHECK(slow.ledger.total() > a100.ledger.total());
}

TEST_CASE("The GPU refuses a precision the part lacks and a step that does not fit",
          "[quick][hw][gpu]") {
  CHECK_THROWS_WITH(simulate("gpu:v100", step_of("bp", "mlp:784-256-128-10", 64, "bf16")),
                    Catch::Contains("gpu:v100 has no bf16 mode (it computes in fp32, fp16)"));
  CHECK_THROWS_WITH(simulate("gpu:a100-80gb", step_of("inference", "mlp:784-10", 1, "fp8")),
                    Catch::Contains("gpu:a100-80gb has no fp8 mode"));
  CHECK_THROWS_WITH(simulate("gpu:h100-sxm", step_of("bp", "gpt3", 1)),
                    Catch::Contains("device memory") && Catch::Contains("gpu:h100-sxm has 85.9"));
}

namespace {

algorithms::TrainingStep replicated(const std::string& spec, int64_t batch, int64_t devices) {
  algorithms::TrainingStep step = step_of("bp", spec, batch / devices, "bf16");
  algorithms::Parallelism p;
  p.devices = devices;
  algorithms::spread(step, p);
  return step;
}

double compute_time(const algorithms::TrainingStep& step, const Cost& cost) {
  double s = 0;
  for (size_t i = 0; i < cost.ops.size(); ++i)
    if (step.graph.ops()[i].kind != workloads::OpKind::all_reduce) s += cost.ops[i].latency_s;
  return s;
}

}  // namespace

TEST_CASE("Data parallelism: twice the GPUs, about half the compute time, plus an all-reduce",
          "[quick][hw][gpu]") {
  const auto eight = replicated("resnet50", 2048, 8), sixteen = replicated("resnet50", 2048, 16);
  const Cost c8 = simulate("gpu:a100-80gb", eight), c16 = simulate("gpu:a100-80gb", sixteen);
  const double ratio = compute_time(sixteen, c16) / compute_time(eight, c8);
  CHECK(ratio > 0.45);
  CHECK(ratio < 0.6);
  // The all-reduce: 2·(D − 1)/D of the gradients per GPU; 8 GPUs share a node (NVLink), 16 do
  // not (the network), so the second is slower although it sends about as much.
  const auto reduce_of = [](const algorithms::TrainingStep& s) {
    for (size_t i = 0; i < s.graph.ops().size(); ++i)
      if (s.graph.ops()[i].kind == workloads::OpKind::all_reduce) return i;
    return s.graph.ops().size();
  };
  const size_t r8 = reduce_of(eight), r16 = reduce_of(sixteen);
  REQUIRE(r8 < eight.graph.ops().size());
  CHECK(eight.graph.ops()[r8].phase == workloads::Phase::update);
  CHECK(!eight.graph.ops()[r8].crosses_nodes);
  CHECK(sixteen.graph.ops()[r16].crosses_nodes);
  CHECK(c16.ops[r16].latency_s > c8.ops[r8].latency_s);
  const Preset a100 = find_preset("gpu:a100-80gb");
  const double gradients = static_cast<double>(eight.memory.gradients_bytes);
  const double sent = 2.0 * 7.0 / 8.0 * gradients;
  // Interconnect energy: what each GPU sends, times the per-byte figure, for all 8 GPUs.
  CHECK(c8.ops[r8].energy_j[static_cast<size_t>(Component::interconnect)] ==
        Approx(8 * sent * a100.get("nvlink_energy_per_byte")).epsilon(1e-6));
  // Without a pipeline the reduction overlaps the backward pass, which outlasts it here: only
  // the last 25 MiB bucket's share is exposed.
  const double full_s = sent / a100.get("nvlink_bandwidth");
  CHECK(c8.ops[r8].latency_s < full_s);
  CHECK(c8.ops[r8].latency_s >= full_s * 25.0 * 1024 * 1024 / gradients);
  // Every GPU's energy is in the total, and each stays under its power limit.
  double ops_total = 0;
  for (const OpCost& op : c16.ops) {
    ops_total += op.energy_total_j();
    CHECK(op.energy_total_j() / op.latency_s <= 16 * a100.get("tdp") * (1 + 1e-9));
  }
  CHECK(ops_total == Approx(c16.ledger.total()).epsilon(1e-12));
}

TEST_CASE("The CPU refuses data parallelism", "[quick][hw][gpu]") {
  StepRequest request;
  request.parallelism.devices = 2;
  CHECK_THROWS_WITH(make_device(find_preset("cpu"))->check(request),
                    Catch::Contains("--devices 2 is not modelled for cpu"));
}

TEST_CASE("Tensor and pipeline parallelism and sharding make GPT-3 fit, with their costs",
          "[quick][hw][gpu]") {
  // One data-parallel replica's share of GPT-3's batch: 16 sequences.
  auto single = step_of("bp", "gpt3", 16, "fp16");
  CHECK_THROWS_WITH(simulate("gpu:v100", single), Catch::Contains("device memory"));
  algorithms::Parallelism p;
  p.devices = 96 * 8 * 16;
  p.tensor = 8;
  p.pipeline = 16;
  p.shard_optimizer = true;
  auto crowded = single;  // 4 x 16 micro-batches of 16 sequences: less than one each
  CHECK_THROWS_WITH(algorithms::spread(crowded, p),
                    Catch::Contains("--micro-batches 64 exceeds the 16 samples a replica takes"));
  p.micro_batches = 16;  // one sequence each
  auto step = single;
  algorithms::spread(step, p);
  CHECK(step.memory.weights_bytes * 128 >= single.memory.weights_bytes);
  CHECK(step.memory.optimizer_state_bytes * 128 * 96 >= single.memory.optimizer_state_bytes);
  const Cost cost = simulate("gpu:v100", step);  // fits now
  double busy = 0, bubble = 0;
  int all_reduces = 0;
  for (size_t i = 0; i < cost.ops.size(); ++i) {
    const workloads::Op& op = step.graph.ops()[i];
    if (op.kind == workloads::OpKind::pipeline_bubble)
      bubble = cost.ops[i].latency_s;
    else
      busy += cost.ops[i].latency_s;
    if (op.kind == workloads::OpKind::all_reduce) ++all_reduces;
  }
  CHECK(all_reduces == 3);  // tensor-parallel forward and backward, and the gradients
  // 16 stages, 16 micro-batches: the pipeline idles 15/16 of its busy time.
  CHECK(bubble == Approx(busy * 15.0 / 16.0).epsilon(1e-9));
  // Per GPU, about 1/(16 × 8) of the replica's work: the bubble alone keeps a V100 below half its
  // fp16 peak.
  double macs = 0;
  for (const workloads::Op& op : step.graph.ops()) macs += static_cast<double>(op.macs);
  CHECK(macs == Approx(static_cast<double>(single.graph.macs()) / 128).epsilon(1e-3));
  CHECK(2 * macs / cost.latency_s < 0.5 * 125e12);
  algorithms::Parallelism wide = p;
  wide.tensor = 16;
  wide.pipeline = 8;
  auto too_wide = single;
  CHECK_THROWS_WITH(algorithms::spread(too_wide, wide),
                    Catch::Contains("--tensor-parallel 16 exceeds the 8 devices of a node"));
}

TEST_CASE("A 1F1B pipeline holds the activations of the micro-batches in flight",
          "[quick][hw][gpu]") {
  const auto single = step_of("bp", "gpt2", 32, "bf16");
  algorithms::Parallelism p;
  p.devices = 4;
  p.pipeline = 4;
  p.micro_batches = 4;  // all four in flight: a stage holds its layers' share of all of them
  auto four = single;
  algorithms::spread(four, p);
  CHECK(four.memory.activations_bytes == (single.memory.activations_bytes + 3) / 4);
  p.micro_batches = 16;  // four of sixteen in flight
  auto sixteen = single;
  algorithms::spread(sixteen, p);
  CHECK(static_cast<double>(sixteen.memory.activations_bytes) ==
        Approx(static_cast<double>(four.memory.activations_bytes) / 4).epsilon(1e-6));
  CHECK(static_cast<double>(sixteen.memory.peak_activation_bytes) ==
        Approx(static_cast<double>(four.memory.peak_activation_bytes) / 4).epsilon(1e-6));
  CHECK(sixteen.memory.weights_bytes == four.memory.weights_bytes);
}

TEST_CASE("Activation checkpointing keeps block inputs and recomputes the forward pass",
          "[quick][hw][gpu]") {
  const auto plain = step_of("bp", "gpt2", 8, "bf16");
  auto checkpointed = plain;
  algorithms::checkpoint_activations(checkpointed);
  // GPT-2 small: 12 layers of 768 x 1024 tokens in bf16; each block's input (the residual
  // stream, 8 x 1024 x 768 x 2 B = 12.6 MB) is kept, and the loss's labels (a token id each,
  // 8 x 1024 x 8 B), plus the largest block's own activations (the loss's probabilities, as large
  // as the logits, 8 x 1024 x 50,257 x 2 B = 823 MB): under a third of every activation.
  const int64_t stream = 8LL * 1024 * 768 * 2, logits = 8LL * 1024 * 50257 * 2;
  const int64_t labels = 8LL * 1024 * 8;
  CHECK(checkpointed.memory.activations_bytes >= 12 * stream + labels + logits);
  CHECK(checkpointed.memory.activations_bytes < 15 * stream + labels + logits);
  CHECK(checkpointed.memory.activations_bytes < plain.memory.activations_bytes / 3);
  CHECK(plain.memory.peak_activation_bytes - checkpointed.memory.peak_activation_bytes ==
        plain.memory.activations_bytes - checkpointed.memory.activations_bytes);
  // The forward pass runs twice: its MACs are added, marked as recomputation.
  int64_t forward = 0, recomputed = 0;
  for (const workloads::Op& op : plain.graph.ops())
    if (op.phase == workloads::Phase::forward) forward += op.macs;
  for (const workloads::Op& op : checkpointed.graph.ops())
    if (op.recompute) {
      CHECK(op.phase == workloads::Phase::backward_data);
      recomputed += op.macs;
    }
  CHECK(recomputed == forward);
  CHECK(checkpointed.graph.macs() == plain.graph.macs() + forward);
  // Uncalibrated, recomputing costs time and energy; calibrated to a utilization of the model's
  // FLOPs, the step takes the same time (recomputation is not model FLOPs), and no less energy.
  const Cost a = simulate("gpu:a100-80gb", plain), b = simulate("gpu:a100-80gb", checkpointed);
  CHECK(b.latency_s > a.latency_s);
  CHECK(b.ledger.total() > a.ledger.total());
  auto plain_at = plain, checkpointed_at = checkpointed;
  plain_at.utilization = checkpointed_at.utilization = 0.1;
  const Cost c = simulate("gpu:a100-80gb", plain_at);
  const Cost d = simulate("gpu:a100-80gb", checkpointed_at);
  CHECK(d.latency_s == Approx(c.latency_s).epsilon(1e-9));
  CHECK(d.ledger.total() >= c.ledger.total());
  auto inference = step_of("inference", "gpt2", 8, "bf16");
  CHECK_THROWS_WITH(algorithms::checkpoint_activations(inference),
                    Catch::Contains("--activation-checkpointing recomputes activations for a "
                                    "backward pass; inference's step has none"));
}

namespace {

// The kernels of `step` as the mapper sizes them on `preset`.
std::vector<gpu::KernelWork> kernels(const std::string& preset,
                                     const algorithms::TrainingStep& step) {
  return gpu::map_step(step.graph, gpu::GpuParams::from(find_preset(preset)), step.precision, true);
}

size_t op_named(const algorithms::TrainingStep& step, const std::string& name) {
  for (size_t i = 0; i < step.graph.ops().size(); ++i)
    if (step.graph.ops()[i].name == name) return i;
  FAIL("no op " << name);
  return 0;
}

}  // namespace

TEST_CASE("Split-K: a product with few output tiles and a long reduction spreads it over the SMs",
          "[quick][hw][gpu]") {
  // The last layer's weight gradient at batch 4096: 128 x 10 weights and 10 biases (1290
  // outputs, two 32 x 32 tiles) over a reduction of 4096 x 1280 / 1290 = 4064.
  const auto step = step_of("bp", "mlp:784-256-128-10", 4096);
  const size_t i = op_named(step, "fc3.grad_weight");
  const workloads::Op& op = step.graph.ops()[i];
  REQUIRE(op.kind == workloads::OpKind::dense_grad_weight);
  REQUIRE(op.out.elements() == 1290);
  const gpu::GpuParams p = gpu::GpuParams::from(find_preset("gpu:h200"));
  const gpu::KernelWork w = kernels("gpu:h200", step)[i];
  // Slices of at least 256: min(132 SMs / 2 tiles, 4064 / 256) = 15 slices, 30 SMs, one wave;
  // the bias gradient's kernel covers its 4096 x 10 inputs: 40 blocks of 1024 on 40 SMs.
  CHECK(w.sm_utilization == Approx(40.0 / 132));
  const double inner = static_cast<double>(op.macs) / 1290, slice = inner / 15;
  // 10 bf16 values are 20 bytes, not a whole number of 16-byte vectors: the unaligned rate.
  const double rate = p.peak.bf16 * p.gemm_efficiency * p.gemm_unaligned_efficiency / 132 * slice /
                      (slice + p.gemm_inner_half);
  const double bias = static_cast<double>(op.other_ops) / (p.peak.fp32 / 132 * 40);
  CHECK(w.compute_s == Approx(2.0 * slice * 1290 / 2 / rate + bias).epsilon(1e-9));
  // Without split-K the two tiles would run the whole reduction: 15 times longer.
  CHECK(w.compute_s < 2.0 * inner * 1290 / 2 / rate / 10);
}

TEST_CASE("A reduction's kernel covers its inputs: a batch norm's weight gradient fills the SMs",
          "[quick][hw][gpu]") {
  const auto step = step_of("bp", "resnet18:64x64", 64);
  const std::vector<gpu::KernelWork> work = kernels("gpu:a100-80gb", step);
  int reductions = 0;
  for (size_t i = 0; i < work.size(); ++i)
    if (step.graph.ops()[i].kind == workloads::OpKind::norm_grad_weight) {
      INFO(step.graph.ops()[i].name);
      ++reductions;
      // Two values per channel out, the whole activation in (at least 64 x 64 x 2 x 2 values).
      CHECK(work[i].sm_utilization == 1.0);
    }
  CHECK(reductions == 20);
}

TEST_CASE("Memory-bound kernels stream at their kind's measured rate", "[quick][hw][gpu]") {
  // gpu:h200: a batch norm (channels-last, measured) reaches 0.1994 of 4.8 TB/s, relu 0.8913.
  workloads::BuildOptions build;
  build.batch = 256;
  build.element_bytes = 2;
  workloads::NetBuilder net("bn", build);
  const workloads::Value y =
      net.activation(net.batch_norm(net.input({64, 56, 56}), "bn"), "relu", "relu");
  const workloads::Graph forward = net.finish(y);
  // In training, statistics over the batch (as the H200's batch norm was measured).
  algorithms::TrainingStep step = algorithms::make_rule("inference")->expand(forward, {});
  step.graph = forward;
  step.precision = "bf16";
  const std::vector<gpu::KernelWork> work = kernels("gpu:h200", step);
  const workloads::Op& bn = step.graph.ops()[0];
  const workloads::Op& relu = step.graph.ops()[1];
  CHECK(work[0].compute_s ==
        Approx(static_cast<double>(bn.bytes_read() + bn.bytes_written()) / (4.8e12 * 0.1994)));
  CHECK(work[1].compute_s ==
        Approx(static_cast<double>(relu.bytes_read() + relu.bytes_written()) / (4.8e12 * 0.8913)));
  CHECK(work[0].sm_utilization == 1.0);
  // An inference step runs the network in eval mode: the batch norm is a scale and a shift with
  // its running statistics (2 operations a value, not 7), streamed as an elementwise kernel.
  algorithms::TrainingStep eval = algorithms::make_rule("inference")->expand(forward, {});
  eval.precision = "bf16";
  const workloads::Op& scale_shift = eval.graph.ops()[0];
  CHECK(scale_shift.function == "batch_eval");
  CHECK(scale_shift.other_ops == 2 * bn.out.elements());
  CHECK(kernels("gpu:h200", eval)[0].compute_s ==
        Approx(static_cast<double>(bn.bytes_read() + bn.bytes_written()) / (4.8e12 * 0.8913)));
}

TEST_CASE("A tensor-core product with a dimension off 16 bytes runs at the unaligned rate",
          "[quick][hw][gpu]") {
  // GPT-2's output layer, 8192 tokens by 768 by the vocabulary: 50257 wide (odd) against 50304.
  const auto product = [](int64_t vocab, const std::string& precision) {
    workloads::BuildOptions build;
    build.batch = 8192;
    build.element_bytes = testing::bytes_of(precision);
    workloads::NetBuilder net("lm", build);
    algorithms::TrainingStep step =
        algorithms::make_rule("inference")
            ->expand(net.finish(net.dense(net.input({768}), vocab, "head", false)), {});
    step.precision = precision;
    const gpu::KernelWork w = kernels("gpu:h200", step)[0];
    return w.compute_s / static_cast<double>(step.graph.ops()[0].macs);  // per MAC
  };
  CHECK(product(50257, "bf16") / product(50304, "bf16") == Approx(1 / 0.1678).epsilon(0.01));
  // fp32 products run on the CUDA cores, which load scalars: no penalty.
  CHECK(product(50257, "fp32") / product(50304, "fp32") == Approx(1).epsilon(0.01));
}

TEST_CASE("No kernel takes less than the part's shortest kernel", "[quick][hw][gpu]") {
  const auto step = step_of("inference", "mlp:784-256-128-10", 1);
  const Cost cost = simulate("gpu:h200", step);
  const double floor = find_preset("gpu:h200").get("kernel_min_time");
  CHECK(floor == Approx(6.22e-6));
  for (size_t i = 1; i < cost.ops.size(); ++i) CHECK(cost.ops[i].latency_s == floor);
}

TEST_CASE("A GPU preset needs an energy per operation for each precision it computes in",
          "[quick][hw][gpu]") {
  Preset p = find_preset("gpu:h200");
  p.set("op_energy_bf16", "0 pJ");
  CHECK_THROWS_WITH(gpu::GpuParams::from(p),
                    Catch::Contains("gpu:h200: op_energy_bf16 must be positive, as the part "
                                    "computes in bf16"));
}

TEST_CASE(
    "Eager: the host dispatches every op; a batch-64 MLP step is host-bound, the GPU idle "
    "meanwhile",
    "[quick][hw][gpu]") {
  auto graph = step_of("bp", "mlp:784-256-128-10", 64, "fp32");
  graph.inputs_on_device = true;
  auto eager = graph;
  eager.runtime = "eager";
  const Cost g = simulate("gpu:h200", graph), e = simulate("gpu:h200", eager);
  const Preset p = find_preset("gpu:h200");
  // Products dispatch as library calls, other ops as plain ones, the optimizer's updates at once.
  double dispatch = 0;
  int updates = 0;
  for (const workloads::Op& op : eager.graph.ops()) {
    if (op.kind == workloads::OpKind::optimizer_update && updates++ > 0) continue;
    dispatch += op.macs > 0 ? p.get("dispatch_product") : p.get("dispatch_op");
  }
  CHECK(updates == 3);  // one per layer, its weights and bias
  REQUIRE(dispatch > g.latency_s);
  CHECK(e.latency_s == Approx(dispatch).epsilon(1e-9));
  // The waits cost the board's idle power, nothing else.
  CHECK(e.ledger.total() - g.ledger.total() ==
        Approx(p.get("idle_power") * (e.latency_s - g.latency_s)).epsilon(1e-9));
  double sum = 0;
  for (const OpCost& op : e.ops) sum += op.latency_s;
  CHECK(sum == Approx(e.latency_s).epsilon(1e-12));
}

TEST_CASE("Eager: a step whose kernels outlast their dispatch takes its kernels' time",
          "[quick][hw][gpu]") {
  auto graph = step_of("bp", "resnet50", 256, "bf16");
  auto eager = graph;
  eager.runtime = "eager";
  const Cost g = simulate("gpu:h200", graph), e = simulate("gpu:h200", eager);
  CHECK(e.latency_s == Approx(g.latency_s).epsilon(1e-12));
  CHECK(e.ledger.total() == Approx(g.ledger.total()).epsilon(1e-12));
}

TEST_CASE("Only GPUs and CPUs model a runtime; CPUs have no compiled one", "[quick][hw][gpu]") {
  StepRequest request;
  request.runtime = "eager";
  CHECK_NOTHROW(make_device(find_preset("cpu"))->check(request));
  CHECK_THROWS_WITH(make_device(find_preset("analog:pcm"))->check(request),
                    Catch::Contains("--runtime eager is modelled for GPUs and CPUs; analog:pcm is "
                                    "an analog device"));
  request.runtime = "compiled";
  CHECK_THROWS_WITH(make_device(find_preset("cpu"))->check(request),
                    Catch::Contains("--runtime compiled is not modelled for CPUs"));
  request.runtime = "jit";
  CHECK_THROWS_WITH(make_device(find_preset("gpu:h200"))->check(request),
                    Catch::Contains("unknown --runtime 'jit' (expected graph, eager or compiled)"));
}

namespace {

// GPT-2 small's step at 8 x 1024 tokens in bf16, attention fused or not, with dropout `p`.
algorithms::TrainingStep gpt2_step(const std::string& rule, bool fused, double p = 0,
                                   const std::string& optimizer = "momentum") {
  workloads::BuildOptions build;
  build.batch = 8;
  build.element_bytes = 2;
  build.fused_attention = fused;
  const std::string spec = "gpt:layers=12,d_model=768,heads=12,seq=1024,vocab=50257" +
                           (p > 0 ? ",dropout=" + std::to_string(p) : std::string());
  algorithms::StepOptions options;
  options.optimizer = optimizer;
  algorithms::TrainingStep step =
      algorithms::make_rule(rule)->expand(workloads::build_model(spec, build), options);
  step.precision = "bf16";
  return step;
}

int count_kind(const algorithms::TrainingStep& step, workloads::OpKind kind,
               const std::string& function = "") {
  int n = 0;
  for (const workloads::Op& op : step.graph.ops())
    if (op.kind == kind && (function.empty() || op.function == function)) ++n;
  return n;
}

}  // namespace

TEST_CASE("Fused attention: one kernel each way, the causal half of the scores, none in memory",
          "[quick][hw][gpu]") {
  using workloads::OpKind;
  const auto unfused = gpt2_step("bp", false), fused = gpt2_step("bp", true);
  CHECK(count_kind(unfused, OpKind::attention) == 0);
  CHECK(count_kind(unfused, OpKind::softmax) == 12);
  CHECK(count_kind(fused, OpKind::attention) == 12);
  CHECK(count_kind(fused, OpKind::attention_grad) == 12);
  CHECK(count_kind(fused, OpKind::softmax) == 0);
  CHECK(count_kind(fused, OpKind::matmul) == 0);
  // 8 sequences x 12 heads x 1024·1025/2 scores a head, each 64 MACs for q·kᵀ and 64 for ·v;
  // the backward pass recomputes the scores: five products where the forward pass has two.
  const int64_t scores = 8LL * 12 * (1024LL * 1025 / 2);
  const workloads::Op& forward = fused.graph.ops()[op_named(fused, "h0.attn.fused")];
  CHECK(forward.macs == scores * 64 * 2);
  CHECK(fused.graph.ops()[op_named(fused, "h0.attn.fused.grad")].macs == forward.macs / 2 * 5);
  // Unfused, each layer keeps its 8 x 12 x 1024 x 1024 probabilities for the backward pass (bf16);
  // fused, a log-sum-exp per row (fp32).
  const int64_t per_layer_probs = 8LL * 12 * 1024 * 1024 * 2;
  CHECK(unfused.memory.activations_bytes - fused.memory.activations_bytes ==
        12 * (per_layer_probs - 8LL * 12 * 1024 * 4));
  // On the H200 the fused kernel runs its products at attention_efficiency (0.447, fitted to
  // PyTorch's fused attention) of a product's rate, and the step is shorter.
  Preset faster = find_preset("gpu:h200");
  faster.set("attention_efficiency", "0.894");
  const std::vector<gpu::KernelWork> at_fit = kernels("gpu:h200", fused);
  const std::vector<gpu::KernelWork> at_double =
      gpu::map_step(fused.graph, gpu::GpuParams::from(faster), "bf16", true);
  const size_t i = op_named(fused, "h0.attn.fused");
  CHECK(at_fit[i].matrix_ops == 2.0 * static_cast<double>(forward.macs));
  CHECK(at_double[i].compute_s < at_fit[i].compute_s);
  CHECK(simulate("gpu:h200", fused).latency_s < 0.85 * simulate("gpu:h200", unfused).latency_s);
}

TEST_CASE("Dropout draws a mask, keeps it (a byte a value) and applies it again backward",
          "[quick][hw][gpu]") {
  using workloads::OpKind;
  // GPT-2's sites: the embedding's output, and per block the probabilities and both residual
  // branches; fused attention draws its own inside its kernel.
  CHECK(count_kind(gpt2_step("bp", false, 0.1), OpKind::activation, "dropout") == 1 + 3 * 12);
  const auto fused = gpt2_step("bp", true, 0.1);
  CHECK(count_kind(fused, OpKind::activation, "dropout") == 1 + 2 * 12);
  CHECK(count_kind(gpt2_step("bp", true, 0), OpKind::activation, "dropout") == 0);
  const workloads::Op& drop = fused.graph.ops()[op_named(fused, "h0.mlp.dropout")];
  const int64_t values = 8LL * 1024 * 768;
  CHECK(drop.bytes_read() == 2 * values);
  CHECK(drop.bytes_written() == 2 * values + values);  // the output and the mask
  const workloads::Op& back = fused.graph.ops()[op_named(fused, "h0.mlp.dropout.grad")];
  CHECK(back.bytes_read() == 2 * values + values);  // the output's gradient and the mask
  CHECK(back.other_ops == values);
  CHECK(fused.graph.ops()[op_named(fused, "h0.attn.fused")].other_ops >
        gpt2_step("bp", true, 0).graph.ops()[op_named(fused, "h0.attn.fused")].other_ops);
  CHECK_THROWS_WITH(workloads::build_model("gpt:layers=1,d_model=8,heads=2,seq=4,vocab=10,"
                                           "dropout=1",
                                           {}),
                    Catch::Contains("dropout must be a probability in [0, 1), got '1'"));
}

TEST_CASE("A GPU runs PyTorch's foreach optimizers: Adam streams 18 values a parameter, not 7",
          "[quick][hw][gpu]") {
  const auto step = gpt2_step("bp", true, 0, "adam");
  const std::vector<gpu::KernelWork> work = kernels("gpu:h200", step);
  const size_t i = op_named(step, "h0.ln_1.update");
  const workloads::Op& update = step.graph.ops()[i];
  CHECK(update.function == "adam");
  const double fused = static_cast<double>(update.bytes_read() + update.bytes_written());
  CHECK(static_cast<double>(work[i].l2_bytes) == Approx(fused * 18 / 7).epsilon(1e-6));
  // SGD's foreach update is one pass, as a fused one.
  const auto sgd = gpt2_step("bp", true, 0, "sgd");
  const size_t j = op_named(sgd, "h0.ln_1.update");
  const workloads::Op& plain = sgd.graph.ops()[j];
  CHECK(kernels("gpu:h200", sgd)[j].l2_bytes == plain.bytes_read() + plain.bytes_written());
}

TEST_CASE("Compiled: forward elementwise ops run in the epilogue of the product before them",
          "[quick][hw][gpu]") {
  using workloads::OpKind;
  auto graph = step_of("inference", "resnet50", 256, "bf16");
  graph.inputs_on_device = true;
  auto compiled = graph;
  compiled.runtime = "compiled";
  const gpu::GpuParams p = gpu::GpuParams::from(find_preset("gpu:h200"));
  const std::vector<gpu::KernelWork> apart = gpu::map_step(graph.graph, p, "bf16", true);
  const std::vector<gpu::KernelWork> fused = gpu::map_step(graph.graph, p, "bf16", true, true);
  // ResNet-50: after each of its 53 convolutions a batch norm (eval mode: scale and shift), then
  // a relu after 49 of them; the 16 residual additions follow a batch norm, and a relu each.
  int norms = 0, relus = 0, adds = 0, pools = 0;
  int64_t hbm_apart = 0, hbm_fused = 0;
  for (size_t i = 0; i < fused.size(); ++i) {
    const workloads::Op& op = graph.graph.ops()[i];
    hbm_apart += apart[i].hbm_read_bytes + apart[i].hbm_write_bytes;
    hbm_fused += fused[i].hbm_read_bytes + fused[i].hbm_write_bytes;
    if (!fused[i].fused) continue;
    INFO(op.name);
    CHECK(fused[i].launch_s == 0);
    CHECK(fused[i].compute_s == 0);
    CHECK(fused[i].vector_ops == apart[i].vector_ops);  // its arithmetic still costs energy
    norms += op.kind == OpKind::norm;
    relus += op.kind == OpKind::activation;
    adds += op.kind == OpKind::elementwise;
    pools += op.kind == OpKind::pool;
  }
  CHECK(norms == 53);
  CHECK(relus == 49);
  CHECK(adds == 16);
  CHECK(pools == 0);  // a pool is a kernel of its own
  CHECK(hbm_fused < hbm_apart);
  const Cost a = simulate("gpu:h200", graph), c = simulate("gpu:h200", compiled);
  CHECK(c.latency_s < 0.8 * a.latency_s);
  CHECK(c.ledger.total() < a.ledger.total());
  // In training, a batch norm needs its batch's statistics: it stays a kernel, and nothing of
  // the backward pass is fused.
  const auto training = step_of("bp", "resnet50", 64, "bf16");
  const std::vector<gpu::KernelWork> t = gpu::map_step(training.graph, p, "bf16", true, true);
  for (size_t i = 0; i < t.size(); ++i) {
    const workloads::Op& op = training.graph.ops()[i];
    if (op.kind == OpKind::norm || op.phase != workloads::Phase::forward) CHECK_FALSE(t[i].fused);
  }
}

TEST_CASE("Training narrower than fp32 keeps fp32 master weights, gradients and optimizer state",
          "[quick][hw][gpu]") {
  // mlp:784-256-128-10: 235,146 parameters in 3 layers, Adam (two states a parameter).
  const auto step = [](const std::string& precision) {
    workloads::BuildOptions build;
    build.batch = 64;
    build.element_bytes = testing::bytes_of(precision);
    algorithms::StepOptions options;
    options.optimizer = "adam";
    return algorithms::make_rule("bp")->expand(workloads::build_model("mlp:784-256-128-10", build),
                                               options);
  };
  const int64_t params = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
  const auto bf16 = step("bf16"), fp32 = step("fp32");
  CHECK(bf16.memory.weights_bytes == 2 * params);           // the copies the products read
  CHECK(bf16.memory.gradients_bytes == 4 * params);         // fp32
  CHECK(bf16.memory.optimizer_state_bytes == 12 * params);  // master, two moments, fp32
  CHECK(fp32.memory.weights_bytes == 4 * params);
  CHECK(fp32.memory.optimizer_state_bytes == 8 * params);  // no master: the weights are fp32
  int casts = 0;
  for (const workloads::Op& op : bf16.graph.ops()) {
    if (op.function != "cast") continue;
    ++casts;
    CHECK(op.phase == workloads::Phase::update);
    CHECK(op.bytes_read() == 2 * op.bytes_written());  // fp32 in, bf16 out
  }
  CHECK(casts == 3);
  for (const workloads::Op& op : fp32.graph.ops()) CHECK(op.function != "cast");
  // The update reads and writes the masters, never the bf16 copies.
  for (const workloads::Op& op : bf16.graph.ops())
    if (op.kind == workloads::OpKind::optimizer_update)
      for (int id : op.writes) CHECK(bf16.graph.tensor(id).kind != workloads::TensorKind::weight);
}
