// The cost simulation of one training step on the devices: the default scenario
// (mlp:784-256-128-10, bp, batch 64) on the CPU and its parts; ResNet-50 and GPT-3 on GPUs.
// See bench/README.md for results.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <systemc>

#include "algorithms/learning_rule.h"
#include "bench/bench_main.h"
#include "hw_models/cpu/cpu_mapper.h"
#include "hw_models/device.h"
#include "sim/scenario/run_scenario.h"
#include "workloads/model_registry.h"

namespace {

using namespace frugal;

algorithms::TrainingStep default_step(int64_t batch) {
  workloads::BuildOptions build;
  build.batch = batch;
  return algorithms::make_rule("bp")->expand(workloads::build_model("mlp:784-256-128-10", build),
                                             {});
}

// Model spec -> forward graph -> BP training step (the algorithmic part, no hardware).
void BM_ExpandBp(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(default_step(state.range(0)));
  state.SetItemsProcessed(state.iterations());
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExpandBp)->Arg(64);

// Instructions, cores and bytes per cache level for every op (plain C++, no SystemC).
void BM_CpuMapStep(benchmark::State& state) {
  const auto step = default_step(state.range(0));
  const auto params = hw::cpu::CpuParams::from(hw::find_preset("cpu"));
  for (auto _ : state) benchmark::DoNotOptimize(hw::cpu::map_step(step.graph, params));
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CpuMapStep)->Arg(64);

// The device's simulate(): mapping, the SystemC/TLM timing run, and the energy ledger.
void BM_CpuSimulateStep(benchmark::State& state) {
  const auto step = default_step(state.range(0));
  const auto device = hw::make_device(hw::find_preset("cpu"));
  double simulated_macs = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(device->simulate(step));
    simulated_macs += static_cast<double>(step.graph.macs());
  }
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["simulated_MAC_per_s"] =
      benchmark::Counter(simulated_macs, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CpuSimulateStep)->Arg(64)->Arg(1024);

// A whole scenario as `frugal run` does it, without the output: names resolved, presets parsed,
// model built, rule expanded, device simulated.
void BM_RunScenario(benchmark::State& state) {
  sim::Scenario scenario;
  for (auto _ : state) benchmark::DoNotOptimize(sim::run_scenario(scenario));
  state.counters["scenarios_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RunScenario);

}  // namespace

namespace {

algorithms::TrainingStep gpu_step(const std::string& model, int64_t replica_batch,
                                  const std::string& precision, const algorithms::Parallelism& p) {
  workloads::BuildOptions build;
  build.batch = replica_batch;
  build.element_bytes = algorithms::format_bytes(precision);
  auto step = algorithms::make_rule("bp")->expand(workloads::build_model(model, build), {});
  step.precision = precision;
  algorithms::spread(step, p);
  return step;
}

void time_simulation(benchmark::State& state, const std::string& preset,
                     const algorithms::TrainingStep& step) {
  const auto device = hw::make_device(hw::find_preset(preset));
  for (auto _ : state) benchmark::DoNotOptimize(device->simulate(step));
  state.counters["ops"] = static_cast<double>(step.graph.ops().size());
}

}  // namespace

// One ResNet-50 training step, batch 256, bf16, on one A100 80 GB (target: under 50 ms).
void BM_GpuResNet50Step(benchmark::State& state) {
  time_simulation(state, "gpu:a100-80gb", gpu_step("resnet50", 256, "bf16", {}));
}
BENCHMARK(BM_GpuResNet50Step)->Unit(benchmark::kMillisecond);

// One GPT-3 training step (batch 1600 over 10,240 V100s: 80 data x 8 tensor x 16 pipeline,
// 20 micro-batches of one sequence, ZeRO-2), fp16: one GPU's share and its communication
// (target: under 1 s).
void BM_GpuGpt3Step(benchmark::State& state) {
  algorithms::Parallelism p;
  p.devices = 10240;
  p.tensor = 8;
  p.pipeline = 16;
  p.micro_batches = 20;
  p.shard_optimizer = true;
  time_simulation(state, "gpu:v100", gpu_step("gpt3", 1600 / 80, "fp16", p));
}
BENCHMARK(BM_GpuGpt3Step)->Unit(benchmark::kMillisecond);

FRUGAL_BENCHMARK_MAIN()
