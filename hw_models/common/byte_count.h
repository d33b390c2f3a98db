#pragma once
// TLM-2.0 extension carrying the size of a transfer in bytes as 64 bits: payload data lengths are
// 32-bit, and frugal's transfers (a layer's weights, an activation batch) can exceed 4 GiB.

#include <cstdint>
#include <tlm>

namespace frugal::hw {

struct ByteCount : tlm::tlm_extension<ByteCount> {
  int64_t bytes = 0;

  tlm::tlm_extension_base* clone() const override {
    auto* copy = new ByteCount;
    copy->bytes = bytes;
    return copy;
  }
  void copy_from(const tlm::tlm_extension_base& other) override {
    bytes = static_cast<const ByteCount&>(other).bytes;
  }
};

// Bytes a payload transfers: its ByteCount if it has one, else its data length.
inline int64_t transfer_bytes(const tlm::tlm_generic_payload& payload) {
  const ByteCount* count = nullptr;
  payload.get_extension(count);
  return count ? count->bytes : static_cast<int64_t>(payload.get_data_length());
}

}  // namespace frugal::hw
