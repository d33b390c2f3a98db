#include "hw_models/cpu/cpu_platform.h"

#include "hw_models/common/memory_target.h"

namespace frugal::hw::cpu {

struct CpuPlatform::Modules {
  OpEngine cores{"cpu_cores", 2};
  MemoryTarget llc{"cpu_llc"};
  MemoryTarget dram{"cpu_dram"};
  Modules() {
    cores.sockets[0]->bind(llc.socket);
    cores.sockets[1]->bind(dram.socket);
  }
};

CpuPlatform::CpuPlatform() : m_modules(std::make_unique<Modules>()) {}
CpuPlatform::~CpuPlatform() = default;

CpuPlatform& CpuPlatform::instance() {
  static CpuPlatform platform;
  return platform;
}

std::vector<OpTiming> CpuPlatform::run(const std::vector<CpuOpWork>& work,
                                       const CpuParams& params) {
  // Upper bound of the step: every op's core time, transfers and latencies in sequence.
  double bound = 0.0;
  std::vector<EngineOp> ops(work.size());
  for (size_t i = 0; i < work.size(); ++i) {
    const CpuOpWork& w = work[i];
    ops[i].busy_s = w.core_s;
    ops[i].transfers = {{0, tlm::TLM_READ_COMMAND, w.llc_bytes},
                        {1, tlm::TLM_READ_COMMAND, w.dram_read_bytes},
                        {1, tlm::TLM_WRITE_COMMAND, w.dram_write_bytes}};
    bound += w.core_s + static_cast<double>(w.llc_bytes) / params.llc_bandwidth_bytes_per_s +
             static_cast<double>(w.dram_read_bytes + w.dram_write_bytes) /
                 params.dram_sustained_bandwidth() +
             params.llc_latency_s + params.dram_latency_s;
  }
  m_modules->llc.configure(params.llc_bandwidth_bytes_per_s, params.llc_latency_s);
  m_modules->dram.configure(params.dram_sustained_bandwidth(), params.dram_latency_s);
  m_modules->llc.reset_stats();
  m_modules->dram.reset_stats();
  return m_modules->cores.run(ops, bound, "CPU");
}

}  // namespace frugal::hw::cpu
