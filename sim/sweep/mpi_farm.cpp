#include "sim/sweep/mpi_farm.h"

#include <cstdlib>
#include <string>

#include "results/core/error.h"
#include "results/core/module.h"

namespace frugal::sim {
namespace {

// Ranks launched by mpirun (Open MPI) or another MPI launcher (PMI).
int launcher_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* value = std::getenv(name)) return std::atoi(value);
  return 0;
}

const MpiModule* g_module = nullptr;  // loaded by the first mpi_role() under mpirun

}  // namespace

MpiRole mpi_role() {
  if (launcher_world_size() <= 1) return MpiRole::none;
#ifdef FRUGAL_HAVE_MPI
  if (g_module == nullptr)
    g_module = module_entry<const MpiModule*>(reinterpret_cast<const void*>(&mpi_role),
                                              "libfrugal_mpi.so", "frugal_mpi_module");
  return g_module->role();
#else
  throw InputError(
      "this frugal was built without MPI (install libopenmpi-dev and rebuild) but runs under "
      "mpirun with several ranks");
#endif
}

std::unique_ptr<Executor> make_mpi_executor() {
  return g_module ? g_module->make_executor() : nullptr;
}

void mpi_serve(Executor& local) {
  if (g_module) g_module->serve(local);
}

void mpi_finalize() {
  if (g_module) g_module->finalize();
}

}  // namespace frugal::sim
