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
#include "hw_models/neuro/spiking_learner.h"
#include "results/core/error.h"

namespace frugal::hw::neuro {
namespace {

using sc_core::SC_SEC;
using sc_core::sc_time;

// One layer of neurons as the chip holds it (a dense, convolutional or pooling layer's).
struct Placed {
  size_t op = 0;  // its op in the step graph
  std::string name;
  int64_t neurons = 0, fan_in = 0;
  int64_t inputs = 0;      // neurons feeding it
  double synapses = 0;     // neurons × fan-in, less the pruned ones
  bool trainable = false;  // its synapses are weights (dense, convolutional), not a window
  double feedback = 0;     // dfa, drtp: the fixed synapses that bring a hidden layer its error
  double history = 0;      // bp through time: bytes of one sample's stored timesteps
  int64_t first_core = 0, cores = 0;
  // Per timestep: the spikes reaching it, its synaptic events, the fraction of its neurons that
  // get input, and its cores' work (core-seconds).
  double spikes_in = 0, synops = 0, active = 0, work_s = 0;
  // Learning, per timestep of a sample: the events that bring its neurons their error, the
  // neurons computing it, the tags updated, and the cores' work for them (core-seconds; BPTT's
  // in the backward sweep, the online rules' within the forward timesteps).
  double learn_events = 0, learn_signals = 0, learn_tags = 0, learn_s = 0;
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

  // fp32 networks converted to spikes, or trained on the chip (bp, dfa, drtp), on one chip; their
  // activity measured (--train) or assumed (--spike-rate).
  void check(const StepRequest& request) const override {
    check_spiking(request);
    if (!request.trained && request.spike_rate < 0)
      throw InputError(m_preset.name() +
                       " costs the spikes a network fires: run it with --train (measured) or "
                       "give --spike-rate R (assumed, spikes per neuron per timestep)");
  }

  // Before any training: the network must fit the chip (fan-in, cores) and, to run as spikes
  // (--train), have ReLU between its layers; a cost with an assumed rate takes any activation.
  void prepare(algorithms::TrainingStep& step, const StepRequest& request) const override {
    step.timesteps = request.timesteps;
    if (!request.trained) {
      step.spike_rates = {request.spike_rate};
      step.spike_rates_assumed = true;
    }
    for (const workloads::Op& op : step.graph.ops())
      if (request.trained && op.kind == workloads::OpKind::activation &&
          op.phase == workloads::Phase::forward && op.function != "relu")
        throw InputError(m_preset.name() +
                         ": a spiking network needs ReLU after every hidden layer (its neurons' "
                         "rates stand for ReLU activations); " +
                         op.name + " is " + op.function);
    place(step);
  }

  // With --train, the spikes are counted on the converted network before the step is costed.
  bool costs_measured_activity(const StepRequest& request) const override {
    return request.trained;
  }

  // Training on the chip: the spiking network learns by the rule's spiking form.
  LearnerFactory learner(const StepRequest& request) const override {
    if (request.inference) return {};
    const SpikingRule rule = spiking_rule(request.rule);
    return [rule, timesteps = request.timesteps, neuron = m_params.neuron](
               algorithms::Network& net, algorithms::Numerics& numerics, std::mt19937_64& rng) {
      return std::make_unique<SpikingLearner>(net, numerics, rng, rule, timesteps, neuron);
    };
  }

