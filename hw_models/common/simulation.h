#pragma once
// Running the SystemC kernel: every platform advances its simulation through run_simulation().

namespace frugal::hw {

// sc_core::sc_start(): runs until no process can move. Under AddressSanitizer, it then gives ASan
// back the bounds of the stack it returns on. SystemC announces its coroutine switches to ASan
// (__sanitizer_start_switch_fiber), but with the main stack's bounds unknown (0 and 0), so after a
// simulation ASan would ignore __asan_handle_no_return on that stack ("ASan is ignoring requested
// __asan_handle_no_return ... top: 0x0"): an exception thrown there leaves the redzones of the
// frames it unwinds poisoned, and later frames at those addresses are reported as overflows.
void run_simulation();

}  // namespace frugal::hw
