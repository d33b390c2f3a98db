#pragma once
// `frugal calibrate cpu --measure`: microbenchmarks of the machine frugal runs on, written as a
// measurement file (JSON) that hw_models/cpu/cpu_fit.h turns into a preset. Each phase runs for
// `seconds` after a warm-up call:
//   fma_peak             vector FMAs from registers, one thread: the core's issue rate
//   gemm_fp32_N          an N x N x N Eigen product, one thread (N = 64 ... 1024)
//   gemm_fp32_1024_all   one such product per core at once: the all-core rate
//   stream_{l2,llc,dram} c = a + b over arrays that fit L2, the last-level cache, or neither,
//                        one thread; stream_{llc,dram}_all: one such stream per core
//   trainer_step_tiny    frugal's own trainer on a 4-4-2 MLP, batch 1: its time per op
//   torch_step_tiny, torch_gemm_fp32_1024   PyTorch on the CPU (one thread), when
//                        /usr/bin/python3 (or $FRUGAL_PYTHON) has torch: its dispatch and BLAS
//   idle                 one core asleep, for RAPL's idle power
// With RAPL (/sys/class/powercap/intel-rapl:*) each phase also has its package (and DRAM)
// energy; virtual machines usually have none, and the file says so.

#include <functional>
#include <string>

namespace frugal::sim {

// Runs the phases and returns the measurement file's text. `progress` sees each phase's name
// before it runs. The DRAM phases work on 8 times the last-level cache (at least 256 MiB);
// `max_dram_bytes` > 0 caps that (tests do, on machines that report a last-level cache of
// hundreds of MiB: the figures are then partly the cache's), and the file records the size used.
std::string measure_cpu(double seconds, const std::function<void(const std::string&)>& progress,
                        double max_dram_bytes = 0);

}  // namespace frugal::sim
