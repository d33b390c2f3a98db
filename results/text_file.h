#pragma once
// Reading a small text file the user named (a config, a preset), with errors a user can act on.

#include <string>

namespace frugal {

// The whole file. Throws InputError naming `what` ("config file", "preset file") and the path if
// it does not exist, is a directory, or cannot be read.
std::string read_text_file(const std::string& path, const std::string& what);

// `text` made safe for a one-line message: control characters (newlines...) become \n, \xNN.
std::string one_line(const std::string& text);

}  // namespace frugal
