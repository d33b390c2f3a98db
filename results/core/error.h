#pragma once
// Exceptions shared by every layer. Libraries throw; only sim/ turns them into messages and exit
// codes (InputError: exit 2, anything else: exit 1).

#include <stdexcept>
#include <string>

namespace frugal {

// Something the user gave us is wrong (model spec, option, config key, preset value, output path).
// Contract: what() is one line that names the offending input and says what was expected.
class InputError : public std::runtime_error {
 public:
  // Control characters (a line break in a quoted input, say) are written as escapes (\n, \x07),
  // so the message stays one line whatever the input held.
  explicit InputError(const std::string& what) : std::runtime_error(one_line(what)) {}
  explicit InputError(const char* what) : InputError(std::string(what)) {}

  static std::string one_line(const std::string& text) {
    std::string line;
    line.reserve(text.size());
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        line += "\\n";
      } else if (c == '\r') {
        line += "\\r";
      } else if (u < 0x20 || u == 0x7f) {
        const char* digits = "0123456789abcdef";
        line += "\\x";
        line += digits[u >> 4];
        line += digits[u & 15];
      } else {
        line += c;
      }
    }
    return line;
  }
};

// Reading or writing a result file failed for a reason other than bad input (disk full, I/O).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace frugal
