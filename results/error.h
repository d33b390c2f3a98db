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
  using std::runtime_error::runtime_error;
};

// Reading or writing a result file failed for a reason other than bad input (disk full, I/O).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace frugal
