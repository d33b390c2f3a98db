// frugal_bench_workloads: building large graphs and importing ONNX files. The heap is counted
// (operator new and delete are replaced in this binary) to report the peak memory of a build.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <systemc>

#include "algorithms/learning_rule.h"
#include "bench/bench_main.h"
#include "workloads/model_registry.h"

namespace {

std::atomic<int64_t> g_live{0}, g_peak{0};

void* counted(size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  const int64_t live = g_live += static_cast<int64_t>(malloc_usable_size(p));
  int64_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return p;
}

void uncounted(void* p) {
  if (!p) return;
  g_live -= static_cast<int64_t>(malloc_usable_size(p));
  std::free(p);
}

}  // namespace

void* operator new(size_t n) { return counted(n); }
void* operator new[](size_t n) { return counted(n); }
void operator delete(void* p) noexcept { uncounted(p); }
void operator delete[](void* p) noexcept { uncounted(p); }
void operator delete(void* p, size_t) noexcept { uncounted(p); }
void operator delete[](void* p, size_t) noexcept { uncounted(p); }

namespace {

using namespace frugal;

// Peak heap bytes above what was live when `body` started.
template <typename F>
double peak_heap_mb(F body) {
  const int64_t base = g_live.load();
  g_peak = base;
  body();
  return static_cast<double>(g_peak.load() - base) / 1e6;
}

// The GPT-3 175B graph (96 layers, 2048 tokens) and its backprop training step.
void BM_Gpt3GraphAndBpStep(benchmark::State& state) {
  double peak = 0;
  for (auto _ : state) {
    peak = peak_heap_mb([] {
      const workloads::Graph g = workloads::build_model("gpt3", {});
      benchmark::DoNotOptimize(algorithms::make_rule("bp")->expand(g, {}));
    });
  }
  state.counters["peak_heap_MB"] = peak;
}
BENCHMARK(BM_Gpt3GraphAndBpStep)->Unit(benchmark::kMillisecond);

// ResNet-50 from an ONNX file (FRUGAL_BENCH_ONNX, default /tmp/frugal-bench/resnet50.onnx; make
// it with scripts/export_onnx.py resnet50 /tmp/frugal-bench/resnet50.onnx).
void BM_ImportResnet50Onnx(benchmark::State& state) {
  const char* env = std::getenv("FRUGAL_BENCH_ONNX");
  const std::string path = env ? env : "/tmp/frugal-bench/resnet50.onnx";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    state.SkipWithError(("no " + path + ": run scripts/export_onnx.py resnet50 " + path).c_str());
    return;
  }
  double peak = 0;
  for (auto _ : state)
    peak = peak_heap_mb([&] { benchmark::DoNotOptimize(workloads::build_model(path, {})); });
  state.counters["peak_heap_MB"] = peak;
  state.counters["file_MB"] = static_cast<double>(st.st_size) / 1e6;
}
BENCHMARK(BM_ImportResnet50Onnx)->Unit(benchmark::kMillisecond);

}  // namespace

FRUGAL_BENCHMARK_MAIN()
