// The MPI farm's module (libfrugal_mpi.so, beside libfrugal_sim.so): loaded by
// sim/sweep/mpi_farm.cpp only when mpirun starts frugal with several ranks, so that no other run
// loads Open MPI (results/core/module.h).
#include <mpi.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "sim/sweep/mpi_farm.h"

namespace frugal::sim {
namespace {

constexpr int kTagTask = 1;
constexpr int kTagResult = 2;
constexpr int kTagStop = 3;

bool g_initialized = false;

// Result message: status (1 byte), task (8 bytes), then the payload or the error text.
std::string pack(const TaskResult& r) {
  std::string message(9, '\0');
  message[0] = static_cast<char>(r.status);
  std::memcpy(&message[1], &r.task, 8);
  message += r.status == TaskResult::Status::ok ? r.payload : r.error;
  return message;
}

TaskResult unpack(const std::string& message) {
  TaskResult r;
  if (message.size() < 9) {
    r.status = TaskResult::Status::crashed;
    r.error = "malformed message from an MPI rank";
    return r;
  }
  r.status = static_cast<TaskResult::Status>(message[0]);
  std::memcpy(&r.task, &message[1], 8);
  (r.status == TaskResult::Status::ok ? r.payload : r.error) = message.substr(9);
  return r;
}

class MpiExecutor : public Executor {
 public:
  MpiExecutor() {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int rank = size - 1; rank >= 1; --rank) m_idle.push_back(rank);
    m_ranks = size - 1;
  }
  ~MpiExecutor() override { stop(); }

  bool has_idle() const override { return !m_idle.empty(); }
  int busy() const override { return m_ranks - static_cast<int>(m_idle.size()); }

  void submit(int64_t task) override {
    const int rank = m_idle.back();
    m_idle.pop_back();
    MPI_Send(&task, 1, MPI_INT64_T, rank, kTagTask, MPI_COMM_WORLD);
  }

  std::vector<TaskResult> wait(double max_wait_s) override {
    std::vector<TaskResult> results;
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(max_wait_s);
    do {
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &status);
      while (flag) {
        int bytes = 0;
        MPI_Get_count(&status, MPI_BYTE, &bytes);
        std::string message(static_cast<size_t>(bytes), '\0');
        MPI_Recv(message.data(), bytes, MPI_BYTE, status.MPI_SOURCE, kTagResult, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        results.push_back(unpack(message));
        m_idle.push_back(status.MPI_SOURCE);
        MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &status);
      }
      if (!results.empty() || busy() == 0) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    } while (std::chrono::steady_clock::now() < until);
    return results;
  }

  void stop() override {
    if (m_stopped) return;
    m_stopped = true;
    const int64_t none = -1;
    for (int rank = 1; rank <= m_ranks; ++rank)
      MPI_Send(&none, 1, MPI_INT64_T, rank, kTagStop, MPI_COMM_WORLD);
  }

 private:
  std::vector<int> m_idle;
  int m_ranks = 0;
  bool m_stopped = false;
};

MpiRole role() {
  if (!g_initialized) {
    MPI_Init(nullptr, nullptr);
    g_initialized = true;
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank == 0 ? MpiRole::coordinator : MpiRole::worker;
}

std::unique_ptr<Executor> make_executor() { return std::make_unique<MpiExecutor>(); }

void serve(Executor& local) {
  for (;;) {
    int64_t task = -1;
    MPI_Status status;
    MPI_Recv(&task, 1, MPI_INT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    if (status.MPI_TAG == kTagStop) return;
    local.submit(task);
    std::vector<TaskResult> results;
    while (results.empty()) results = local.wait(1.0);
    const std::string message = pack(results.front());
    MPI_Send(message.data(), static_cast<int>(message.size()), MPI_BYTE, 0, kTagResult,
             MPI_COMM_WORLD);
  }
}

void finalize() {
  if (g_initialized) MPI_Finalize();
  g_initialized = false;
}

}  // namespace
}  // namespace frugal::sim

const frugal::sim::MpiModule* frugal_mpi_module() {
  static const frugal::sim::MpiModule module{frugal::sim::role, frugal::sim::make_executor,
                                             frugal::sim::serve, frugal::sim::finalize};
  return &module;
}
