#include "hw_models/common/op_engine.h"

#include <algorithm>
#include <stdexcept>

#include "hw_models/common/simulation.h"
#include "results/core/error.h"

namespace frugal::hw {
namespace {

using sc_core::sc_time;

// A transfer goes out as transactions of at least 64 MiB, so that other initiators can interleave
// with a long one, and at most 16 of them, so that simulation time does not grow with its size.
constexpr int64_t kMinTransactionBytes = int64_t{64} << 20;
constexpr int64_t kMaxTransactionsPerTransfer = 16;
// Temporal decoupling quantum: how far the engine runs ahead of the kernel between syncs.
const sc_time kQuantum(1.0, sc_core::SC_US);
// Longest step the op-level model represents: sc_time holds about 1.8e7 s at its 1 ps resolution.
constexpr double kMaxStepSeconds = 1e6;

}  // namespace

OpEngine::OpEngine(sc_core::sc_module_name name, int memories)
    : sc_core::sc_module(name), m_count(new ByteCount) {
  for (int i = 0; i < memories; ++i)
    sockets.push_back(std::make_unique<tlm_utils::simple_initiator_socket<OpEngine>>(
        ("socket_" + std::to_string(i)).c_str()));
  m_payload.set_extension(m_count);  // owned, and freed, by the payload
  SC_THREAD(thread);
}

OpEngine::~OpEngine() = default;

void OpEngine::thread() {
  for (;;) {
    while (!m_pending) wait(m_start);  // a step submitted before the first sc_start is pending
    m_pending = false;
    tlm::tlm_global_quantum::instance().set(kQuantum);
    m_keeper.reset();
    const sc_time step_start = sc_core::sc_time_stamp();
    for (size_t i = 0; i < m_ops->size(); ++i) {
      const EngineOp& op = (*m_ops)[i];
      const sc_time t0 = m_keeper.get_local_time();
      const sc_time begin = t0 + sc_time(op.lead_s, sc_core::SC_SEC);
      sc_time end = begin + sc_time(op.busy_s, sc_core::SC_SEC);
      for (const Transfer& t : op.transfers) end = std::max(end, transfer(t, begin));
      (*m_timings)[i] = {(sc_core::sc_time_stamp() + t0 - step_start).to_seconds(),
                         (end - t0).to_seconds()};
      m_keeper.set(end);
      if (m_keeper.need_sync()) m_keeper.sync();
    }
    m_keeper.sync();
    m_done = true;
  }
}

// Sends the bytes as back-to-back transactions issued at local time `offset`; returns the local
// time at which the last one completes (`offset` when there is nothing to send).
sc_time OpEngine::transfer(const Transfer& t, sc_time offset) {
  sc_time done = offset;
  if (t.bytes <= 0) return done;
  const int64_t count = std::min(kMaxTransactionsPerTransfer,
                                 (t.bytes + kMinTransactionBytes - 1) / kMinTransactionBytes);
  const int64_t chunk = (t.bytes + count - 1) / count;
  for (int64_t left = t.bytes; left > 0; left -= chunk) {
    m_count->bytes = std::min(left, chunk);
    m_payload.set_command(t.command);
    m_payload.set_address(0);
    m_payload.set_data_ptr(nullptr);
    m_payload.set_data_length(0);  // the size travels in the ByteCount extension
    m_payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = offset;
    (*sockets.at(static_cast<size_t>(t.memory)))->b_transport(m_payload, delay);
    if (m_payload.is_response_error()) throw std::runtime_error("memory transaction failed");
    done = std::max(done, delay);
  }
  return done;
}

std::vector<OpTiming> OpEngine::run(const std::vector<EngineOp>& ops, double bound_s,
                                    const std::string& device) {
  if (bound_s > kMaxStepSeconds)
    throw InputError("one step would take up to " + std::to_string(bound_s) + " s on this " +
                     device +
                     ", beyond the 1e6 s the op-level model represents; use a smaller model or "
                     "batch");
  // Kernel time accumulates over the steps simulated in this process; it must not wrap.
  if (sc_core::sc_time_stamp().to_seconds() + bound_s >= sc_core::sc_max_time().to_seconds())
    throw std::logic_error(device +
                           ": this process has simulated too long; run scenarios in new "
                           "processes");
  std::vector<OpTiming> timings(ops.size());
  m_ops = &ops;
  m_timings = &timings;
  m_done = false;
  m_pending = true;
  m_start.notify(sc_core::SC_ZERO_TIME);
  run_simulation();  // runs until the engine waits for the next step
  if (!m_done) throw std::logic_error(device + ": simulation stopped before the step ended");
  return timings;
}

}  // namespace frugal::hw
