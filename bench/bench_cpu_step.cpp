// The cost simulation of one training step of the default scenario (mlp:784-256-128-10, bp,
// batch 64) on the CPU device, and its parts. See bench/README.md for results.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <systemc>

#include "algorithms/learning_rule.h"
#include "bench/bench_main.h"
#include "hw_models/cpu/cpu_mapper.h"
#include "hw_models/device.h"
#include "sim/run_scenario.h"
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

FRUGAL_BENCHMARK_MAIN()
