#include "hw_models/common/tensor_cache.h"

#include <stdexcept>

namespace frugal::hw {

TensorCache::TensorCache(int64_t capacity_bytes) : m_capacity(capacity_bytes) {
  if (capacity_bytes < 0) throw std::invalid_argument("cache capacity must not be negative");
}

void TensorCache::touch(std::list<Entry>::iterator it) { m_lru.splice(m_lru.begin(), m_lru, it); }

int64_t TensorCache::make_room(int64_t bytes) {
  int64_t written_back = 0;
  while (m_used + bytes > m_capacity && !m_lru.empty()) {
    const Entry& victim = m_lru.back();
    if (victim.dirty) written_back += victim.bytes;
    m_used -= victim.bytes;
    m_index.erase(victim.tensor);
    m_lru.pop_back();
  }
  return written_back;
}

TensorCache::Traffic TensorCache::read(int tensor, int64_t bytes) {
  Traffic traffic;
  if (const auto it = m_index.find(tensor); it != m_index.end()) {
    touch(it->second);
    return traffic;
  }
  traffic.fetched_bytes = bytes;
  if (bytes > m_capacity) return traffic;  // streams through
  traffic.written_back_bytes = make_room(bytes);
  m_lru.push_front({tensor, bytes, false});
  m_index[tensor] = m_lru.begin();
  m_used += bytes;
  return traffic;
}

TensorCache::Traffic TensorCache::write(int tensor, int64_t bytes) {
  Traffic traffic;
  if (const auto it = m_index.find(tensor); it != m_index.end()) {
    it->second->dirty = true;
    touch(it->second);
    return traffic;
  }
  if (bytes > m_capacity) {
    traffic.written_back_bytes = bytes;  // streams straight to the level below
    return traffic;
  }
  traffic.written_back_bytes = make_room(bytes);
  m_lru.push_front({tensor, bytes, true});
  m_index[tensor] = m_lru.begin();
  m_used += bytes;
  return traffic;
}

void TensorCache::invalidate(int tensor) {
  const auto it = m_index.find(tensor);
  if (it == m_index.end()) return;
  m_used -= it->second->bytes;
  m_lru.erase(it->second);
  m_index.erase(it);
}

void TensorCache::clear() {
  m_lru.clear();
  m_index.clear();
  m_used = 0;
}

std::vector<OpMisses> steady_state_misses(const workloads::Graph& step, int64_t capacity_bytes) {
  TensorCache cache(capacity_bytes);
  const auto& tensors = step.tensors();
  std::vector<OpMisses> misses(step.ops().size());
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t t = 0; t < tensors.size(); ++t)
      if (tensors[t].kind == workloads::TensorKind::input ||
          tensors[t].kind == workloads::TensorKind::label)
        cache.invalidate(static_cast<int>(t));
    for (size_t i = 0; i < step.ops().size(); ++i) {
      const workloads::Op& op = step.ops()[i];
      OpMisses m;
      for (int id : op.reads) {
        const auto traffic = cache.read(id, step.tensor(id).bytes);
        m.fetched_bytes += traffic.fetched_bytes;
        m.written_back_bytes += traffic.written_back_bytes;
      }
      for (int id : op.writes)
        m.written_back_bytes += cache.write(id, step.tensor(id).bytes).written_back_bytes;
      if (pass == 1) misses[i] = m;
    }
  }
  return misses;
}

}  // namespace frugal::hw
