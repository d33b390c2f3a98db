// frugal_bench_numerics: inference of a 10,000-image test set through mlp:784-256-128-10 in
// ideal fp32 and through the noisy PCM crossbar numerics (programming noise, drift, read noise,
// 8-bit DAC and ADC). Issue 7's target: the analog run at most 3x the fp32 one.

#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "algorithms/functional/network.h"
#include "bench/bench_main.h"
#include "hw_models/analog/analog_numerics.h"
#include "workloads/dataset.h"
#include "workloads/model_registry.h"

namespace {

using namespace frugal;

void run_inference(benchmark::State& state, algorithms::Numerics& numerics) {
  static const workloads::DataSplit data = workloads::load_dataset("synthetic", "", 64, 10000, 1);
  std::mt19937_64 rng(1);
  algorithms::Network net(workloads::build_model("mlp:784-256-128-10", {}), 784, 10, rng);
  algorithms::ErrorLearner learner(net, numerics, algorithms::ErrorSignal::transpose_weights, rng);
  const workloads::Dataset& test = data.test;
  algorithms::Matrix scores;
  numerics.elapse(3600);  // read an hour after programming
  for (auto _ : state) {
    for (int64_t start = 0; start < test.size(); start += 250) {
      const Eigen::Map<const algorithms::Matrix> x(test.images.data() + start * 784, 784, 250);
      learner.scores(x, scores);
      benchmark::DoNotOptimize(scores.data());
    }
  }
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * test.size()), benchmark::Counter::kIsRate);
}

void BM_InferenceFp32(benchmark::State& state) {
  auto fp32 = algorithms::make_digital_numerics("fp32");
  run_inference(state, *fp32);
}
BENCHMARK(BM_InferenceFp32)->Unit(benchmark::kMillisecond);

void BM_InferencePcm(benchmark::State& state) {
  hw::analog::PcmNumerics pcm({}, 1);
  run_inference(state, pcm);
}
BENCHMARK(BM_InferencePcm)->Unit(benchmark::kMillisecond);

}  // namespace

FRUGAL_BENCHMARK_MAIN()
