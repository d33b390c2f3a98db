#pragma once
// Reading a small text file the user named (a config, a preset), with errors a user can act on.

#include <string>
#include <vector>

namespace frugal {

// The whole file. Throws InputError naming `what` ("config file", "preset file") and the path if
// it does not exist, is a directory, or cannot be read.
std::string read_text_file(const std::string& path, const std::string& what);

// `text` made safe for a one-line message: control characters (newlines...) become \n, \xNN.
std::string one_line(const std::string& text);

// The name in `names` closest to `word` within a small edit distance, for "did you mean" hints in
// error messages ("" if none is close).
std::string closest_name(const std::string& word, const std::vector<std::string>& names);

}  // namespace frugal
