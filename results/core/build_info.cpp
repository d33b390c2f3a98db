#include "results/core/build_info.h"

#include "frugal_build_info.h"

namespace frugal {

std::string version() { return FRUGAL_VERSION; }

std::string git_sha() { return std::string(FRUGAL_GIT_SHA) + (FRUGAL_GIT_DIRTY ? "+dirty" : ""); }

}  // namespace frugal
