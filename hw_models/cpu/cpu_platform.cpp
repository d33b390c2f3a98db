#include "hw_models/cpu/cpu_platform.h"

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>

#include "hw_models/common/byte_count.h"
#include "hw_models/common/memory_target.h"
#include "results/error.h"

namespace frugal::hw::cpu {
namespace {

using sc_core::sc_time;

// A transfer goes out as transactions of at least 64 MiB, so that other initiators can interleave
// with a long one, and at most 16 of them, so that simulation time does not grow with its size.
constexpr int64_t kMinTransactionBytes = int64_t{64} << 20;
constexpr int64_t kMaxTransactionsPerTransfer = 16;
// Temporal decoupling quantum: how far the cores run ahead of the kernel between syncs.
const sc_time kQuantum(1.0, sc_core::SC_US);
// Longest step the op-level model represents: sc_time holds about 1.8e7 s at its 1 ps resolution.
constexpr double kMaxStepSeconds = 1e6;

}  // namespace

class CpuCores : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<CpuCores> llc_socket;
  tlm_utils::simple_initiator_socket<CpuCores> dram_socket;

  SC_HAS_PROCESS(CpuCores);
  explicit CpuCores(sc_core::sc_module_name name)
      : sc_core::sc_module(name), llc_socket("llc_socket"), dram_socket("dram_socket") {
    m_payload.set_extension(m_count);  // owned, and freed, by the payload
    SC_THREAD(run);
  }

  void submit(const std::vector<CpuOpWork>& work, std::vector<OpTiming>& timings) {
    m_work = &work;
    m_timings = &timings;
    m_done = false;
    m_pending = true;
    m_start.notify(sc_core::SC_ZERO_TIME);
  }
  bool done() const { return m_done; }

 private:
  void run() {
    for (;;) {
      while (!m_pending) wait(m_start);  // a step submitted before the first sc_start is pending
      m_pending = false;
      tlm::tlm_global_quantum::instance().set(kQuantum);
      m_keeper.reset();
      const sc_time step_start = sc_core::sc_time_stamp();
      for (size_t i = 0; i < m_work->size(); ++i) {
        const CpuOpWork& w = (*m_work)[i];
        const sc_time t0 = m_keeper.get_local_time();
        sc_time end = t0 + sc_time(w.core_s, sc_core::SC_SEC);
        end = std::max(end, transfer(llc_socket, tlm::TLM_READ_COMMAND, w.llc_bytes, t0));
        end = std::max(end, transfer(dram_socket, tlm::TLM_READ_COMMAND, w.dram_read_bytes, t0));
        end = std::max(end, transfer(dram_socket, tlm::TLM_WRITE_COMMAND, w.dram_write_bytes, t0));
        (*m_timings)[i] = {(sc_core::sc_time_stamp() + t0 - step_start).to_seconds(),
                           (end - t0).to_seconds()};
        m_keeper.set(end);
        if (m_keeper.need_sync()) m_keeper.sync();
      }
      m_keeper.sync();
      m_done = true;
    }
  }

  // Sends `bytes` as back-to-back transactions issued at local time `offset`; returns the local
  // time at which the last one completes (`offset` when there is nothing to send).
  sc_time transfer(tlm_utils::simple_initiator_socket<CpuCores>& socket, tlm::tlm_command command,
                   int64_t bytes, sc_time offset) {
    sc_time done = offset;
    if (bytes <= 0) return done;
    const int64_t count = std::min(kMaxTransactionsPerTransfer,
                                   (bytes + kMinTransactionBytes - 1) / kMinTransactionBytes);
    const int64_t chunk = (bytes + count - 1) / count;
    for (int64_t left = bytes; left > 0; left -= chunk) {
      m_count->bytes = std::min(left, chunk);
      m_payload.set_command(command);
      m_payload.set_address(0);
      m_payload.set_data_ptr(nullptr);
      m_payload.set_data_length(0);  // the size travels in the ByteCount extension
      m_payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_time delay = offset;
      socket->b_transport(m_payload, delay);
      if (m_payload.is_response_error()) throw std::runtime_error("cpu: memory transaction failed");
      done = std::max(done, delay);
    }
    return done;
  }

  sc_core::sc_event m_start;
  tlm_utils::tlm_quantumkeeper m_keeper;
  tlm::tlm_generic_payload m_payload;
  ByteCount* m_count = new ByteCount;
  const std::vector<CpuOpWork>* m_work = nullptr;
  std::vector<OpTiming>* m_timings = nullptr;
  bool m_done = true;
  bool m_pending = false;
};

struct CpuPlatform::Modules {
  CpuCores cores{"cpu_cores"};
  MemoryTarget llc{"cpu_llc"};
  MemoryTarget dram{"cpu_dram"};
  Modules() {
    cores.llc_socket.bind(llc.socket);
    cores.dram_socket.bind(dram.socket);
  }
};

CpuPlatform::CpuPlatform() : m_modules(std::make_unique<Modules>()) {}
CpuPlatform::~CpuPlatform() = default;

CpuPlatform& CpuPlatform::instance() {
  static CpuPlatform platform;
  return platform;
}

namespace {

// Upper bound of a step's duration: every op's core time, transfers and latencies in sequence.
double longest_step_s(const std::vector<CpuOpWork>& work, const CpuParams& params) {
  double seconds = 0.0;
  for (const CpuOpWork& w : work)
    seconds += w.core_s + static_cast<double>(w.llc_bytes) / params.llc_bandwidth_bytes_per_s +
               static_cast<double>(w.dram_read_bytes + w.dram_write_bytes) /
                   params.dram_sustained_bandwidth() +
               params.llc_latency_s + params.dram_latency_s;
  return seconds;
}

}  // namespace

std::vector<OpTiming> CpuPlatform::run(const std::vector<CpuOpWork>& work,
                                       const CpuParams& params) {
  const double bound = longest_step_s(work, params);
  if (bound > kMaxStepSeconds)
    throw InputError("one step would take up to " + std::to_string(bound) +
                     " s on this CPU, beyond the 1e6 s the op-level model represents; use a "
                     "smaller model or batch");
  // Kernel time accumulates over the steps simulated in this process; it must not wrap.
  if (sc_core::sc_time_stamp().to_seconds() + bound >= sc_core::sc_max_time().to_seconds())
    throw std::logic_error(
        "cpu: this process has simulated too long; run scenarios in new processes");
  m_modules->llc.configure(params.llc_bandwidth_bytes_per_s, params.llc_latency_s);
  m_modules->dram.configure(params.dram_sustained_bandwidth(), params.dram_latency_s);
  m_modules->llc.reset_stats();
  m_modules->dram.reset_stats();
  std::vector<OpTiming> timings(work.size());
  m_modules->cores.submit(work, timings);
  sc_core::sc_start();  // runs until the cores wait for the next step
  if (!m_modules->cores.done())
    throw std::logic_error("cpu: simulation stopped before the step ended");
  return timings;
}

}  // namespace frugal::hw::cpu
