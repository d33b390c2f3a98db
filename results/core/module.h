#pragma once
// Parts of frugal that pull in large libraries only some commands need (ONNX import with
// protobuf, the MPI farm with Open MPI) are shared modules beside the library that uses them,
// loaded on first use: every other command starts without loading, relocating and initializing
// those libraries (docs/architecture.md, "Modules loaded on use").

#include <string>

namespace frugal {

// The address of `symbol` in the module `file` (e.g. "libfrugal_onnx.so"), loaded from the
// folder of the shared object that holds `anchor` (a function of the caller's own library, so
// that the module is found wherever the build tree is). The loader keeps a module loaded once it
// is. Throws IoError naming the module and the loader's reason (a build that lacks it).
void* module_symbol(const void* anchor, const std::string& file, const std::string& symbol);

// What the module's entry point `symbol` (a function of no arguments, C linkage) returns.
template <typename Result>
Result module_entry(const void* anchor, const std::string& file, const std::string& symbol) {
  using Entry = Result (*)();
  return reinterpret_cast<Entry>(module_symbol(anchor, file, symbol))();
}

}  // namespace frugal
