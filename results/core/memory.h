#pragma once
// How much memory this process may use, for refusing work that cannot fit before starting it.

#include <string>

namespace frugal {

// Bytes this process may still allocate: the smaller of the machine's available memory
// (MemAvailable in /proc/meminfo) and the address-space and data limits (ulimit -v, -d) less
// what the process already uses, and FRUGAL_TEST_MEMORY_LIMIT (bytes) when set, for tests.
// Infinity if none of these can be read.
double usable_memory_bytes();

// Refuses work whose memory is known before it starts: throws InputError
// "<needs> about <bytes> <purpose>, more than half of the <usable> this process may use<advice>"
// when `bytes` exceed half of usable_memory_bytes() (half: the estimate is rough, and the work
// needs room besides).
void check_memory_for(double bytes, const std::string& needs, const std::string& purpose,
                      const std::string& advice = "");

}  // namespace frugal
