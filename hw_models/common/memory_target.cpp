#include "hw_models/common/memory_target.h"

#include <algorithm>
#include <stdexcept>

#include "hw_models/common/byte_count.h"

namespace frugal::hw {

MemoryTarget::MemoryTarget(sc_core::sc_module_name name)
    : sc_core::sc_module(name), socket("socket") {
  socket.register_b_transport(this, &MemoryTarget::b_transport);
}

void MemoryTarget::configure(double bandwidth_bytes_per_s, double latency_s) {
  if (!(bandwidth_bytes_per_s > 0.0)) throw std::invalid_argument("bandwidth must be positive");
  m_bandwidth = bandwidth_bytes_per_s;
  m_latency = sc_core::sc_time(latency_s, sc_core::SC_SEC);
}

void MemoryTarget::reset_stats() {
  m_busy = sc_core::SC_ZERO_TIME;
  m_bytes_read = m_bytes_written = 0;
}

void MemoryTarget::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  const int64_t bytes = transfer_bytes(payload);
  const sc_core::sc_time arrival = sc_core::sc_time_stamp() + delay;
  const sc_core::sc_time start = std::max(arrival, m_free_at);
  const sc_core::sc_time transfer(static_cast<double>(bytes) / m_bandwidth, sc_core::SC_SEC);
  m_free_at = start + transfer;
  m_busy += transfer;
  (payload.is_write() ? m_bytes_written : m_bytes_read) += bytes;
  delay = m_free_at + m_latency - sc_core::sc_time_stamp();
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace frugal::hw
