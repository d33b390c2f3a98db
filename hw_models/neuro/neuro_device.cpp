// The spiking neuromorphic device. Each dense layer's neurons are placed on neuro-cores of a 2-D
// mesh, under the preset's limits (neurons and synapses per core, fan-in); a layer too large
// spans cores. The step is T timesteps per sample: every timestep, each core processes the
// synaptic events its neurons receive and updates its neurons, spikes travel as packets to the
// cores of the next layer (energy and latency per hop), and all cores meet at a barrier, as on
// Loihi. The activity (spikes per neuron per timestep, per layer) comes from the functional run
// (hw_models/neuro/spiking.h) or an assumed --spike-rate. SystemC: one process per core in use,
// spawned for the step, and a barrier per timestep.

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <algorithm>
#include <cmath>
#include <memory>
#include <systemc>

#include "hw_models/device.h"
#include "hw_models/neuro/neuro_params.h"
#include "results/error.h"

namespace frugal::hw::neuro {
namespace {

using sc_core::SC_SEC;
using sc_core::sc_time;

// One dense layer as the chip holds it.
struct Placed {
  size_t op = 0;  // the dense op of the step graph
  std::string name;
  int64_t neurons = 0, fan_in = 0;
  int64_t first_core = 0, cores = 0;
  double rate_in = 0;   // spikes per neuron per timestep of the layer feeding it
  double inputs = 0;    // neurons of the layer feeding it
  double rate_out = 0;  // its own (0: the output layer integrates)
};

class NeuroPlatform : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(NeuroPlatform);

  static NeuroPlatform& instance() {
    static NeuroPlatform platform("neuro_chip");
    return platform;
  }

  // Runs `timesteps` timesteps in which core c computes for busy[c] seconds, then the cores meet
  // at a barrier `sync_s` after the last one is done (packets in flight, synchronization);
  // each timestep lasts at least `min_step_s`. Returns the elapsed time.
  double run(const std::vector<double>& busy, int64_t timesteps, double sync_s, double min_step_s) {
    const double bound = static_cast<double>(timesteps) *
                         std::max(min_step_s, *std::max_element(busy.begin(), busy.end()) + sync_s);
    if (bound > 1e6)
      throw InputError("one step would take " + std::to_string(bound) +
                       " s on the neuromorphic chip, beyond the 1e6 s the model represents");
    m_busy = &busy;
    m_timesteps = timesteps;
    m_sync_s = sync_s;
    m_min_step_s = min_step_s;
    m_finished = false;
    m_pending = true;
    m_start.notify(sc_core::SC_ZERO_TIME);
    sc_core::sc_start();
    if (!m_finished) throw std::logic_error("neuro: simulation stopped before the step ended");
    return m_elapsed_s;
  }

 private:
  explicit NeuroPlatform(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {
    SC_THREAD(controller);
  }

  void controller() {
    for (;;) {
      while (!m_pending) wait(m_start);
      m_pending = false;
      const sc_time t0 = sc_core::sc_time_stamp();
      for (int64_t t = 0; t < m_timesteps; ++t) {
        const sc_time step_start = sc_core::sc_time_stamp();
        m_arrived = 0;
        for (size_t c = 0; c < m_busy->size(); ++c)
          sc_core::sc_spawn([this, c] { core((*m_busy)[c]); });
        while (m_arrived < m_busy->size()) wait(m_arrival);
        wait(sc_time(m_sync_s, SC_SEC));  // packets land, the barrier completes
        const sc_time least = step_start + sc_time(m_min_step_s, SC_SEC);
        if (sc_core::sc_time_stamp() < least) wait(least - sc_core::sc_time_stamp());
      }
      m_elapsed_s = (sc_core::sc_time_stamp() - t0).to_seconds();
      m_finished = true;
    }
  }

  // One core's timestep: its synaptic events and neuron updates, then the barrier.
  void core(double busy_s) {
    if (busy_s > 0) wait(sc_time(busy_s, SC_SEC));
    ++m_arrived;
    m_arrival.notify(sc_core::SC_ZERO_TIME);
  }

  sc_core::sc_event m_start, m_arrival;
  const std::vector<double>* m_busy = nullptr;
  int64_t m_timesteps = 0;
  size_t m_arrived = 0;
  double m_sync_s = 0, m_min_step_s = 0, m_elapsed_s = 0;
  bool m_pending = false, m_finished = true;
};

class NeuroDevice final : public Device {
 public:
  explicit NeuroDevice(Preset preset)
      : m_preset(std::move(preset)), m_params(NeuroParams::from(m_preset)) {}

