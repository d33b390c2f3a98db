#include "algorithms/functional/team.h"

#include <chrono>

namespace frugal::algorithms {

namespace {

thread_local Team* t_team = nullptr;

// How long an idle worker spins before it sleeps: the pieces of one step follow each other
// within microseconds; between steps and epochs the workers sleep.
constexpr std::chrono::microseconds kSpin{2000};

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

Team::Team(int threads) {
  try {
    for (int member = 1; member < threads; ++member)
      m_workers.emplace_back([this, member] { serve(member); });
  } catch (...) {  // a thread the system would not start: stop those that did
    stop();
    throw;
  }
}

Team::~Team() { stop(); }

void Team::stop() {
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  for (std::thread& t : m_workers) t.join();
  m_workers.clear();
}

void Team::run(const std::function<void(int)>& work) {
  if (m_workers.empty()) {
    work(0);
    return;
  }
  m_work = &work;
  m_pending.store(static_cast<int>(m_workers.size()), std::memory_order_relaxed);
  {
    const std::lock_guard<std::mutex> lock(m_mutex);  // a worker about to sleep sees it
    m_generation.fetch_add(1, std::memory_order_release);
  }
  m_wake.notify_all();
  std::exception_ptr mine;
  try {
    work(0);
  } catch (...) {
    mine = std::current_exception();
  }
  // A worker not yet back (descheduled, when more threads than cores run): let it have the core.
  for (int spins = 1; m_pending.load(std::memory_order_acquire) != 0; ++spins)
    if (spins % 1024 == 0)
      std::this_thread::yield();
    else
      relax();
  m_work = nullptr;
  std::exception_ptr theirs;
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    theirs = m_error;
    m_error = nullptr;
  }
  if (mine) std::rethrow_exception(mine);
  if (theirs) std::rethrow_exception(theirs);
}

void Team::serve(int member) {
  uint64_t seen = 0;
  for (;;) {
    // Spin for the next piece, then sleep until it comes.
    const auto until = std::chrono::steady_clock::now() + kSpin;
    int spins = 0;
    while (m_generation.load(std::memory_order_acquire) == seen) {
      relax();
      if (++spins % 64 == 0 && std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_wake.wait(lock,
                    [&] { return m_stop || m_generation.load(std::memory_order_acquire) != seen; });
        if (m_stop) return;
      }
    }
    seen = m_generation.load(std::memory_order_acquire);
    try {
      (*m_work)(member);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(m_mutex);
      if (!m_error) m_error = std::current_exception();
    }
    m_pending.fetch_sub(1, std::memory_order_acq_rel);
  }
}

TeamScope::TeamScope(Team* team) : m_previous(t_team) { t_team = team; }

TeamScope::~TeamScope() { t_team = m_previous; }

int team_size() { return t_team ? t_team->size() : 1; }

bool worth_splitting(Eigen::Index cols, int64_t work, int64_t threshold) {
  const int size = team_size();
  return size > 1 && cols >= size && work >= threshold;
}

void split_columns(Eigen::Index cols, const std::function<void(Eigen::Index, Eigen::Index)>& part) {
  Team* team = t_team;
  if (!team) {
    part(0, cols);
    return;
  }
  const Eigen::Index parts = team->size();
  const TeamScope alone(nullptr);  // a piece that splits again runs whole, on its own thread
  team->run([&](int member) {
    const Eigen::Index first = cols * member / parts, last = cols * (member + 1) / parts;
    part(first, last - first);
  });
}

}  // namespace frugal::algorithms
