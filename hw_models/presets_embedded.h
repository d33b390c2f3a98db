#pragma once
// The preset files of hw_models/presets/, compiled into the library by CMake
// (cmake/embed_files.cmake) so that frugal finds them from any working directory.

#include <string>
#include <vector>

namespace frugal::hw {

struct EmbeddedFile {
  std::string name;  // file name, e.g. "cpu-xeon-8380.ini"
  std::string contents;
};

const std::vector<EmbeddedFile>& embedded_presets();

}  // namespace frugal::hw
