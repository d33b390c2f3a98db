#pragma once
// A cache that holds whole tensors, least recently used first out: the model of a large shared
// cache (a CPU's last level, a GPU's L2) at the granularity a layer-level simulation needs.
// Reads of absent tensors fetch them from below; writes allocate without fetching (the tensor is
// overwritten) and leave them dirty; evicting a dirty tensor writes it back. A tensor larger than
// the whole cache bypasses it.

#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "workloads/graph.h"

namespace frugal::hw {

class TensorCache {
 public:
  explicit TensorCache(int64_t capacity_bytes);

  struct Traffic {
    int64_t fetched_bytes = 0;       // read from the level below
    int64_t written_back_bytes = 0;  // written to the level below
  };

  Traffic read(int tensor, int64_t bytes);
  Traffic write(int tensor, int64_t bytes);
  void invalidate(int tensor);  // drop without writing back (a fresh input batch)
  void clear();

  bool resident(int tensor) const { return m_index.count(tensor) != 0; }
  int64_t used_bytes() const { return m_used; }

 private:
  struct Entry {
    int tensor;
    int64_t bytes;
    bool dirty;
  };
  // Makes room for `bytes`, evicting least recently used entries; returns bytes written back.
  int64_t make_room(int64_t bytes);
  void touch(std::list<Entry>::iterator it);

  int64_t m_capacity;
  int64_t m_used = 0;
  std::list<Entry> m_lru;  // front: most recently used
  std::unordered_map<int, std::list<Entry>::iterator> m_index;
};

// Bytes each op of `step` exchanges with the memory below a whole-tensor LRU cache of
// `capacity_bytes`, in the steady state of a training loop: the step runs twice through the cache
// and the second pass is counted; the input batch and labels are new at every step, so they always
// come from below.
struct OpMisses {
  int64_t fetched_bytes = 0;
  int64_t written_back_bytes = 0;
};
std::vector<OpMisses> steady_state_misses(const workloads::Graph& step, int64_t capacity_bytes);

}  // namespace frugal::hw
