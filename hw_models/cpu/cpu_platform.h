#pragma once
// The CPU as a SystemC platform: the cores (an OpEngine: one loosely-timed TLM-2.0 initiator with
// a quantum keeper) reach a shared last-level cache and DRAM, each a MemoryTarget with its
// bandwidth and latency. An op takes as long as the slowest of its arithmetic and its transfers,
// which overlap (hardware prefetching and out-of-order execution hide one behind the other).

#include <memory>
#include <vector>

#include "hw_models/common/op_engine.h"
#include "hw_models/cpu/cpu_mapper.h"
#include "hw_models/cpu/cpu_params.h"

namespace frugal::hw::cpu {

class CpuPlatform {
 public:
  // SystemC 2.3.4 elaborates once per process, so there is one CPU platform per process, built
  // with every other device's platform before the first simulation (hw::elaborate_platforms) and
  // reconfigured (bandwidths, latencies) for every run.
  static CpuPlatform& instance();

  std::vector<OpTiming> run(const std::vector<CpuOpWork>& work, const CpuParams& params);

  ~CpuPlatform();

 private:
  CpuPlatform();
  struct Modules;
  std::unique_ptr<Modules> m_modules;
};

}  // namespace frugal::hw::cpu
