#pragma once
// The main() of frugal's benchmark binaries: Google Benchmark runs inside sc_main, because the
// devices' SystemC kernels need sc_elab_and_sim to have started (as in the frugal executable).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <systemc>

#define FRUGAL_BENCHMARK_MAIN()                                       \
  int sc_main(int argc, char* argv[]) {                               \
    benchmark::Initialize(&argc, argv);                               \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2; \
    benchmark::RunSpecifiedBenchmarks();                              \
    benchmark::Shutdown();                                            \
    return 0;                                                         \
  }                                                                   \
  int main(int argc, char* argv[]) {                                  \
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);              \
    return sc_core::sc_elab_and_sim(argc, argv);                      \
  }