  const Preset& preset() const override { return m_preset; }

  void check(const std::string& precision,
             const algorithms::Parallelism& parallelism) const override {
    if (precision != "fp32")
      throw InputError(m_preset.name() + " computes with " +
                       std::to_string(m_params.neuron.weight_bits) +
                       "-bit synapses and spikes: --precision is for digital devices; set "
                       "hw.weight_bits instead");
    Device::check(precision, parallelism);
  }

  Cost simulate(const algorithms::TrainingStep& step) override {
    check(step.precision, step.parallelism);
    if (!step.inference)
      throw InputError(m_preset.name() +
                       " runs trained networks converted to spikes: use --rule "
                       "inference (with --train, the network is trained by bp in fp32, then "
                       "converted), not " +
                       step.rule);
    if (step.timesteps <= 0)
      throw InputError("--timesteps must be a positive integer, got " +
                       std::to_string(step.timesteps));
    const NeuroParams& p = m_params;
    std::vector<Placed> layers = place(step);
    // Per core, per timestep: its share of the layer's synaptic events and neuron updates.
    std::vector<double> busy;
    const auto side = static_cast<double>(p.mesh_width);
    const auto position = [&](double core) {
      return std::pair<double, double>{std::fmod(core, side), std::floor(core / side)};
    };
    Cost cost;
    cost.ops.resize(step.graph.ops().size());
    double max_hops_s = 0;
    std::vector<double> core_seconds(layers.size(), 0.0);
    const auto timesteps = static_cast<double>(step.timesteps);
    const auto samples = static_cast<double>(std::max<int64_t>(1, step.batch()));
    for (size_t l = 0; l < layers.size(); ++l) {
      const Placed& pl = layers[l];
      const double spikes_in = pl.rate_in * pl.inputs;  // per timestep
      // Pruned synapses are absent: no event reaches them.
      const double synops =
          spikes_in * static_cast<double>(pl.neurons) * (1.0 - step.weight_sparsity);
      // A neuron gets input this timestep unless none of its fan-in spiked.
      const double active =
          1.0 - std::pow(1.0 - std::clamp(pl.rate_in, 0.0, 1.0), static_cast<double>(pl.fan_in));
      const double updates = static_cast<double>(pl.neurons);
      // Packets: every spike of the feeding layer goes to each core of this one.
      const double packets = spikes_in * static_cast<double>(pl.cores);
      const auto [sx, sy] = l == 0 ? std::pair<double, double>{0.0, 0.0}
                                   : position(static_cast<double>(layers[l - 1].first_core) +
                                              static_cast<double>(layers[l - 1].cores - 1) / 2.0);
      const auto [dx, dy] =
          position(static_cast<double>(pl.first_core) + static_cast<double>(pl.cores - 1) / 2.0);
      const double hops_x = std::round(std::abs(dx - sx)), hops_y = std::round(std::abs(dy - sy));
      OpCost& c = cost.ops[pl.op];
      const double per_sample = timesteps;
      c.charge(Component::compute, samples * per_sample * synops * p.synop_energy_j);
      c.charge(Component::neuron_update,
               samples * per_sample * updates *
                   (active * p.neuron_update_energy_j + (1 - active) * p.neuron_idle_energy_j));
      c.charge(Component::spike_route,
               samples * per_sample * packets *
                   (p.spike_energy_j + hops_x * p.hop_energy_x_j + hops_y * p.hop_energy_y_j));
      max_hops_s = std::max(max_hops_s, hops_x * p.hop_time_x_s + hops_y * p.hop_time_y_s);
      const double core_s =
          (synops * p.synop_time_s +
           updates * (active * p.neuron_update_time_s + (1 - active) * p.neuron_idle_time_s)) /
          static_cast<double>(pl.cores);
      for (int64_t k = 0; k < pl.cores; ++k) busy.push_back(core_s);
      core_seconds[l] = core_s * static_cast<double>(pl.cores);
    }
    // One sample's T timesteps on the chip; the batch's samples follow one another.
    const double per_sample_s = NeuroPlatform::instance().run(
        busy, step.timesteps, max_hops_s + p.barrier_time_s, p.min_timestep_s);
    const double total_s = per_sample_s * samples;
    const double static_j = p.core_static_power_w * static_cast<double>(busy.size()) * total_s;
    double all_core_seconds = 0;
    for (double s : core_seconds) all_core_seconds += s;
    for (size_t l = 0; l < layers.size(); ++l) {
      OpCost& c = cost.ops[layers[l].op];
      // The layers work in every timestep at once: each spans the step.
      c.start_s = 0;
      c.latency_s = total_s;
      c.charge(Component::static_power,
               static_j * (all_core_seconds > 0 ? core_seconds[l] / all_core_seconds
                                                : 1.0 / static_cast<double>(layers.size())));
    }
    for (size_t i = 0; i < cost.ops.size(); ++i) cost.book(i, step.graph.ops()[i].phase);
    cost.latency_s = total_s;
    return cost;
  }

