// Catch2 runner inside SystemC: the tests run from sc_main so that devices may elaborate and
// simulate in this process (once: see hw_models/cpu/cpu_platform.h).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <systemc>

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }

int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // keeps test discovery output clean
  return sc_core::sc_elab_and_sim(argc, argv);
}
