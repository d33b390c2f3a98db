#pragma once
// Files compiled into the library by CMake (cmake/embed_files.cmake), so that frugal finds them
// from any working directory: the preset files of hw_models/presets/, and the measuring scripts
// of hw_models/calibration/ (gpu_probe.py and cpu_torch_probe.py, which `frugal calibrate gpu
// --measure` and `frugal calibrate cpu --measure` run).

#include <string>
#include <vector>

namespace frugal::hw {

struct EmbeddedFile {
  std::string name;  // file name, e.g. "cpu-xeon-8380.ini"
  std::string contents;
};

const std::vector<EmbeddedFile>& embedded_presets();
const std::vector<EmbeddedFile>& embedded_calibration_scripts();

}  // namespace frugal::hw