 private:
  // The dense layers on cores, in order, with the activity they see.
  std::vector<Placed> place(const algorithms::TrainingStep& step) const {
    const NeuroParams& p = m_params;
    std::vector<Placed> layers;
    const auto& ops = step.graph.ops();
    for (size_t i = 0; i < ops.size(); ++i) {
      const workloads::Op& op = ops[i];
      if (op.kind == workloads::OpKind::conv2d)
        throw InputError(m_preset.name() + " runs fully connected networks converted to spikes; " +
                         op.name + " is a convolution");
      if (op.kind != workloads::OpKind::dense) continue;
      Placed pl;
      pl.op = i;
      pl.name = op.name;
      pl.fan_in = op.in.dims.back();
      pl.neurons = op.out.dims.back();
      if (pl.fan_in > p.max_fan_in)
        throw InputError("layer " + op.name + " has a fan-in of " + std::to_string(pl.fan_in) +
                         " but a neuron of " + m_preset.name() + " takes at most " +
                         std::to_string(p.max_fan_in) +
                         " inputs, and a neuron's inputs cannot be split across cores");
      const auto synapses = static_cast<int64_t>(
          std::ceil(static_cast<double>(pl.neurons * pl.fan_in) * (1.0 - step.weight_sparsity)));
      pl.cores = std::max((pl.neurons + p.neurons_per_core - 1) / p.neurons_per_core,
                          (synapses + p.synapses_per_core - 1) / p.synapses_per_core);
      pl.first_core = layers.empty() ? 0 : layers.back().first_core + layers.back().cores;
      pl.inputs = static_cast<double>(pl.fan_in);
      layers.push_back(pl);
    }
    if (layers.empty())
      throw InputError(m_preset.name() +
                       " runs fully connected networks; the model has no dense "
                       "layer");
    const int64_t used = layers.back().first_core + layers.back().cores;
    if (used > p.cores)
      throw InputError("the network needs " + std::to_string(used) + " cores of " +
                       std::to_string(p.neurons_per_core) + " neurons but " + m_preset.name() +
                       " has " + std::to_string(p.cores) + "; set hw.cores, or a smaller model");
    // Rates: measured per layer (encoder first), or one assumed rate for every spiking layer.
    const std::vector<double>& r = step.spike_rates;
    for (size_t l = 0; l < layers.size(); ++l) {
      const bool measured = r.size() == layers.size() + 1;
      const double assumed = r.empty() ? 0.0 : r.front();
      layers[l].rate_in = measured ? r[l] : assumed;
      layers[l].rate_out = l + 1 == layers.size() ? 0.0 : (measured ? r[l + 1] : assumed);
    }
    return layers;
  }

  Preset m_preset;
  NeuroParams m_params;
};

}  // namespace
}  // namespace frugal::hw::neuro

FRUGAL_REGISTER_DEVICE(neuro, {"neuro",
                               "spiking neuromorphic chip: neuro-cores on a 2-D mesh, spikes as "
                               "packets, a barrier per timestep, energy from activity",
                               frugal::hw::neuro::neuro_param_specs(),
                               [](const frugal::hw::Preset& preset) {
                                 return std::unique_ptr<frugal::hw::Device>(
                                     std::make_unique<frugal::hw::neuro::NeuroDevice>(preset));
                               },
                               [] { frugal::hw::neuro::NeuroPlatform::instance(); },
                               false,
                               false,
                               "",
                               {},
                               true})
