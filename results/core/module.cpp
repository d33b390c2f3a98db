#include "results/core/module.h"

#include <dlfcn.h>

#include "results/core/error.h"

namespace frugal {

void* module_symbol(const void* anchor, const std::string& file, const std::string& symbol) {
  Dl_info info{};
  if (dladdr(anchor, &info) == 0 || info.dli_fname == nullptr)
    throw IoError("cannot locate frugal's libraries to load " + file);
  const std::string library = info.dli_fname;
  const size_t slash = library.rfind('/');
  const std::string path = (slash == std::string::npos ? "" : library.substr(0, slash + 1)) + file;
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw IoError("cannot load " + path + ": " + (why ? why : "unknown reason") +
                  " (rebuild frugal: scripts/build.sh)");
  }
  void* address = dlsym(handle, symbol.c_str());
  if (address == nullptr)
    throw IoError(path + " lacks " + symbol + " (rebuild frugal: scripts/build.sh)");
  return address;
}

}  // namespace frugal
