// Runs frugal's spiking dynamics (hw::neuro::run_spiking, the code the neuromorphic device's
// conversion uses) on a network and inputs read from stdin, and prints each layer's spike counts:
// the peer cross-check against Brian2 (tests/python/test_brian2_lif.py) feeds it.
//
// Input, whitespace-separated:
//   T leak threshold refractory
//   L                               (layers)
//   rows cols w[rows*cols] b[rows]  (each layer, weights row-major)
//   n m x[n*m]                      (m samples of n input intensities in [0, 1], sample by sample)
//   [path]                          (optional: automatic, dense or events)
// Output: one line per layer, the encoder first: the spikes of each neuron over T timesteps,
// summed over the samples. On stderr: "seconds S", the fastest of three runs of run_spiking
// (the dynamics alone, without the process's start or the parsing), for benchmarks.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <systemc>

#include "hw_models/neuro/spiking.h"

using namespace frugal;

// SystemC's library supplies main() and calls sc_main (frugal_hw links it).
int sc_main(int /*argc*/, char* /*argv*/[]) {
  int64_t timesteps = 0, layers = 0;
  hw::neuro::NeuronModel neuron;
  if (!(std::cin >> timesteps >> neuron.leak >> neuron.threshold >> neuron.refractory >> layers))
    return 2;
  std::vector<hw::neuro::SpikingWeights> net(static_cast<size_t>(layers));
  for (auto& l : net) {
    Eigen::Index rows = 0, cols = 0;
    std::cin >> rows >> cols;
    l.w.resize(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) std::cin >> l.w(i, j);
    l.b.resize(rows);
    for (Eigen::Index i = 0; i < rows; ++i) std::cin >> l.b(i);
  }
  Eigen::Index n = 0, m = 0;
  std::cin >> n >> m;
  if (!std::cin || n <= 0 || m <= 0) return 2;
  algorithms::Matrix x(n, m);
  for (Eigen::Index j = 0; j < m; ++j)
    for (Eigen::Index i = 0; i < n; ++i) std::cin >> x(i, j);
  if (!std::cin) return 2;
  std::string name = "automatic";
  std::cin >> name;
  if (name != "automatic" && name != "dense" && name != "events") {
    std::cerr << "spiking_check: path '" << name << "': expected automatic, dense or events\n";
    return 2;
  }
  const auto path = name == "dense"    ? hw::neuro::SynapticPath::dense
                    : name == "events" ? hw::neuro::SynapticPath::events
                                       : hw::neuro::SynapticPath::automatic;
  std::vector<algorithms::Vector> spikes;
  double fastest = 1e300;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    spikes = hw::neuro::run_spiking(net, x, neuron, timesteps, {}, path);
    fastest = std::min(
        fastest, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::cerr << "seconds " << fastest << "\n";
  for (const algorithms::Vector& counts : spikes) {
    for (Eigen::Index i = 0; i < counts.size(); ++i) std::cout << (i ? " " : "") << counts(i);
    std::cout << "\n";
  }
  return 0;
}
