#pragma once
// Sweep files (docs/sweeps.md): `key = values` lines, each an axis of the sweep, and the
// whole-sweep settings seeds, out and zip; a [NAME] section makes a part of a study, a sweep of
// its own whose keys replace the lines above it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.h"

namespace frugal::sim {

// What the files give beside axes and zips.
struct SweepFileSettings {
  std::optional<int64_t> seeds;
  std::optional<std::string> out;
};

// Reads the files, in order, into `spec` after the command line's axes (whose origin starts with
// "--"): an axis the command line gave keeps its values, over the file's lines and its sections'.
// Throws InputError naming the file and line of an unknown key, a malformed value, a key or
// section given twice, seeds or out inside a section, or a zipped key the command line replaces.
SweepFileSettings read_sweep_files(const std::vector<std::string>& paths, SweepSpec& spec);

}  // namespace frugal::sim
