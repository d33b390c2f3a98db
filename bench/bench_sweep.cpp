// frugal_bench_sweep: whole sweeps of cost-only MLP scenarios, as `frugal sweep` runs them:
// expansion and checks, forked workers, results through pipes, the journal, and the HDF5 file
// (written, flushed, renamed). A separate binary from frugal_bench because the sweep forks its
// workers from a process that has not run SystemC yet (sim/sweep/worker_pool.h).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <systemc>

#include "bench/bench_main.h"
#include "sim/scenario/options.h"
#include "sim/sweep/sweep.h"

namespace {

using namespace frugal;

// Sweeps the default MLP (mlp:784-256-128-10, bp, cpu) over batch 1..N with `jobs` workers.
void BM_Sweep(benchmark::State& state) {
  const auto scenarios = state.range(0);
  const auto jobs = static_cast<int>(state.range(1));
  const std::string out = "/tmp/frugal-bench-sweep-" + std::to_string(::getpid()) + ".h5";
  std::ostringstream quiet;
  std::streambuf* const stdout_buffer = std::cout.rdbuf(quiet.rdbuf());
  for (auto _ : state) {
    sim::SweepOptions options;
    options.spec.base = sim::to_settings(sim::Scenario{});
    options.spec.add_axis("batch", "1:" + std::to_string(scenarios) + ":1", "--batch");
    options.spec.normalize();
    options.out = out;
    options.force = true;
    options.quiet = true;
    options.jobs = jobs;
    if (sim::run_sweep(options) != 0) state.SkipWithError("the sweep failed");
    std::remove(out.c_str());
  }
  std::cout.rdbuf(stdout_buffer);
  state.counters["scenarios_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * scenarios), benchmark::Counter::kIsRate);
  state.counters["s_per_scenario"] =
      benchmark::Counter(static_cast<double>(state.iterations() * scenarios),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Sweep)
    ->ArgNames({"scenarios", "jobs"})
    ->Args({1, 1})
    ->Args({1000, 1})
    ->Args({1000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
// Issue 25's target for large sweeps: 100,000 cost-only scenarios in under 60 s (once: about a
// minute).
BENCHMARK(BM_Sweep)
    ->ArgNames({"scenarios", "jobs"})
    ->Args({100000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

FRUGAL_BENCHMARK_MAIN()
