#include "results/core/text_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "results/core/error.h"

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

std::string one_line(const std::string& text) { return InputError::one_line(text); }

std::string closest_name(const std::string& word, const std::vector<std::string>& names) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_distance = 3;  // suggest only close matches
  for (const std::string& name : names) {
    const size_t d = distance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  write_files_atomically({{path, text}});
}

void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::string> temps;
  const auto remove_all = [](const std::vector<std::string>& paths) {
    for (const std::string& p : paths) std::remove(p.c_str());
  };
  for (const auto& [path, text] : files) {
    const std::string temp = path + ".partial";
    temps.push_back(temp);
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      remove_all(temps);
      throw IoError("cannot write '" + path + "' (disk full?); none of the " +
                    std::to_string(files.size()) + " files was written");
    }
  }
  std::vector<std::string> renamed;
  for (size_t i = 0; i < files.size(); ++i) {
    if (std::rename(temps[i].c_str(), files[i].first.c_str()) != 0) {
      remove_all(temps);
      remove_all(renamed);
      throw IoError("cannot write '" + files[i].first + "'; none of the " +
                    std::to_string(files.size()) + " files was written");
    }
    renamed.push_back(files[i].first);
  }
}

}  // namespace frugal
