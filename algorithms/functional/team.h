#pragma once
// The threads of one training (`--trainer-threads`): the thread that trains and its workers,
// which split each product and each elementwise pass of a step by output columns (samples, or a
// weight gradient's inputs), each member its own contiguous block. No element is computed twice
// and none is summed across members, so a given team size gives the same result bit for bit;
// sizes may differ in the last bits, because a product's blocking depends on its width.
//
// The workers spin for 2 ms after a piece (the next piece of a step comes within microseconds),
// then sleep; a piece too small to pay for the hand-over runs on the calling thread alone.

#include <Eigen/Core>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace frugal::algorithms {

class Team {
 public:
  // `threads` members in all: the calling thread and threads − 1 workers (none for 1).
  explicit Team(int threads);
  ~Team();
  Team(const Team&) = delete;
  Team& operator=(const Team&) = delete;

  int size() const { return static_cast<int>(m_workers.size()) + 1; }
  // work(member) on every member, the caller as member 0; returns when all have finished, and
  // rethrows the first exception a member threw.
  void run(const std::function<void(int member)>& work);

 private:
  void serve(int member);
  void stop();  // the workers finish and are joined

  std::vector<std::thread> m_workers;
  const std::function<void(int)>* m_work = nullptr;
  std::atomic<uint64_t> m_generation{0};
  std::atomic<int> m_pending{0};
  bool m_stop = false;  // under m_mutex
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::exception_ptr m_error;  // under m_mutex
};

// Makes `team` the calling thread's team while it lives (nullptr: none, everything on the calling
// thread), restoring the previous one after.
class TeamScope {
 public:
  explicit TeamScope(Team* team);
  ~TeamScope();
  TeamScope(const TeamScope&) = delete;
  TeamScope& operator=(const TeamScope&) = delete;

 private:
  Team* m_previous;
};

// The calling thread's team's size: 1 without a team.
int team_size();

// True when a piece of `cols` output columns and `work` (multiply-accumulates, or values of an
// elementwise pass) is split: the calling thread has a team of two or more, there are as many
// columns as members, and `work` reaches `threshold`. Otherwise the caller runs its piece whole,
// exactly as without a team.
bool worth_splitting(Eigen::Index cols, int64_t work, int64_t threshold);

// Columns [0, cols) in contiguous blocks, one per member of the calling thread's team (the k-th
// of T taking [cols·k/T, cols·(k+1)/T)): part(first, count) on each, at once. Without a team,
// part(0, cols) on the calling thread.
void split_columns(Eigen::Index cols,
                   const std::function<void(Eigen::Index first, Eigen::Index count)>& part);

// Thresholds of worth_splitting: products of this many multiply-accumulates or more, elementwise
// passes over this many values or more (below, the hand-over costs more than the piece).
constexpr int64_t kSplitMacs = 65536;
constexpr int64_t kSplitElements = 16384;

}  // namespace frugal::algorithms
