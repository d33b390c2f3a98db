#include <catch2/catch.hpp>

#include "hw_models/common/tensor_cache.h"

using frugal::hw::TensorCache;

TEST_CASE("the tensor cache fetches misses, keeps hits and writes back dirty victims",
          "[quick][hw]") {
  TensorCache cache(100);
  CHECK(cache.read(1, 60).fetched_bytes == 60);       // cold miss
  CHECK(cache.read(1, 60).fetched_bytes == 0);        // hit
  CHECK(cache.write(2, 40).written_back_bytes == 0);  // allocates, dirty, no fetch
  CHECK(cache.used_bytes() == 100);
  // Reading a third tensor evicts the least recently used: tensor 1 (clean), then room is enough.
  auto t = cache.read(3, 50);
  CHECK(t.fetched_bytes == 50);
  CHECK(t.written_back_bytes == 0);
  CHECK_FALSE(cache.resident(1));
  // The next miss evicts tensor 2, which is dirty.
  t = cache.read(4, 60);
  CHECK(t.written_back_bytes == 40);
  CHECK_FALSE(cache.resident(2));
}

TEST_CASE("tensors larger than the cache stream through it", "[quick][hw]") {
  TensorCache cache(100);
  cache.read(1, 50);
  CHECK(cache.read(9, 500).fetched_bytes == 500);
  CHECK(cache.write(9, 500).written_back_bytes == 500);
  CHECK(cache.resident(1));  // nothing was evicted for them
  cache.invalidate(1);
  CHECK(cache.used_bytes() == 0);
}
