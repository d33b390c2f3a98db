#include "results/text_file.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "results/error.h"

namespace frugal {

std::string read_text_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw InputError("cannot read " + what + " '" + path + "': no such file");
  if (S_ISDIR(st.st_mode))
    throw InputError("cannot read " + what + " '" + path + "': it is a directory");
  std::ifstream file(path);
  std::ostringstream text;
  if (!file || !(text << file.rdbuf()) || file.bad())
    throw InputError("cannot read " + what + " '" + path + "'");
  return text.str();
}

std::string one_line(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
      out += buffer;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace frugal
