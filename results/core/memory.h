#pragma once
// How much memory this process may use, for refusing work that cannot fit before starting it.

namespace frugal {

// Bytes this process may still allocate: the smaller of the machine's available memory
// (MemAvailable in /proc/meminfo) and the address-space and data limits (ulimit -v, -d) less
// what the process already uses, and FRUGAL_TEST_MEMORY_LIMIT (bytes) when set, for tests.
// Infinity if none of these can be read.
double usable_memory_bytes();

}  // namespace frugal
