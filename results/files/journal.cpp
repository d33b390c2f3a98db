#include "results/files/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "results/core/error.h"
#include "results/core/text_file.h"

namespace frugal::results {
namespace {

// Record: magic, id, length, FNV-1a checksum of the bytes, then the bytes. The header is a record
// with id -1.
constexpr uint32_t kMagic = 0x314a5246;  // "FRJ1"
constexpr int64_t kHeaderId = -1;

struct RecordHead {
  uint32_t magic;
  uint32_t checksum;
  int64_t id;
  uint64_t length;
};

// FNV-1a over the record's id, length and bytes.
uint32_t checksum(int64_t id, const std::string& bytes) {
  uint32_t h = 2166136261u;
  auto mix = [&h](const unsigned char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 16777619u;
    }
  };
  const uint64_t length = bytes.size();
  mix(reinterpret_cast<const unsigned char*>(&id), sizeof id);
  mix(reinterpret_cast<const unsigned char*>(&length), sizeof length);
  mix(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return h;
}

// Takes the journal's lock, so that two processes never write one journal.
void lock(int fd, const std::string& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw InputError("'" + path + "' is being written by another frugal process");
  }
}

std::string record(int64_t id, const std::string& bytes) {
  const RecordHead head{kMagic, checksum(id, bytes), id, bytes.size()};
  std::string r(reinterpret_cast<const char*>(&head), sizeof head);
  return r + bytes;
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t w = ::write(fd, data.data() + done, data.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

Journal Journal::create(const std::string& path, const std::string& header) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw InputError("cannot create '" + path + "': " + std::strerror(errno) +
                     (errno == EEXIST ? " (an interrupted sweep? --resume continues it)" : ""));
  lock(fd, path);
  Journal journal(path, fd);
  journal.append(kHeaderId, header);
  return journal;
}

Journal Journal::resume(const std::string& path,
                        std::vector<std::pair<int64_t, std::string>>& records,
                        const std::function<void(const std::string& header)>& check_header) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw InputError("nothing to resume: '" + path + "' does not exist");
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot open '" + path + "': " + std::strerror(errno));
  lock(fd, path);
  Journal journal(path, fd);
  const std::string data = st.st_size > 0 ? read_text_file(path, "sweep journal") : std::string();
  size_t offset = 0;
  bool have_header = false;
  while (offset + sizeof(RecordHead) <= data.size()) {
    RecordHead head{};
    std::memcpy(&head, data.data() + offset, sizeof head);
    if (head.magic != kMagic || head.length > data.size() - offset - sizeof head) break;
    std::string bytes = data.substr(offset + sizeof head, head.length);
    if (checksum(head.id, bytes) != head.checksum) break;
    offset += sizeof head + head.length;
    if (!have_header) {
      if (head.id != kHeaderId) break;
      check_header(bytes);  // may throw: nothing has been changed yet
      have_header = true;
    } else {
      records.emplace_back(head.id, std::move(bytes));
    }
  }
  if (!have_header) throw InputError("cannot resume: '" + path + "' is not a frugal sweep journal");
  // Cut a record torn by the kill, so that new records follow the last valid one.
  if (::ftruncate(fd, static_cast<off_t>(offset)) != 0)
    throw IoError("cannot truncate '" + path + "': " + std::strerror(errno));
  return journal;
}

Journal::Journal(std::string path, int fd)
    : m_path(std::move(path)), m_fd(fd), m_identity(FileIdentity::of(fd)) {}

Journal::Journal(Journal&& other) noexcept
    : m_path(std::move(other.m_path)), m_fd(other.m_fd), m_identity(other.m_identity) {
  other.m_fd = -1;
}

Journal::~Journal() {
  if (m_fd >= 0) ::close(m_fd);
}

void Journal::append(int64_t id, const std::string& bytes) {
  // One write() per record: a kill leaves whole records and at most one torn one at the end.
  if (!write_all(m_fd, record(id, bytes)))
    throw IoError("cannot write to '" + m_path + "': " + std::strerror(errno) + " (disk full?)");
}

void Journal::sync() {
  if (m_fd >= 0 && ::fsync(m_fd) != 0)
    throw IoError("cannot write to '" + m_path + "': " + std::strerror(errno) + " (disk full?)");
}

bool Journal::intact() const { return FileIdentity::of(m_path) == m_identity; }

void Journal::remove() {
  const bool mine = intact();
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
  if (mine) std::remove(m_path.c_str());
}

}  // namespace frugal::results
