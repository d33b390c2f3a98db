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
  // Control characters (a line break in a quoted input, say) and bytes that are not UTF-8 are
  // written as escapes (\n, \x07, \xff), so the message stays one readable line whatever the
  // input held; a word longer than kLongestWord characters (a binary file's line, echoed) keeps
  // its start and end only.
  explicit InputError(const std::string& what) : std::runtime_error(one_line(what)) {}
  explicit InputError(const char* what) : InputError(std::string(what)) {}

  static constexpr size_t kLongestWord = 160;

  static std::string one_line(const std::string& text) {
    std::string line;
    line.reserve(text.size());
    const auto escape = [&line](unsigned char u) {
      const char* digits = "0123456789abcdef";
      line += "\\x";
      line += digits[u >> 4];
      line += digits[u & 15];
    };
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        line += "\\n";
      } else if (c == '\r') {
        line += "\\r";
      } else if (u < 0x20 || u == 0x7f) {
        escape(u);
      } else if (u < 0x80) {
        line += c;
      } else {
        const size_t n = utf8_length(text, i);
        if (n == 0) {
          escape(u);
        } else {
          line.append(text, i, n);
          i += n - 1;
        }
      }
    }
    return shorten_words(line);
  }

 private:
  // Bytes in the well-formed UTF-8 sequence starting at text[i] (2 to 4), or 0 if there is none.
  static size_t utf8_length(const std::string& text, size_t i) {
    const auto u = static_cast<unsigned char>(text[i]);
    const size_t n = u >= 0xc2 && u <= 0xdf   ? 2
                     : u >= 0xe0 && u <= 0xef ? 3
                     : u >= 0xf0 && u <= 0xf4 ? 4
                                              : 0;
    if (n == 0 || i + n > text.size()) return 0;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
    return n;
  }
  static std::string shorten_words(const std::string& line) {
    std::string out;
    size_t start = 0;
    while (start < line.size()) {
      size_t end = line.find(' ', start);
      if (end == std::string::npos) end = line.size();
      const size_t length = end - start;
      if (length > kLongestWord)
        out += line.substr(start, 100) + "[... " + std::to_string(length - 140) +
               " characters ...]" + line.substr(end - 40, 40);
      else
        out.append(line, start, length);
      if (end < line.size()) out += ' ';
      start = end + 1;
    }
    return out;
  }
};

// Reading or writing a result file failed for a reason other than bad input (disk full, I/O).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace frugal
