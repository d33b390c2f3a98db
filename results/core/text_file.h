#pragma once
// Reading a small text file the user named (a config, a preset), with errors a user can act on,
// and writing one whole.

#include <string>
#include <vector>

namespace frugal {

// The whole file. Throws InputError naming `what` ("config file", "preset file") and the path if
// it does not exist, is a directory, or cannot be read.
std::string read_text_file(const std::string& path, const std::string& what);

// Writes `text` to `path` through `path`.partial, renamed when complete, so that a reader never
// sees half a file. Throws IoError when it cannot (the partial file removed).
void write_file_atomically(const std::string& path, const std::string& text);
// Several files, all or nothing: each is written to PATH.partial, and only when every one is
// written whole are they renamed. On failure (IoError) none of them is left, partial or renamed.
void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files);

// `text` made safe for a one-line message, as InputError writes its own (results/core/error.h).
std::string one_line(const std::string& text);

// The name in `names` closest to `word` within a small edit distance, for "did you mean" hints in
// error messages ("" if none is close).
std::string closest_name(const std::string& word, const std::vector<std::string>& names);

}  // namespace frugal
