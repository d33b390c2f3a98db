#pragma once
// An append-only journal of finished work: a header text, then one record per finished item
// (an id and its bytes), each written with a single write() and a checksum. A process killed at
// any moment leaves a journal whose valid records are every item it had finished; a record cut
// short by the kill is detected and ignored. The file is locked (flock) while a process writes it.
// frugal sweep keeps one beside its partial result file, so that --resume loses nothing even if the
// kill landed while HDF5 was writing.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "results/files/output_lock.h"

namespace frugal::results {

class Journal {
 public:
  // Creates PATH (which must not exist; InputError otherwise) and writes `header`.
  static Journal create(const std::string& path, const std::string& header);
  // Reads PATH's header and hands it to `check_header` (which throws to refuse it, leaving PATH
  // untouched), reads the valid records, then opens PATH to append after them (a torn last record
  // is cut off). Throws InputError if PATH does not exist, has no valid header, or is locked by
  // another process writing it.
  static Journal resume(const std::string& path,
                        std::vector<std::pair<int64_t, std::string>>& records,
                        const std::function<void(const std::string& header)>& check_header);

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&&) = delete;
  Journal(const Journal&) = delete;
  ~Journal();

  // Appends one record. Throws IoError if it cannot be written whole (disk full).
  void append(int64_t id, const std::string& bytes);
  // Forces the records to disk (fsync).
  void sync();
  // Closes and deletes the journal (its results are safe in the committed result file), unless
  // the name now points to another file.
  void remove();
  // Whether PATH is still this journal (not deleted or replaced by another process).
  bool intact() const;

  const std::string& path() const { return m_path; }

 private:
  Journal(std::string path, int fd);
  std::string m_path;
  int m_fd = -1;
  FileIdentity m_identity;
};

}  // namespace frugal::results