  std::optional<DeviceRun> run_trained(const algorithms::Network& net,
                                       const workloads::DataSplit& data,
                                       algorithms::TrainingStep& step) const override {
    // A network trained on the chip runs as it learned; one trained off it is converted.
    SpikingOptions options = spiking_options(m_preset, step.timesteps);
    options.balance = step.inference;
    const SpikingResult snn = run_converted(net, data, options);
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
    std::string line = step.inference
                           ? "converted to spikes, accuracy after t timesteps:"
                           : "trained on the chip as spikes, accuracy after t timesteps:";
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
    check_spiking(request_for(step));
    if (step.timesteps <= 0)
      throw InputError("--timesteps must be a positive integer, got " +
                       std::to_string(step.timesteps));
    const NeuroParams& p = m_params;
    const std::vector<Placed> layers = place(step);
    const auto side = static_cast<double>(p.mesh_width);
    const auto position = [&](double core) {
      return std::pair<double, double>{std::fmod(core, side), std::floor(core / side)};
    };
    Cost cost;
    cost.ops.resize(step.graph.ops().size());
    const Learning learning = learning_work(step, layers);
    // Per core, per timestep: its share of its layer's synaptic events and neuron updates.
    std::vector<double> busy;
    double max_hops_s = 0;
    const auto timesteps = static_cast<double>(step.timesteps);
    const auto samples = static_cast<double>(std::max<int64_t>(1, step.batch()));
    for (size_t l = 0; l < layers.size(); ++l) {
      const Placed& pl = layers[l];
      // Packets: every spike of the feeding layer goes to each core of this one.
      const double packets = pl.spikes_in * static_cast<double>(pl.cores);
      const auto [sx, sy] = l == 0 ? std::pair<double, double>{0.0, 0.0}
                                   : position(static_cast<double>(layers[l - 1].first_core) +
                                              static_cast<double>(layers[l - 1].cores - 1) / 2.0);
      const auto [dx, dy] =
          position(static_cast<double>(pl.first_core) + static_cast<double>(pl.cores - 1) / 2.0);
      const double hops_x = std::round(std::abs(dx - sx)), hops_y = std::round(std::abs(dy - sy));
      OpCost& c = cost.ops[pl.op];
      const double per_step = samples * timesteps;  // the batch's timesteps in this layer
      c.charge(Component::compute, per_step * pl.synops * p.synop_energy_j);
      c.charge(Component::neuron_update, per_step * static_cast<double>(pl.neurons) *
                                             (pl.active * p.neuron_update_energy_j +
                                              (1 - pl.active) * p.neuron_idle_energy_j));
      c.charge(Component::spike_route,
               per_step * packets *
                   (p.spike_energy_j + hops_x * p.hop_energy_x_j + hops_y * p.hop_energy_y_j));
      // Inputs come from off the chip, one packet per spike; the outputs' potentials leave it
      // once per sample.
      if (l == 0) c.charge(Component::interconnect, per_step * pl.spikes_in * p.io_energy_j);
      if (l + 1 == layers.size())
        c.charge(Component::interconnect,
                 samples * static_cast<double>(pl.neurons) * p.io_energy_j);
      max_hops_s = std::max(max_hops_s, hops_x * p.hop_time_x_s + hops_y * p.hop_time_y_s);
      for (int64_t k = 0; k < pl.cores; ++k)
        busy.push_back((pl.work_s + (learning.online ? pl.learn_s : 0.0)) /
                       static_cast<double>(pl.cores));
    }
    // One sample's T timesteps on the chip give the timestep's length. The batch's samples are
    // pipelined: each layer takes the next sample when it is done with one, one timestep behind
    // the layer feeding it, so a sample leaves the output layer L − 1 timesteps after its input
    // ends, and a batch of B takes B·T + L − 1 timesteps.
    const double timestep_s =
        NeuroPlatform::instance().run(busy, step.timesteps, max_hops_s + p.barrier_time_s,
                                      p.min_timestep_s) /
        timesteps;
    const auto delays = static_cast<double>(layers.size() - 1);
    double total_s = (samples * timesteps + delays) * timestep_s;
    double sample_s = (timesteps + delays) * timestep_s;
    if (!step.inference) {
      // Learning: each sample's timesteps (and BPTT's backward sweep), the samples one after
      // another, the weights written once per step.
      sample_s += timesteps * learning.backward_timestep_s;
      total_s = samples * sample_s + learning.weights_s;
      charge_learning(step, layers, samples, cost);
    }
    // Static power: the whole chip's, or the cores in use alone where the others are gated off.
    const auto powered = static_cast<double>(p.power_gating ? busy.size() : p.cores);
    const double static_j = p.core_static_power_w * powered * total_s;
    double all_work_s = 0;
    for (const Placed& pl : layers) all_work_s += pl.work_s + pl.learn_s;
    for (const Placed& pl : layers) {
      OpCost& c = cost.ops[pl.op];
      // The layers work in every timestep at once: each spans the step.
      c.start_s = 0;
      c.latency_s = total_s;
      c.charge(Component::static_power,
               static_j * (all_work_s > 0 ? (pl.work_s + pl.learn_s) / all_work_s
                                          : 1.0 / static_cast<double>(layers.size())));
    }
    for (size_t i = 0; i < cost.ops.size(); ++i) cost.book(i, step.graph.ops()[i].phase);
    cost.latency_s = total_s;
    cost.sample_latency_s = sample_s;
    return cost;
  }

