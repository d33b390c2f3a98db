#pragma once
// A memory reached over loosely-timed TLM-2.0: a transaction of N bytes waits until the memory
// is free, occupies it for N / bandwidth, and completes after the access latency. Initiators that
// share it therefore see each other's traffic (contention). Payloads carry a byte count (a
// ByteCount extension, or the data length), not data: the cost model never needs the values.

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <systemc>
#include <tlm>

namespace frugal::hw {

class MemoryTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<MemoryTarget> socket;

  explicit MemoryTarget(sc_core::sc_module_name name);

  // Contract: called between simulations, never while one runs.
  void configure(double bandwidth_bytes_per_s, double latency_s);
  void reset_stats();

  int64_t bytes_read() const { return m_bytes_read; }
  int64_t bytes_written() const { return m_bytes_written; }
  double busy_s() const { return m_busy.to_seconds(); }

 private:
  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);

  double m_bandwidth = 1.0;
  sc_core::sc_time m_latency;
  sc_core::sc_time m_free_at;  // absolute time when the memory can start the next transfer
  sc_core::sc_time m_busy;
  int64_t m_bytes_read = 0;
  int64_t m_bytes_written = 0;
};

}  // namespace frugal::hw
