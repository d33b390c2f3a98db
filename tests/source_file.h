#pragma once
// A file of the source tree, read whole by a test (docs, presets, measurement files).

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

namespace frugal::testing {

// `relative` to the repository root (FRUGAL_SOURCE_DIR); the test fails if it cannot be read.
inline std::string source_file(const std::string& relative) {
  std::ifstream in(std::string(FRUGAL_SOURCE_DIR) + "/" + relative);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace frugal::testing