 private:
  // What learning adds to a sample's and a step's time (each layer's work per timestep is its
  // Placed::learn_*).
  struct Learning {
    bool online = false;             // dfa, drtp: the layers' learning work is in their timesteps
    double backward_timestep_s = 0;  // BPTT: one backward timestep
    double weights_s = 0;            // the learning engine's pass over the synapses
  };

  // What learning on the chip adds to the time. The learning engine runs with a
  // learning epoch of one timestep, so the rule's product of an input's spike and its neuron's
  // error is exact in each timestep, as the functional face computes it (no trace stands for
  // it); the product is zero where the input did not spike, so a synapse's tag is updated in
  // the timesteps its input spiked: one tag update per synaptic event. Each neuron computes its
  // error once per timestep (a second compartment's update). Online rules (dfa, drtp) do it all
  // within the forward timesteps, core-seconds per timestep; BPTT in a backward sweep of T
  // timesteps. The tags are folded into the weights once per step.
  Learning learning_work(const algorithms::TrainingStep& step,
                         const std::vector<Placed>& layers) const {
    const NeuroParams& p = m_params;
    Learning w;
    if (step.inference) return w;
    const bool bptt = spiking_rule(step.rule) == SpikingRule::bptt;
    w.online = !bptt;
    double weights_core_s = 0, backward_core_s = 0;
    for (const Placed& pl : layers) {
      const auto cores = static_cast<double>(pl.cores);
      if (pl.trainable)
        weights_core_s = std::max(weights_core_s, pl.synapses / cores * p.synapse_update_time_s);
      backward_core_s = std::max(backward_core_s, pl.learn_s / cores);
    }
    if (bptt) w.backward_timestep_s = backward_core_s + p.barrier_time_s;
    w.weights_s = weights_core_s;
    return w;
  }

  // Learning's energy, on the layer's own ops: the error's events, the neurons' error and the
  // tag updates on its weight gradient (phase backward_weight), the weights' writes on its
  // update.
  void charge_learning(const algorithms::TrainingStep& step, const std::vector<Placed>& layers,
                       double samples, Cost& cost) const {
    const NeuroParams& p = m_params;
    const auto& ops = step.graph.ops();
    const double timesteps = samples * static_cast<double>(step.timesteps);  // the batch's
    for (size_t l = 0; l < layers.size(); ++l) {
      const Placed& pl = layers[l];
      size_t gradient = pl.op, update = pl.op;
      for (size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].layer != ops[pl.op].layer) continue;
        if (ops[i].kind == workloads::OpKind::dense_grad_weight ||
            ops[i].kind == workloads::OpKind::conv2d_grad_weight)
          gradient = i;
        if (ops[i].kind == workloads::OpKind::optimizer_update) update = i;
      }
      OpCost& g = cost.ops[gradient];
      g.charge(Component::compute, timesteps * (pl.learn_events * p.synop_energy_j +
                                                pl.learn_tags * p.synapse_update_energy_j));
      g.charge(Component::neuron_update, timesteps * pl.learn_signals * p.neuron_update_energy_j);
      if (pl.trainable)
        cost.ops[update].charge(Component::compute, pl.synapses * p.synapse_update_energy_j);
    }
  }

