#include "hw_models/common/simulation.h"

#include <pthread.h>

#include <cstddef>
#include <systemc>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRUGAL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FRUGAL_ASAN 1
#endif

#ifdef FRUGAL_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace frugal::hw {
namespace {

#ifdef FRUGAL_ASAN
// Tells ASan that this thread runs on its own stack again (a switch from the stack to itself).
void announce_thread_stack() {
  pthread_attr_t attributes;
  if (pthread_getattr_np(pthread_self(), &attributes) != 0) return;
  void* bottom = nullptr;
  size_t size = 0;
  const bool known = pthread_attr_getstack(&attributes, &bottom, &size) == 0;
  pthread_attr_destroy(&attributes);
  if (!known) return;
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
}
#endif

}  // namespace

void run_simulation() {
  sc_core::sc_start();
#ifdef FRUGAL_ASAN
  announce_thread_stack();
#endif
}

}  // namespace frugal::hw
