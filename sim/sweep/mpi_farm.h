#pragma once
// Scaling a sweep out with MPI: under `mpirun -n N frugal sweep ...`, rank 0 hands scenarios out
// one at a time to ranks 1..N-1 as they become free, gathers their results and writes the one
// result file; the other ranks run each scenario in a forked worker (a crash costs that scenario
// only). Without mpirun (or with one rank) frugal runs as usual and never initializes MPI.

#include <memory>

#include "sim/sweep/worker_pool.h"

namespace frugal::sim {

enum class MpiRole { none, coordinator, worker };

// Initializes MPI on first use when launched by mpirun with more than one rank. Throws InputError
// when launched so but built without MPI.
MpiRole mpi_role();
// rank 0: farms tasks out to the other ranks. Contract: mpi_role() == coordinator.
std::unique_ptr<Executor> make_mpi_executor();
// ranks 1..N-1: runs the tasks rank 0 sends on `local` until told to stop.
void mpi_serve(Executor& local);
// Finalizes MPI if it was initialized (called once at exit).
void mpi_finalize();

// What the module libfrugal_mpi.so implements: mpi_role() loads it (only under mpirun with
// several ranks, and only where frugal was built with MPI) and forwards to it.
struct MpiModule {
  MpiRole (*role)();  // initializes MPI on first use
  std::unique_ptr<Executor> (*make_executor)();
  void (*serve)(Executor& local);
  void (*finalize)();
};

}  // namespace frugal::sim

// The module's entry point, with C linkage for dlsym.
extern "C" const frugal::sim::MpiModule* frugal_mpi_module();
