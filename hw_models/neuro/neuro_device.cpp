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
#include <cstdio>
#include <limits>
#include <memory>
#include <systemc>

#include "hw_models/common/simulation.h"
#include "hw_models/device.h"
#include "hw_models/neuro/neuro_params.h"
#include "results/core/error.h"

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
    run_simulation();
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

  // fp32 networks converted to spikes, on one chip; their activity measured (--train) or
  // assumed (--spike-rate).
  void check(const StepRequest& request) const override {
    check_conversion(request);
    if (!request.trained && request.spike_rate < 0)
      throw InputError(m_preset.name() +
                       " costs the spikes a network fires: run it with --train (measured) or "
                       "give --spike-rate R (assumed, spikes per neuron per timestep)");
  }

  void prepare(algorithms::TrainingStep& step, const StepRequest& request) const override {
    step.timesteps = request.timesteps;
    if (!request.trained) {
      step.spike_rates = {request.spike_rate};
      step.spike_rates_assumed = true;
    }
  }

  // With --train, the spikes are counted on the converted network before the step is costed.
  bool costs_measured_activity(const StepRequest& request) const override {
    return request.trained;
  }

  std::optional<DeviceRun> run_trained(const algorithms::Network& net,
                                       const workloads::DataSplit& data,
                                       algorithms::TrainingStep& step) const override {
    const SpikingResult snn = run_converted(net, data, spiking_options(m_preset, step.timesteps));
    // The measured spikes per neuron per timestep, layer by layer, for the cost.
    step.spike_rates.clear();
    for (const SpikingLayer& l : snn.layers)
      step.spike_rates.push_back(l.spikes_per_sample /
                                 static_cast<double>(l.neurons * snn.timesteps));
    step.spike_rates_assumed = false;
    DeviceRun run;
    run.accuracy = snn.accuracy;
    std::vector<Row> accuracy_at, spikes;
    for (const auto& [timesteps, accuracy] : snn.accuracy_at)
      accuracy_at.push_back({{"timesteps", timesteps}, {"accuracy", accuracy}});
    for (size_t l = 0; l < snn.layers.size(); ++l) {
      const SpikingLayer& layer = snn.layers[l];
      spikes.push_back(
          {{"layer", static_cast<int64_t>(l)},
           {"neurons", layer.neurons},
           {"fan_out", layer.fan_out},
           {"spikes_per_sample", layer.spikes_per_sample},
           {"rate", layer.spikes_per_sample / static_cast<double>(layer.neurons * snn.timesteps)}});
    }
    run.tables = {{"timesteps", accuracy_at}, {"spikes", spikes}};
    run.columns = {{"spike_rate", snn.mean_rate()}, {"spike_rate_source", std::string("measured")}};
    run.summary.figures = {spikes_figure(step, snn.mean_rate())};
    std::string line = "converted to spikes, accuracy after t timesteps:";
    for (const auto& [timesteps, accuracy] : snn.accuracy_at) {
      char point[48];
      std::snprintf(point, sizeof point, " %lld: %.2f%%;", static_cast<long long>(timesteps),
                    100 * accuracy);
      line += point;
    }
    run.summary.notes = {line};
    return run;
  }

  Row columns(const algorithms::TrainingStep& step) const override {
    return {{"spike_rate", assumed_rate(step)}, {"spike_rate_source", std::string("assumed")}};
  }

  DeviceSummary summary(const algorithms::TrainingStep& step) const override {
    DeviceSummary s;
    s.figures = {spikes_figure(step, assumed_rate(step))};
    return s;
  }

 protected:
  Cost cost_step(const algorithms::TrainingStep& step) override {
    check_conversion(request_for(step));
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
  // What a converted network needs: fp32 weights (the synapses have their own bits), a rule
  // that only runs it, one chip.
  void check_conversion(const StepRequest& request) const {
    if (request.precision != "fp32")
      throw InputError(m_preset.name() + " computes with " +
                       std::to_string(m_params.neuron.weight_bits) +
                       "-bit synapses and spikes: --precision is for digital devices; set "
                       "hw.weight_bits instead");
    Device::check(request);
    if (!request.inference)
      throw InputError(m_preset.name() +
                       " runs trained networks converted to spikes: use --rule "
                       "inference (with --train, the network is trained by bp in fp32, then "
                       "converted), not " +
                       request.rule);
  }

  static double assumed_rate(const algorithms::TrainingStep& step) {
    return step.spike_rates.empty() ? std::numeric_limits<double>::quiet_NaN()
                                    : step.spike_rates.front();
  }

  static std::pair<std::string, std::string> spikes_figure(const algorithms::TrainingStep& step,
                                                           double rate) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "%lld timesteps per sample, %.4g spikes per neuron per timestep (%s)",
                  static_cast<long long>(step.timesteps), rate,
                  step.spike_rates_assumed ? "assumed: --spike-rate"
                                           : "measured: the converted network on the test set");
    return {"spikes", text};
  }

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

namespace frugal::hw::neuro {
namespace {

DeviceKind describe() {
  using results::ColumnType;
  DeviceKind kind;
  kind.name = "neuro";
  kind.description =
      "spiking neuromorphic chip: neuro-cores on a 2-D mesh, spikes as packets, a barrier per "
      "timestep, energy from activity";
  kind.params = neuro_param_table().specs();
  kind.make = make_device<NeuroDevice>;
  kind.elaborate = [] { NeuroPlatform::instance(); };
  kind.columns = {
      {"spike_rate", ColumnType::float64, "1",
       "spiking devices: spikes per neuron per timestep over the spiking layers (NaN for other "
       "devices)"},
      {"spike_rate_source", ColumnType::string, "",
       "measured (the converted network ran, --train) or assumed (--spike-rate); empty for "
       "other devices"},
  };
  kind.tables = {
      {"timesteps",
       "a spiking device's converted network: test accuracy after t timesteps (t = 1, 2, 4, ... "
       "up to --timesteps)",
       {{"scenario_id", ColumnType::int64, "1", "scenario the point belongs to"},
        {"timesteps", ColumnType::int64, "1", "timesteps run"},
        {"accuracy", ColumnType::float64, "1", "test accuracy then (fraction)"}}},
      {"spikes",
       "a spiking device's converted network: spikes per layer (the input encoder first), "
       "measured on the test set",
       {{"scenario_id", ColumnType::int64, "1", "scenario the layer belongs to"},
        {"layer", ColumnType::int64, "1", "0: the input encoder, then each dense layer"},
        {"neurons", ColumnType::int64, "1", "neurons of the layer"},
        {"fan_out", ColumnType::int64, "1", "synapses each of its spikes reaches"},
        {"spikes_per_sample", ColumnType::float64, "1",
         "spikes per test sample over the timesteps (0: the output layer integrates)"},
        {"rate", ColumnType::float64, "1", "spikes per neuron per timestep"}}},
  };
  return kind;
}

}  // namespace
}  // namespace frugal::hw::neuro

FRUGAL_REGISTER_DEVICE(neuro, frugal::hw::neuro::describe)
