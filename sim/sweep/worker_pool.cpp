#include "sim/sweep/worker_pool.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <stdexcept>

namespace frugal::sim {
namespace {

// Message from a worker: one status byte (0 ok, 1 failed; +2 when the worker exits after it), a
// 64-bit length, then the bytes.
constexpr char kOk = 0;
constexpr char kFailed = 1;
constexpr char kRetiring = 2;

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads exactly n bytes; false on end of file or error.
bool read_all(int fd, void* data, size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

const char* to_string(TaskResult::Status status) {
  switch (status) {
    case TaskResult::Status::ok:
      return "ok";
    case TaskResult::Status::failed:
      return "failed";
    case TaskResult::Status::crashed:
      return "crashed";
    case TaskResult::Status::timeout:
      return "timeout";
  }
  return "?";
}

namespace {
std::atomic<double>* g_progress_slot = nullptr;  // in a worker: its slot
}  // namespace

void report_progress(double fraction) {
  if (g_progress_slot) g_progress_slot->store(fraction, std::memory_order_relaxed);
}

// An anonymous shared mapping of one std::atomic<double> per worker: the workers inherit it
// at fork and write their task's progress; the parent reads it. Lock-free, so no locks span
// processes.
struct WorkerPool::Slots {
  static_assert(std::atomic<double>::is_always_lock_free);
  explicit Slots(size_t n) : count(n) {
    void* memory = ::mmap(nullptr, n * sizeof(std::atomic<double>), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return;  // no progress within tasks, nothing else lost
    slot = static_cast<std::atomic<double>*>(memory);
    for (size_t i = 0; i < n; ++i) new (&slot[i]) std::atomic<double>(0.0);
  }
  ~Slots() {
    if (slot) ::munmap(slot, count * sizeof(std::atomic<double>));
  }
  size_t count;
  std::atomic<double>* slot = nullptr;
};

WorkerPool::WorkerPool(int workers, double timeout_s, Compute compute, Retire retire)
    : m_timeout_s(timeout_s), m_compute(std::move(compute)), m_retire(std::move(retire)) {
  if (workers < 1) throw std::logic_error("WorkerPool needs at least one worker");
  std::signal(SIGPIPE, SIG_IGN);  // a dead worker's pipe must give EPIPE, not kill the parent
  m_workers.resize(static_cast<size_t>(workers));
  m_slots = std::make_unique<Slots>(m_workers.size());
}

WorkerPool::~WorkerPool() { stop(); }

std::vector<std::pair<int64_t, double>> WorkerPool::in_flight() const {
  std::vector<std::pair<int64_t, double>> out;
  for (size_t i = 0; i < m_workers.size(); ++i)
    if (m_workers[i].task >= 0)
      out.emplace_back(m_workers[i].task,
                       m_slots->slot ? m_slots->slot[i].load(std::memory_order_relaxed) : 0.0);
  return out;
}

int WorkerPool::busy() const {
  int n = 0;
  for (const Worker& w : m_workers) n += w.task >= 0;
  return n;
}

void WorkerPool::spawn(Worker& worker) {
  int request[2], response[2];
  if (::pipe(request) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  if (::pipe(response) != 0) {
    ::close(request[0]);
    ::close(request[1]);
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  }
  std::cout.flush();  // buffered output must not be written twice
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    for (int fd : {request[0], request[1], response[0], response[1]}) ::close(fd);
    throw std::runtime_error("fork: " + std::string(std::strerror(error)));
  }
  if (pid == 0) {
    // The worker: dies with the parent, leaves interrupts to the parent (which stops the sweep
    // and kills its workers), and keeps only its own two pipe ends.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    for (const Worker& other : m_workers) {
      if (other.to_worker >= 0) ::close(other.to_worker);
      if (other.from_worker >= 0) ::close(other.from_worker);
    }
    ::close(request[1]);
    ::close(response[0]);
    if (m_slots->slot)
      g_progress_slot = &m_slots->slot[static_cast<size_t>(&worker - m_workers.data())];
    serve(request[0], response[1]);
  }
  ::close(request[0]);
  ::close(response[1]);
  worker.pid = pid;
  worker.to_worker = request[1];
  worker.from_worker = response[0];
  worker.task = -1;
}

void WorkerPool::serve(int in, int out) {
  int64_t task = 0;
  while (read_all(in, &task, sizeof task)) {
    report_progress(0);
    char status = kOk;
    std::string payload;
    try {
      payload = m_compute(task);
    } catch (const std::exception& e) {
      status = kFailed;
      payload = e.what();
    } catch (...) {
      status = kFailed;
      payload = "unknown exception";
    }
    const bool retiring = m_retire && m_retire();
    if (retiring) status = static_cast<char>(status + kRetiring);
    const uint64_t n = payload.size();
    if (!write_all(out, &status, 1) || !write_all(out, &n, sizeof n) ||
        !write_all(out, payload.data(), payload.size()) || retiring)
      break;
  }
  // _exit: no atexit handlers, no flushing of stdio or of files the parent owns (HDF5).
  ::_exit(0);
}

std::string WorkerPool::describe_exit(pid_t pid) {
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return "worker vanished";
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "worker killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (WIFEXITED(status)) return "worker exited with code " + std::to_string(WEXITSTATUS(status));
  return "worker ended";
}

void WorkerPool::reap(Worker& worker) {
  if (worker.pid > 0) {
    ::kill(worker.pid, SIGKILL);
    int status = 0;
    while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (worker.to_worker >= 0) ::close(worker.to_worker);
  if (worker.from_worker >= 0) ::close(worker.from_worker);
  worker = Worker{};
}

void WorkerPool::submit(int64_t task) {
  for (Worker& w : m_workers) {
    if (w.task >= 0) continue;
    if (m_slots->slot)  // the last task's progress must not show as this one's
      m_slots->slot[static_cast<size_t>(&w - m_workers.data())].store(0.0);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (w.pid < 0) spawn(w);
      if (write_all(w.to_worker, &task, sizeof task)) {
        w.task = task;
        w.started = std::chrono::steady_clock::now();
        return;
      }
      reap(w);  // the idle worker had died: replace it once
    }
    throw std::runtime_error("cannot hand a task to a fresh worker process");
  }
  throw std::logic_error("WorkerPool::submit without an idle worker");
}

std::vector<TaskResult> WorkerPool::wait(double max_wait_s) {
  std::vector<TaskResult> results;
  const auto now = std::chrono::steady_clock::now();
  double wait_s = max_wait_s;
  std::vector<pollfd> fds;
  std::vector<Worker*> polled;
  for (Worker& w : m_workers) {
    if (w.task < 0) continue;
    if (m_timeout_s > 0) {
      const double elapsed = std::chrono::duration<double>(now - w.started).count();
      wait_s = std::min(wait_s, std::max(0.0, m_timeout_s - elapsed));
    }
    fds.push_back({w.from_worker, POLLIN, 0});
    polled.push_back(&w);
  }
  if (fds.empty()) return results;
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(wait_s * 1000.0 + 0.5));
  if (ready < 0) return results;  // EINTR: let the caller look at its signal flag
  for (size_t i = 0; i < fds.size(); ++i) {
    Worker& w = *polled[i];
    if (fds[i].revents == 0) continue;
    TaskResult result;
    result.task = w.task;
    char status = 0;
    uint64_t n = 0;
    if (read_all(w.from_worker, &status, 1) && read_all(w.from_worker, &n, sizeof n)) {
      result.payload.resize(n);
      if (read_all(w.from_worker, result.payload.data(), n)) {
        if (status % kRetiring == kFailed) {
          result.status = TaskResult::Status::failed;
          result.error = std::move(result.payload);
          result.payload.clear();
        }
        w.task = -1;
        if (status >= kRetiring) reap(w);  // it exits; a fresh one is forked when needed
        results.push_back(std::move(result));
        continue;
      }
    }
    // End of file before a whole message: the worker died during the task.
    result.status = TaskResult::Status::crashed;
    result.payload.clear();
    const pid_t pid = w.pid;
    ::close(w.to_worker);
    ::close(w.from_worker);
    w = Worker{};
    result.error = describe_exit(pid);
    results.push_back(std::move(result));
  }
  if (m_timeout_s > 0) {
    const auto later = std::chrono::steady_clock::now();
    for (Worker& w : m_workers) {
      if (w.task < 0) continue;
      if (std::chrono::duration<double>(later - w.started).count() < m_timeout_s) continue;
      TaskResult result;
      result.task = w.task;
      result.status = TaskResult::Status::timeout;
      char limit[64];
      std::snprintf(limit, sizeof limit, "%g s", m_timeout_s);
      result.error = std::string("ran longer than --timeout-per-scenario (") + limit + ")";
      reap(w);
      results.push_back(std::move(result));
    }
  }
  return results;
}

void WorkerPool::stop() {
  for (Worker& w : m_workers) reap(w);
}

}  // namespace frugal::sim
