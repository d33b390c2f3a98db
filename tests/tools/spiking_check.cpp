// Runs frugal's spiking dynamics (hw::neuro::run_spiking, the code the neuromorphic device's
// conversion uses) on a network and inputs read from stdin, and prints each layer's spike counts:
// the peer cross-check against Brian2 (tests/python/test_brian2_lif.py) feeds it.
//
// Input, whitespace-separated:
//   T leak threshold refractory
//   L                               (layers)
//   rows cols w[rows*cols] b[rows]  (each layer, weights row-major)
//   n x[n]                          (input intensities in [0, 1], one sample)
// Output: one line per layer, the encoder first: the spikes of each neuron over T timesteps.

#include <iostream>
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
  Eigen::Index n = 0;
  std::cin >> n;
  algorithms::Matrix x(n, 1);
  for (Eigen::Index i = 0; i < n; ++i) std::cin >> x(i, 0);
  if (!std::cin) return 2;
  for (const algorithms::Vector& counts : hw::neuro::run_spiking(net, x, neuron, timesteps)) {
    for (Eigen::Index i = 0; i < counts.size(); ++i) std::cout << (i ? " " : "") << counts(i);
    std::cout << "\n";
  }
  return 0;
}