  // What a spiking network needs: fp32 weights (the synapses have their own bits), one chip,
  // and a rule that only runs it or that the chip's learning engine runs.
  void check_spiking(const StepRequest& request) const {
    if (request.precision != "fp32")
      throw InputError(m_preset.name() + " computes with " +
                       std::to_string(m_params.neuron.weight_bits) +
                       "-bit synapses and spikes: --precision is for digital devices; set "
                       "hw.weight_bits instead");
    Device::check(request);
    if (request.inference) return;
    if (!m_params.on_chip_learning)
      throw InputError(m_preset.name() +
                       " has no learning engine: it runs trained networks converted to spikes "
                       "(--rule inference; with --train, the network is trained by bp in fp32, "
                       "then converted), not " +
                       request.rule);
    spiking_rule(request.rule);  // bp, dfa or drtp
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

  // The dense layers on cores, in order, with the activity they see and the work it gives
  // them: each layer on the fewest cores that hold its neurons and synapses; with --placement
  // spread, the chip's other cores given one at a time to the layer with the most work per core
  // (a core holds at least one neuron).
  std::vector<Placed> place(const algorithms::TrainingStep& step) const {
    const NeuroParams& p = m_params;
    std::vector<Placed> layers;
    const auto& ops = step.graph.ops();
    for (size_t i = 0; i < ops.size(); ++i) {
      const workloads::Op& op = ops[i];
      using workloads::OpKind;
      if (op.kind != OpKind::dense && op.kind != OpKind::conv2d && op.kind != OpKind::pool)
        continue;
      // A layer of neurons: a dense or convolutional layer's (each weight a synapse of its own:
      // no sharing), or a pooling layer's, whose neurons take their window.
      Placed pl;
      pl.op = i;
      pl.name = op.name;
      const auto per_sample = [](const workloads::Shape& s) {
        return s.dims.empty() || s.dims.front() == 0 ? 0 : s.elements() / s.dims.front();
      };
      pl.inputs = per_sample(op.in);
      pl.neurons = per_sample(op.out);
      const int64_t window = op.window.kernel_h * op.window.kernel_w;
      pl.fan_in = op.kind == OpKind::dense    ? op.in.dims.back()
                  : op.kind == OpKind::conv2d ? op.in.dims[1] / op.window.groups * window
                                              : window;
      if (pl.fan_in > p.max_fan_in)
        throw InputError("layer " + op.name + " has a fan-in of " + std::to_string(pl.fan_in) +
                         " but a neuron of " + m_preset.name() + " takes at most " +
                         std::to_string(p.max_fan_in) +
                         " inputs, and a neuron's inputs cannot be split across cores");
      pl.synapses = static_cast<double>(pl.neurons * pl.fan_in) * (1.0 - step.weight_sparsity);
      pl.trainable = op.kind != OpKind::pool;
      layers.push_back(pl);
    }
    if (layers.empty())
      throw InputError(m_preset.name() +
                       " runs networks of dense, convolutional and pooling layers; the model has "
                       "none");
    // Learning on the chip: each neuron that learns or passes an error back keeps it in a
    // second compartment; dfa and drtp hold fixed feedback synapses (hidden neurons × classes);
    // bp through time stores each timestep's state of a sample (the encoder's spikes, a bit
    // each, on the first layer). Pooling layers have no weights: they learn nothing, and only
    // bp through time sends an error through them.
    const bool learning = !step.inference && p.on_chip_learning;
    const SpikingRule rule = learning ? spiking_rule(step.rule) : SpikingRule::bptt;
    const bool bptt = learning && rule == SpikingRule::bptt;
    if (bptt && (p.history_memory_bytes <= 0 || p.history_bytes <= 0))
      throw InputError(m_preset.name() +
                       " has no memory for bp through time's stored timesteps (history_memory, "
                       "history_bytes): train it with an online rule, dfa or drtp");
    const auto timesteps = static_cast<double>(std::max<int64_t>(1, step.timesteps));
    const auto classes = static_cast<double>(layers.back().neurons);
    int64_t used = 0;
    for (size_t l = 0; l < layers.size(); ++l) {
      Placed& pl = layers[l];
      const bool learns = learning && (bptt || pl.trainable);
      const auto compartments = pl.neurons * (learns ? 2 : 1);
      if (learns && !bptt && l + 1 < layers.size())
        pl.feedback = static_cast<double>(pl.neurons) * classes;
      const auto synapses = static_cast<int64_t>(std::ceil(pl.synapses + pl.feedback));
      pl.cores = std::max((compartments + p.neurons_per_core - 1) / p.neurons_per_core,
                          (synapses + p.synapses_per_core - 1) / p.synapses_per_core);
      if (bptt) {
        pl.history = timesteps * (static_cast<double>(pl.neurons) * p.history_bytes +
                                  (l == 0 ? static_cast<double>(pl.inputs) / 8 : 0.0));
        pl.cores = std::max(pl.cores,
                            static_cast<int64_t>(std::ceil(pl.history / p.history_memory_bytes)));
      }
      used += pl.cores;
    }
    if (used > p.cores)
      throw InputError(
          "the network needs " + std::to_string(used) + " cores of " +
          std::to_string(p.neurons_per_core) + " neurons but " + m_preset.name() + " has " +
          std::to_string(p.cores) + "; set hw.cores, or a smaller model" +
          (bptt ? ", fewer --timesteps or an online rule (dfa, drtp): bp through time stores "
                  "every timestep's state of a sample"
                : ""));
    // Rates: measured per layer (encoder first), or one assumed rate for every spiking layer.
    const std::vector<double>& r = step.spike_rates;
    const bool measured = r.size() == layers.size() + 1;
    const double assumed = r.empty() ? 0.0 : r.front();
    for (size_t l = 0; l < layers.size(); ++l) {
      Placed& pl = layers[l];
      const double rate_in = measured ? r[l] : assumed;
      pl.spikes_in = rate_in * static_cast<double>(pl.inputs);
      // Each synapse sees its input's spikes; pruned synapses are absent: no event reaches them.
      pl.synops = rate_in * pl.synapses;
      // A neuron gets input this timestep unless none of its fan-in spiked.
      pl.active =
          1.0 - std::pow(1.0 - std::clamp(rate_in, 0.0, 1.0), static_cast<double>(pl.fan_in));
      pl.work_s = pl.synops * p.synop_time_s +
                  static_cast<double>(pl.neurons) *
                      (pl.active * p.neuron_update_time_s + (1 - pl.active) * p.neuron_idle_time_s);
      if (!learning) continue;
      const auto neurons = static_cast<double>(pl.neurons);
      if (bptt) {
        // The layer's neurons pass their error back through their synapses (graded events;
        // the first layer has no one to pass it to).
        pl.learn_events = l > 0 ? pl.synapses : 0.0;
        pl.learn_signals = neurons;
      } else if (pl.trainable) {
        // Each hidden neuron takes the output's error (dfa: one graded event per class) or the
        // label's projection (drtp: one), through its feedback synapses.
        if (l + 1 < layers.size())
          pl.learn_events = neurons * (rule == SpikingRule::dfa ? classes : 1.0);
        pl.learn_signals = neurons;
      }
      if (pl.trainable) pl.learn_tags = pl.synops;  // a tag update per synaptic event
      pl.learn_s = pl.learn_events * p.synop_time_s + pl.learn_signals * p.neuron_update_time_s +
                   pl.learn_tags * p.synapse_update_time_s;
    }
    // Spread: the spare cores go to the layers with the most work per core, learning's
    // included.
    if (step.placement == "spread") {
      const auto per_core = [](const Placed& pl) {
        return (pl.work_s + pl.learn_s) / static_cast<double>(pl.cores);
      };
      for (; used < p.cores; ++used) {
        Placed* most = nullptr;
        for (Placed& pl : layers)
          if (pl.cores < pl.neurons && (!most || per_core(pl) > per_core(*most))) most = &pl;
        if (!most) break;  // every neuron has a core of its own
        ++most->cores;
      }
    }
    for (size_t l = 1; l < layers.size(); ++l)
      layers[l].first_core = layers[l - 1].first_core + layers[l - 1].cores;
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
