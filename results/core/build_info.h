#pragma once
// What build of frugal is running: recorded in every result file.

#include <string>

namespace frugal {

std::string version();  // "0.1.0"
std::string git_sha();  // commit of the source tree, "unknown" outside git; "+dirty" if modified

}  // namespace frugal
