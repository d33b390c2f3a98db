#pragma once
// Shared by the libFuzzer targets (docs/reliability.md): each feeds its bytes to one parser of
// outside input. A parser may refuse input only with frugal::InputError (or IoError for a file it
// cannot read); any other exception, a crash or a sanitizer report is a defect.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <systemc>

#include "results/core/error.h"

// libsystemc.so (linked through frugal_sim) wants an sc_main; libFuzzer's main runs instead.
int sc_main(int, char*[]) { return 0; }

namespace frugal::fuzz {

// A file holding `bytes`, unique to this process, rewritten for each input.
inline std::string write_temp(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = "/tmp/frugal-fuzz-" + std::to_string(::getpid()) + "-" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

// Runs `parse`, accepting a refusal by InputError or IoError with a one-line message.
template <typename Parse>
void expect_clean(Parse&& parse) {
  try {
    parse();
  } catch (const InputError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line
  } catch (const IoError&) {
  }
}

}  // namespace frugal::fuzz
