#pragma once
// Ownership of an output file. The one process writing PATH (and PATH.partial, PATH.journal,
// PATH.sorting beside it) holds a POSIX record lock on PATH.lock for as long as it writes; the file
// names that process (its pid, when it started, its command line). A second frugal process that
// would write PATH is refused with the holder's pid, so following one run's advice ("delete the
// journal") never destroys another run's files. A lock left by a killed process is free: the kernel
// releases a dead process's locks, and the next writer takes the file over.
//
// Record locks are per process and are not inherited by fork(), so a sweep's workers never hold
// one; the lock is released when the holder exits, however it exits. A process asking twice for
// the same PATH is refused too (record locks alone would not refuse it).

#include <sys/types.h>

#include <string>

namespace frugal::results {

class OutputLock {
 public:
  // Takes PATH.lock. Throws InputError "'PATH' is in use by process N (...)" if another process
  // (or this one) holds it, or if PATH.lock cannot be created.
  explicit OutputLock(const std::string& path);
  ~OutputLock();  // release()
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  // Deletes PATH.lock (while still holding it, so no one takes a file about to vanish) and
  // releases the lock.
  void release();

  const std::string& path() const { return m_path; }

  // Who holds PATH's lock: "" if no one, "this process", or "process N (started T)".
  static std::string held_by(const std::string& path);
  // Throws InputError "'PATH' is in use by process N (...)" if another process holds PATH's
  // lock (a check before work; the lock itself is what keeps writers apart). Returns held_by().
  static std::string check_not_held_elsewhere(const std::string& path);

 private:
  std::string m_path;       // the output file
  std::string m_lock_path;  // PATH.lock
  int m_fd = -1;
};

// The identity of the file at PATH (device and inode), or {0, 0} if there is none: a writer checks
// that the file it is about to rename or delete is still the one it created.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileIdentity& o) const { return device == o.device && inode == o.inode; }
  bool operator!=(const FileIdentity& o) const { return !(*this == o); }
  static FileIdentity of(const std::string& path);
  static FileIdentity of(int fd);
};

}  // namespace frugal::results
