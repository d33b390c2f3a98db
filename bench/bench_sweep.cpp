// frugal_bench_sweep: whole sweeps of cost-only MLP scenarios, as `frugal sweep` runs them:
// expansion and checks, forked workers, results through pipes, the journal, and the HDF5 file
// (written, flushed, renamed). A separate binary from frugal_bench because the sweep forks its
// workers from a process that has not run SystemC yet (sim/sweep/worker_pool.h).

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <systemc>
#include <vector>

#include "bench/bench_main.h"
#include "sim/scenario/options.h"
#include "sim/sweep/sweep.h"

namespace {

using namespace frugal;

// The build tree, from this binary's place (build/bench/frugal_bench_sweep).
std::string build_tree() {
  std::vector<char> path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  std::string self(path.data(), n > 0 ? static_cast<size_t>(n) : 0);
  self = self.substr(0, self.rfind('/'));  // build/bench
  return self.substr(0, self.rfind('/'));
}

// Start-up: `frugal --version` as a process, spawned and waited for. Arg 0: as built, ONNX import
// and the MPI farm left in their modules; arg 1: the same binary with both modules preloaded
// (LD_PRELOAD), which loads what every command loaded before they were modules (protobuf,
// libonnx_proto, Open MPI and its libraries): the before and after, side by side in one run.
void BM_StartUp(benchmark::State& state) {
  const std::string tree = build_tree();
  const std::string frugal = tree + "/frugal";
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("LD_PRELOAD=", 0) != 0) env_text.emplace_back(*e);
  if (state.range(0) == 1)
    env_text.push_back("LD_PRELOAD=" + tree + "/workloads/libfrugal_onnx.so:" + tree +
                       "/sim/libfrugal_mpi.so");
  std::vector<char*> env;
  for (std::string& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  std::string version = "--version";
  char* argv[] = {const_cast<char*>(frugal.c_str()), version.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  rusage before{};
  ::getrusage(RUSAGE_CHILDREN, &before);
  for (auto _ : state) {
    pid_t pid = 0;
    if (posix_spawn(&pid, frugal.c_str(), &actions, nullptr, argv, env.data()) != 0) {
      state.SkipWithError("cannot spawn build/frugal");
      break;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("frugal --version failed");
      break;
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  // The children's CPU time (user and system), less disturbed by other load than the wall time.
  rusage after{};
  ::getrusage(RUSAGE_CHILDREN, &after);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * t.tv_usec; };
  const double cpu = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) -
                     seconds(before.ru_stime);
  state.counters["cpu_ms"] =
      1e3 * cpu / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}
BENCHMARK(BM_StartUp)
    ->ArgName("modules_preloaded")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

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
