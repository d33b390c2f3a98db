#pragma once
// Forked worker processes that run tasks in isolation: a crash (signal, abort) or a hang in one
// task costs that task only. SystemC elaborates once per process, so every worker gets a fresh
// kernel; a worker runs many tasks in turn (devices reconfigure per step), and a worker that dies
// is replaced by a fresh fork.
//
// Contract: the parent must not have started a SystemC simulation before the pool forks (the
// workers inherit the parent's memory). The parent's SIGPIPE is ignored while a pool exists.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace frugal::sim {

struct TaskResult {
  enum class Status { ok, failed, crashed, timeout };
  int64_t task = -1;
  Status status = Status::ok;
  std::string payload;  // what compute returned (ok)
  std::string error;    // why not ok: the exception message, the signal, the time limit
};

const char* to_string(TaskResult::Status status);

// Runs tasks somewhere (forked workers here; MPI ranks in sim/sweep/mpi_farm.h) and reports
// results.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual bool has_idle() const = 0;
  virtual int busy() const = 0;
  // Contract: has_idle().
  virtual void submit(int64_t task) = 0;
  // Waits up to max_wait_s; returns early (possibly with nothing) when a signal arrives.
  virtual std::vector<TaskResult> wait(double max_wait_s) = 0;
  // Abandons the tasks in flight.
  virtual void stop() = 0;
  // The tasks in flight and the fraction of each done (0 to 1) as their workers last reported it
  // (report_progress); empty where the executor cannot tell (MPI ranks).
  virtual std::vector<std::pair<int64_t, double>> in_flight() const { return {}; }
};

// In a worker: the fraction of its current task done (0 to 1), for the parent's progress line.
// Elsewhere (a single run, the parent): nothing.
void report_progress(double fraction);

class WorkerPool : public Executor {
 public:
  // compute(task) runs in a worker; its return value travels back as the payload. An exception
  // it throws becomes a `failed` result carrying what(). timeout_s <= 0: no time limit.
  using Compute = std::function<std::string(int64_t task)>;
  // retire() is asked in the worker after each task: true makes the worker exit after sending its
  // result, to be replaced by a fresh fork (e.g. before the SystemC clock of a long-lived worker
  // runs out, so that no state carries over in a way that depends on how tasks were spread).
  using Retire = std::function<bool()>;
  WorkerPool(int workers, double timeout_s, Compute compute, Retire retire = {});
  ~WorkerPool() override;  // kills the workers
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(m_workers.size()); }
  int busy() const override;
  bool has_idle() const override { return busy() < size(); }

  // Hands `task` to an idle worker (forking one if needed). Contract: has_idle().
  void submit(int64_t task) override;

  // Waits up to max_wait_s for results (returns early, possibly empty, when a signal arrives).
  // Kills and reports workers whose task ran past the time limit.
  std::vector<TaskResult> wait(double max_wait_s) override;

  // Kills every worker at once (tasks in flight are dropped, not reported).
  void stop() override;
  std::vector<std::pair<int64_t, double>> in_flight() const override;

 private:
  struct Worker {
    pid_t pid = -1;
    int to_worker = -1;    // parent writes task ids
    int from_worker = -1;  // parent reads results
    int64_t task = -1;     // -1: idle
    std::chrono::steady_clock::time_point started;
  };
  void spawn(Worker& worker);
  void reap(Worker& worker);  // kills (if alive) and closes
  [[noreturn]] void serve(int in, int out);
  std::string describe_exit(pid_t pid);

  double m_timeout_s;
  // One progress slot per worker, in memory shared with the workers (report_progress).
  struct Slots;
  std::unique_ptr<Slots> m_slots;
  Compute m_compute;
  Retire m_retire;
  std::vector<Worker> m_workers;
};

}  // namespace frugal::sim
