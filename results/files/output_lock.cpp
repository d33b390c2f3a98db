#include "results/files/output_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

#include "results/core/error.h"
#include "results/core/units.h"

namespace frugal::results {
namespace {

// The lock files this process holds, by identity: a record lock does not refuse its own process,
// and opening and closing a second descriptor of a locked file would release the lock.
std::mutex g_mutex;
std::set<std::pair<dev_t, ino_t>> g_held;

bool held_here(const FileIdentity& id) {
  std::lock_guard<std::mutex> guard(g_mutex);
  return id.inode != 0 && g_held.count({id.device, id.inode}) > 0;
}

struct flock whole_file(short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 0;
  return l;
}

// What the holder wrote in its lock file ("started ..."), for the message; empty if unreadable.
std::string started_of(int fd) {
  char text[256] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return {};
  const std::string content(text, static_cast<size_t>(n));
  const auto at = content.find("started ");
  if (at == std::string::npos) return {};
  return content.substr(at + 8, content.find('\n', at) - at - 8);
}

[[noreturn]] void in_use(const std::string& path, const std::string& holder) {
  throw InputError("'" + path + "' is in use by " + holder +
                   (holder.rfind("this process", 0) == 0
                        ? ""
                        : ": wait for it to finish (or stop it), or write to another file"));
}

}  // namespace

FileIdentity FileIdentity::of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

FileIdentity FileIdentity::of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

OutputLock::OutputLock(const std::string& path) : m_path(path), m_lock_path(path + ".lock") {
  // A previous holder deletes the file before releasing it; a writer that opened the old file
  // then finds, once it holds the lock, that the name points elsewhere, and starts again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (held_here(FileIdentity::of(m_lock_path)))
      in_use(path, "this process (it is already writing it)");
    const int fd = ::open(m_lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw InputError("cannot create '" + m_lock_path + "' (the lock of '" + path +
                       "'): " + std::strerror(errno));
    struct flock l = whole_file(F_WRLCK);
    if (::fcntl(fd, F_SETLK, &l) != 0) {
      const int error = errno;
      ::close(fd);
      if (error != EACCES && error != EAGAIN)
        throw InputError("cannot lock '" + m_lock_path + "': " + std::strerror(error));
      const std::string holder = held_by(path);
      in_use(path, holder.empty() ? "another process" : holder);
    }
    const FileIdentity mine = FileIdentity::of(fd);
    if (mine != FileIdentity::of(m_lock_path)) {
      ::close(fd);  // the holder deleted it as we opened it: take the new one
      continue;
    }
    const std::string text =
        "pid " + std::to_string(::getpid()) + "\nstarted " + units::utc_now() + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) < 0) {
      const int error = errno;
      ::unlink(m_lock_path.c_str());
      ::close(fd);
      throw IoError("cannot write '" + m_lock_path + "': " + std::strerror(error) +
                    (error == ENOSPC || error == EFBIG ? " (disk full?)" : ""));
    }
    {
      std::lock_guard<std::mutex> guard(g_mutex);
      g_held.insert({mine.device, mine.inode});
    }
    m_fd = fd;
    return;
  }
  in_use(path, "processes that keep taking and releasing it");
}

std::string OutputLock::check_not_held_elsewhere(const std::string& path) {
  const std::string holder = held_by(path);
  if (!holder.empty() && holder != "this process") in_use(path, holder);
  return holder;
}

OutputLock::~OutputLock() { release(); }

void OutputLock::release() {
  if (m_fd < 0) return;
  const FileIdentity mine = FileIdentity::of(m_fd);
  if (FileIdentity::of(m_lock_path) == mine) ::unlink(m_lock_path.c_str());
  {
    std::lock_guard<std::mutex> guard(g_mutex);
    g_held.erase({mine.device, mine.inode});
  }
  ::close(m_fd);
  m_fd = -1;
}

std::string OutputLock::held_by(const std::string& path) {
  const std::string lock_path = path + ".lock";
  if (held_here(FileIdentity::of(lock_path))) return "this process";
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct flock who = whole_file(F_WRLCK);
  const bool held = ::fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK;
  const std::string started = held ? started_of(fd) : std::string();
  ::close(fd);
  if (!held) return {};
  return "process " + std::to_string(who.l_pid) +
         (started.empty() ? "" : " (started " + started + ")");
}

}  // namespace frugal::results
