// The frugal executable. SystemC owns main() (it calls sc_main); ours only silences the SystemC
// banner, which must be decided before the kernel starts, and hands over.

#include <cstdlib>
#include <systemc>

#include "sim/app/cli.h"
#include "sim/sweep/mpi_farm.h"

int sc_main(int argc, char* argv[]) {
  const int code = frugal::sim::run_cli(argc, argv);
  frugal::sim::mpi_finalize();
  return code;
}

int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
