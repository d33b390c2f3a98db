#include "results/core/memory.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "results/core/error.h"
#include "results/core/units.h"

namespace frugal {
namespace {

// A "Key:   N kB" line of a /proc file, in bytes; -1 if absent.
double proc_kb(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0 || line.size() <= key.size() ||
        line[key.size()] != ':')
      continue;
    std::istringstream fields(line.substr(key.size() + 1));
    double kb = -1;
    fields >> kb;
    return kb >= 0 ? kb * 1024.0 : -1;
  }
  return -1;
}

}  // namespace

double usable_memory_bytes() {
  double usable = std::numeric_limits<double>::infinity();
  const double available = proc_kb("/proc/meminfo", "MemAvailable");
  if (available > 0) usable = available;
  const double used = std::max(0.0, proc_kb("/proc/self/status", "VmSize"));
  for (const int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    rlimit limit{};
    if (::getrlimit(resource, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
      usable = std::min(usable, std::max(0.0, static_cast<double>(limit.rlim_cur) - used));
  }
  // Test hook (docs/reliability.md): a limit as ulimit -v would set, without the address-space
  // limit that sanitizer builds cannot run under.
  if (const char* test = std::getenv("FRUGAL_TEST_MEMORY_LIMIT"))
    usable = std::min(usable, std::atof(test));
  return usable;
}

void check_memory_for(double bytes, const std::string& needs, const std::string& purpose,
                      const std::string& advice) {
  const double usable = usable_memory_bytes();
  if (bytes <= 0.5 * usable) return;
  throw InputError(needs + " about " + units::format_si(bytes, units::Dimension::bytes) + " " +
                   purpose + ", more than half of the " +
                   units::format_si(usable, units::Dimension::bytes) + " this process may use" +
                   advice);
}

}  // namespace frugal
