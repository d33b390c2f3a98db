// frugal_bench_numerics: inference of a 10,000-image test set through mlp:784-256-128-10 in
// ideal fp32 and through the noisy PCM crossbar numerics (programming noise, drift, read noise,
// 8-bit DAC and ADC). Issue 7's target: the analog run at most 3x the fp32 one.
// Also the trainer's epoch on one thread and on two (--trainer-threads; issue 25's target: 1.7x),
// and the spiking simulation (hw::neuro::run_spiking) of the same shape at a given spike rate,
// the synaptic input as a dense product or event by event (issue 25's targets: events at least
// 3x faster than dense at a spike rate of 0.28, 10x at 0.05).

#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "algorithms/functional/network.h"
#include "algorithms/functional/trainer.h"
#include "bench/bench_main.h"
#include "hw_models/analog/analog_numerics.h"
#include "hw_models/neuro/spiking.h"
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

// 784-256-128-10 with seeded weights (the distribution of bench/bench_snn.py's network) run for
// 32 timesteps on 100 images whose intensities are uniform in [0, 2 r]: the encoder fires at
// about r, the hidden layers near it. Counter spike_rate: the rate over every spiking layer.
void BM_Spiking(benchmark::State& state) {
  const double rate = static_cast<double>(state.range(0)) / 1000.0;
  const auto path = static_cast<hw::neuro::SynapticPath>(state.range(1));
  std::mt19937_64 rng(0);
  std::uniform_int_distribution<int> weight(-6, 7), bias(-2, 2);
  std::vector<hw::neuro::SpikingWeights> layers;
  const std::vector<Eigen::Index> sizes = {784, 256, 128, 10};
  for (size_t k = 0; k + 1 < sizes.size(); ++k) {
    hw::neuro::SpikingWeights l;
    l.w = algorithms::Matrix::NullaryExpr(sizes[k + 1], sizes[k],
                                          [&] { return static_cast<float>(weight(rng)) / 256; });
    l.b = algorithms::Vector::NullaryExpr(sizes[k + 1],
                                          [&] { return static_cast<float>(bias(rng)) / 256; });
    layers.push_back(std::move(l));
  }
  std::uniform_real_distribution<float> intensity(0.0f, static_cast<float>(2 * rate));
  const algorithms::Matrix x =
      algorithms::Matrix::NullaryExpr(784, 100, [&] { return intensity(rng); });
  constexpr int64_t kTimesteps = 32;
  double spikes = 0, slots = 0;
  for (auto _ : state) {
    const std::vector<algorithms::Vector> counts =
        hw::neuro::run_spiking(layers, x, {}, kTimesteps, {}, path);
    spikes = slots = 0;
    for (size_t k = 0; k + 1 < counts.size(); ++k) {
      spikes += counts[k].sum();
      slots += static_cast<double>(counts[k].size() * x.cols() * kTimesteps);
    }
  }
  state.counters["spike_rate"] = spikes / slots;
  state.counters["images_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * x.cols()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Spiking)
    ->ArgNames({"rate_permille", "path"})  // path 0: automatic, 1: dense, 2: events
    ->ArgsProduct({{50, 280, 500, 700}, {1, 2, 0}})
    ->Unit(benchmark::kMillisecond);

// One epoch of bp (momentum, batch 64) on 10,000 Fashion-MNIST images, mlp:784-256-128-10 or a
// wide 784-4096-4096-10 (1,280 images), the products on `threads` threads. Counters: images
// per second and the products' GFLOP/s (the MACs per sample the trainer's numerics counted).
void BM_TrainEpoch(benchmark::State& state) {
  const bool wide = state.range(1) != 0;
  const int64_t images = wide ? 1280 : 10000;
  const workloads::DataSplit subset = workloads::load_dataset("fashion-mnist", "", images, 100, 0);
  const workloads::Graph forward =
      workloads::build_model(wide ? "mlp:784-4096-4096-10" : "mlp:784-256-128-10", {});
  algorithms::TrainOptions o;
  o.batch = 64;
  o.threads = state.range(0);
  o.learning_rate = 0.01;
  int64_t macs_per_sample = 0;
  for (auto _ : state) macs_per_sample = algorithms::train(forward, subset, o).macs_per_sample;
  const auto samples = static_cast<double>(state.iterations() * images);
  state.counters["images_per_s"] = benchmark::Counter(samples, benchmark::Counter::kIsRate);
  state.counters["product_gflops"] = benchmark::Counter(
      samples * static_cast<double>(macs_per_sample) * 2 / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainEpoch)
    ->ArgNames({"threads", "wide"})
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

FRUGAL_BENCHMARK_MAIN()
