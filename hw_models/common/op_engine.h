#pragma once
// The timed core of a device platform: one loosely-timed TLM-2.0 initiator (with a quantum keeper)
// that runs a step's ops in order. An op takes `lead_s` first (launch, dispatch), then its own
// busy time and its transfers to the memories, which overlap; its latency is the longest of them.
// Memories are MemoryTargets, so transfers queue behind each other (contention). A device builds
// one engine and its memories once per process (SystemC elaborates once) and reuses them.

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "hw_models/common/byte_count.h"
#include "hw_models/common/memory_target.h"

namespace frugal::hw {

struct Transfer {
  int memory = 0;  // index of the engine's memory socket
  tlm::tlm_command command = tlm::TLM_READ_COMMAND;
  int64_t bytes = 0;
};

struct EngineOp {
  double lead_s = 0.0;  // before anything else of the op, not overlapped
  double busy_s = 0.0;  // the compute units' time, overlapped with the transfers
  std::vector<Transfer> transfers;
};

struct OpTiming {
  double start_s = 0.0;  // from the start of the step
  double latency_s = 0.0;
};

class OpEngine : public sc_core::sc_module {
 public:
  // `memories` sockets, to be bound to MemoryTargets.
  SC_HAS_PROCESS(OpEngine);
  OpEngine(sc_core::sc_module_name name, int memories);
  ~OpEngine() override;

  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<OpEngine>>> sockets;

  // Runs the ops to completion (sc_start) and returns their timings. `bound_s` is an upper bound
  // of the step's duration (checked against SystemC's time range). Throws InputError beyond
  // 1e6 s; std::logic_error when the process has simulated too long.
  std::vector<OpTiming> run(const std::vector<EngineOp>& ops, double bound_s,
                            const std::string& device);

 private:
  void thread();
  sc_core::sc_time transfer(const Transfer& t, sc_core::sc_time offset);

  sc_core::sc_event m_start;
  tlm_utils::tlm_quantumkeeper m_keeper;
  tlm::tlm_generic_payload m_payload;
  ByteCount* m_count;
  const std::vector<EngineOp>* m_ops = nullptr;
  std::vector<OpTiming>* m_timings = nullptr;
  bool m_done = true;
  bool m_pending = false;
};

}  // namespace frugal::hw
