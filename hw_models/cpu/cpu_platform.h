#pragma once
// The CPU as a SystemC platform: the cores (one loosely-timed TLM-2.0 initiator with a quantum
// keeper) reach a shared last-level cache and DRAM, each a MemoryTarget with its bandwidth and
// latency. An op takes as long as the slowest of its arithmetic and its transfers, which overlap
// (hardware prefetching and out-of-order execution hide one behind the other).

#include <memory>
#include <vector>

#include "hw_models/cpu/cpu_mapper.h"
#include "hw_models/cpu/cpu_params.h"

namespace frugal::hw::cpu {

struct OpTiming {
  double start_s = 0.0;  // from the start of the step
  double latency_s = 0.0;
};

class CpuCores;

class CpuPlatform {
 public:
  // SystemC 2.3.4 elaborates once per process, so there is one CPU platform per process, built on
  // first use and reconfigured (bandwidths, latencies) for every run. Contract: the first call
  // happens before any other SystemC simulation in the process has started.
  static CpuPlatform& instance();

  std::vector<OpTiming> run(const std::vector<CpuOpWork>& work, const CpuParams& params);

  ~CpuPlatform();

 private:
  CpuPlatform();
  struct Modules;
  std::unique_ptr<Modules> m_modules;
};

}  // namespace frugal::hw::cpu
