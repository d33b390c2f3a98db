// The analog crossbar device: the mapper (analog_mapper.cpp) places the step's matrices on tiles
// and costs each op; this file times them on a SystemC model of the chip and charges static
// power over the step.
//
// The platform: samples stream in from DRAM (a MemoryTarget over TLM-2.0), flow through the ops
// as a pipeline, sample by sample (one SystemC process per op: an op takes sample s once the op
// before it has finished s, and once its resource, the tiles of its matrix or the digital units,
// is free), and their outputs stream back to DRAM. So layers on different tiles work on
// successive samples at once, as weight-stationary chips pipeline them (ISAAC, HERMES), while
// the forward and backward products of one layer share its tiles. Updates wait for the whole
// batch's backward pass, then program their layers' tiles at once.

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "algorithms/learning_rule.h"
#include "hw_models/analog/analog_mapper.h"
#include "hw_models/analog/analog_numerics.h"
#include "hw_models/analog/analog_params.h"
#include "hw_models/common/byte_count.h"
#include "hw_models/common/memory_target.h"
#include "hw_models/common/simulation.h"
#include "hw_models/device.h"
#include "results/core/error.h"

namespace frugal::hw::analog {
namespace {

using sc_core::SC_SEC;
using sc_core::sc_time;

struct Stage {
  int resource = -1;  // index into the platform's resources
  bool per_sample = true;
  double busy_s = 0.0;  // per sample, or for the batch
  int after = -1;       // the stage whose samples it waits for (-1: the inputs from DRAM)
};

struct StageTiming {
  double start_s = 0.0, end_s = 0.0;  // first start, last end, from the step's start
};

// Longest step the model represents (sc_time holds about 1.8e7 s at 1 ps).
constexpr double kMaxStepSeconds = 1e6;
// The platform simulates each sample through each stage of the step, one event each: a step of
// more than this many is refused before it starts, not left to run for hours (batch 1e12 did).
// On the development machine a step of 100,000 samples through 17 ops took 0.34 s to simulate,
// so 1e8 events take about 20 s.
constexpr double kMaxSampleStages = 1e8;

// Throws InputError if a step of `samples` through `stages` ops is more than the platform
// simulates.
void check_sample_stages(int64_t samples, size_t stages, const std::string& device) {
  const double events = static_cast<double>(samples) * static_cast<double>(stages);
  if (events <= kMaxSampleStages) return;
  char count[32];
  std::snprintf(count, sizeof count, "%.3g", events);
  throw InputError("a step of " + std::to_string(samples) + " samples through " +
                   std::to_string(stages) + " ops is " + count +
                   " sample-op events, beyond the 1e8 that " + device +
                   "'s model simulates in a step; use a smaller batch");
}

class AnalogPlatform : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(AnalogPlatform);

  static AnalogPlatform& instance() {
    static AnalogPlatform platform("analog_chip");
    return platform;
  }

  // Runs `samples` through the stages. `resources`: how many distinct resources the stages name.
  std::vector<StageTiming> run(const std::vector<Stage>& stages, int64_t samples, int resources,
                               int64_t in_bytes, int64_t out_bytes, double dram_bandwidth,
                               double& total_s, const std::string& device) {
    check_sample_stages(samples, stages.size(), device);
    double bound = static_cast<double>(in_bytes + out_bytes) / dram_bandwidth;
    for (const Stage& s : stages)
      bound += s.per_sample ? s.busy_s * static_cast<double>(samples) : s.busy_s;
    if (bound > kMaxStepSeconds)
      throw InputError("one step would take up to " + std::to_string(bound) +
                       " s on the analog chip, beyond the 1e6 s the model represents; use a "
                       "smaller batch");
    if (sc_core::sc_time_stamp().to_seconds() + bound >= sc_core::sc_max_time().to_seconds())
      throw std::logic_error("analog: this process has simulated too long");
    m_dram.configure(dram_bandwidth, 0.0);
    m_stages = &stages;
    m_samples = samples;
    m_in_bytes = in_bytes;
    m_out_bytes = out_bytes;
    m_done_samples.assign(stages.size(), 0);
    m_progress = std::vector<std::unique_ptr<sc_core::sc_event>>(stages.size());
    for (auto& e : m_progress) e = std::make_unique<sc_core::sc_event>();
    m_busy.assign(static_cast<size_t>(resources) + 1, false);
    m_freed = std::vector<std::unique_ptr<sc_core::sc_event>>(m_busy.size());
    for (auto& e : m_freed) e = std::make_unique<sc_core::sc_event>();
    m_timings.assign(stages.size(), {});
    m_finished = false;
    m_pending = true;
    m_start.notify(sc_core::SC_ZERO_TIME);
    run_simulation();  // until the controller waits for the next step
    if (!m_finished) throw std::logic_error("analog: simulation stopped before the step ended");
    total_s = m_total_s;
    return m_timings;
  }

 private:
  explicit AnalogPlatform(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), m_socket("dram_socket") {
    m_socket.bind(m_dram.socket);
    m_payload.set_extension(m_count);  // owned, and freed, by the payload
    SC_THREAD(controller);
  }

  // Moves `bytes` to or from DRAM over TLM and waits until they have arrived.
  void transfer(int64_t bytes, tlm::tlm_command command) {
    if (bytes <= 0) return;
    m_count->bytes = bytes;
    m_payload.set_command(command);
    m_payload.set_address(0);
    m_payload.set_data_ptr(nullptr);
    m_payload.set_data_length(0);
    m_payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    m_socket->b_transport(m_payload, delay);
    if (m_payload.is_response_error()) throw std::runtime_error("DRAM transaction failed");
    wait(delay);
  }

  void controller() {
    for (;;) {
      while (!m_pending) wait(m_start);
      m_pending = false;
      const sc_time t0 = sc_core::sc_time_stamp();
      m_inputs_in = 0;
      m_running = m_stages->size() + 1;
      // Samples stream in from DRAM and their outputs back, overlapped with the pipeline.
      sc_core::sc_spawn([this] { stream_inputs(); });
      for (size_t j = 0; j < m_stages->size(); ++j)
        sc_core::sc_spawn([this, j, t0] { stage(j, t0); });
      sc_core::sc_spawn([this] { stream_outputs(); });
      while (m_running > 0) wait(m_all_done);
      m_total_s = (sc_core::sc_time_stamp() - t0).to_seconds();
      m_finished = true;
    }
  }

  void acquire(size_t r) {
    while (m_busy[r]) wait(*m_freed[r]);
    m_busy[r] = true;
  }
  void release(size_t r) {
    m_busy[r] = false;
    m_freed[r]->notify(sc_core::SC_ZERO_TIME);
  }

  // The k-th sample's share of the batch's bytes (the bytes split as evenly as they go).
  int64_t share(int64_t bytes, int64_t k) const {
    return bytes * (k + 1) / m_samples - bytes * k / m_samples;
  }

  void stream_inputs() {
    for (int64_t k = 0; k < m_samples; ++k) {
      transfer(share(m_in_bytes, k), tlm::TLM_READ_COMMAND);
      m_inputs_in = k + 1;
      m_input_event.notify(sc_core::SC_ZERO_TIME);
    }
  }

  void stream_outputs() {
    const size_t last = m_stages->size() - 1;
    for (int64_t k = 0; k < m_samples; ++k) {
      while (!m_stages->empty() && m_done_samples[last] < k + 1) wait(*m_progress[last]);
      transfer(share(m_out_bytes, k), tlm::TLM_WRITE_COMMAND);
    }
    if (--m_running == 0) m_all_done.notify(sc_core::SC_ZERO_TIME);
  }

  // Op j: each sample (or the batch) after op j − 1 is done with it, on its resource.
  void stage(size_t j, sc_time t0) {
    const Stage& s = (*m_stages)[j];
    const size_t r = s.resource < 0 ? m_busy.size() - 1 : static_cast<size_t>(s.resource);
    const int64_t rounds = s.per_sample ? m_samples : 1;
    for (int64_t k = 0; k < rounds; ++k) {
      const int64_t need = s.per_sample ? k + 1 : m_samples;  // samples op j − 1 must have done
      if (s.after >= 0) {
        const auto a = static_cast<size_t>(s.after);
        while (m_done_samples[a] < need) wait(*m_progress[a]);
      } else {
        while (m_inputs_in < need) wait(m_input_event);
      }
      if (s.busy_s > 0) acquire(r);
      if (k == 0) m_timings[j].start_s = (sc_core::sc_time_stamp() - t0).to_seconds();
      if (s.busy_s > 0) {
        wait(sc_time(s.busy_s, SC_SEC));
        release(r);
      }
      m_done_samples[j] = s.per_sample ? k + 1 : m_samples;
      m_progress[j]->notify(sc_core::SC_ZERO_TIME);
    }
    m_timings[j].end_s = (sc_core::sc_time_stamp() - t0).to_seconds();
    if (--m_running == 0) m_all_done.notify(sc_core::SC_ZERO_TIME);
  }

  MemoryTarget m_dram{"dram"};
  tlm_utils::simple_initiator_socket<AnalogPlatform> m_socket;
  tlm::tlm_generic_payload m_payload;
  ByteCount* m_count = new ByteCount;
  sc_core::sc_event m_start, m_all_done, m_input_event;
  int64_t m_inputs_in = 0;  // samples arrived from DRAM
  const std::vector<Stage>* m_stages = nullptr;
  int64_t m_samples = 0, m_in_bytes = 0, m_out_bytes = 0;
  std::vector<int64_t> m_done_samples;
  std::vector<std::unique_ptr<sc_core::sc_event>> m_progress, m_freed;
  std::vector<bool> m_busy;  // per resource; the last is the digital units
  std::vector<StageTiming> m_timings;
  size_t m_running = 0;
  double m_total_s = 0.0;
  bool m_pending = false, m_finished = true;
};

class AnalogDevice final : public Device {
 public:
  explicit AnalogDevice(Preset preset)
      : m_preset(std::move(preset)), m_params(AnalogParams::from(m_preset)) {}

  const Preset& preset() const override { return m_preset; }

  void check(const StepRequest& request) const override {
    if (request.precision != "fp32")
      throw InputError(m_preset.name() + " computes in its own analog numerics (" +
                       std::to_string(m_params.weight_bits) + "-bit weights, " +
                       std::to_string(m_params.input_bits()) + "-bit inputs, " +
                       std::to_string(m_params.adc_bits) +
                       "-bit ADCs): --precision is for digital devices; set hw.weight_bits, "
                       "hw.dac_bits or hw.adc_bits instead");
    parse_update_scheme(request.analog_update);
    if (per_sample() && !request.inference) {
      if (request.optimizer != "sgd")
        throw InputError(m_preset.name() + " with hw.update_per_sample=1 pulses each sample's " +
                         "rank-one update, which plain SGD gives: --optimizer " +
                         request.optimizer +
                         " keeps state across samples; use --optimizer sgd, or "
                         "hw.update_per_sample=0 for one update per batch");
      if (!algorithms::rule_info(request.rule).rank_one_updates) {
        std::vector<std::string> giving;
        for (const algorithms::RuleInfo& r : algorithms::rules())
          if (r.rank_one_updates) giving.push_back(r.name);
        std::sort(giving.begin(), giving.end());
        std::string names;
        for (size_t i = 0; i < giving.size(); ++i)
          names += (i == 0 ? "" : i + 1 == giving.size() ? " and " : ", ") + giving[i];
        throw InputError(m_preset.name() + " with hw.update_per_sample=1 pulses each sample's " +
                         "rank-one update, the product of a layer's error and its input: " + names +
                         " give it, " + request.rule +
                         " does not (set hw.update_per_sample=0 for one update per batch)");
      }
    }
    Device::check(request);
  }

  void check_step(const algorithms::TrainingStep& step) const override {
    check_sample_stages(std::max<int64_t>(1, step.batch()), step.graph.ops().size(),
                        m_preset.name());
    if (per_sample() && !step.inference)
      for (const workloads::Op& op : step.graph.ops())
        if (op.kind == workloads::OpKind::conv2d_grad_weight)
          throw InputError(m_preset.name() + " with hw.update_per_sample=1 pulses each " +
                           "sample's rank-one update, which dense layers have; " + op.name +
                           " is a convolution (set hw.update_per_sample=0 for one update per "
                           "batch)");
  }

  // Training and deployment compute through the crossbar's numerics (noise, converters, drift).
  // A deployed network is programmed as it is (no room to grow, no pulsed updates).
  std::unique_ptr<algorithms::Numerics> numerics(const StepRequest& request,
                                                 uint64_t seed) const override {
    AnalogSettings settings = m_params.numerics;
    settings.scheme = parse_update_scheme(request.analog_update);
    if (request.inference) settings.pulsed_updates = false;
    return std::make_unique<PcmNumerics>(settings, seed);
  }

  // Trained on the chip, the step is costed with the pulses its updates fired.
  bool costs_measured_activity(const StepRequest& request) const override {
    return request.trained && !request.inference && m_params.numerics.pulsed_updates;
  }

  Row columns(const algorithms::TrainingStep& step) const override {
    if (step.inference) return {};
    const algorithms::CrossbarActivity a = crossbar_activity(step);
    return {
        {"update_pulses", a.pulses},
        {"update_row_pulses", a.row_slots},
        {"update_array_slots", a.array_slots},
        {"update_pulses_source", std::string(step.crossbar.measured() ? "measured" : "assumed")},
        {"reread_fraction", a.rereads}};
  }

  DeviceSummary summary(const algorithms::TrainingStep& step) const override {
    DeviceSummary s;
    if (step.inference) return s;
    const algorithms::CrossbarActivity a = crossbar_activity(step);
    const bool sample = per_sample();
    char trains[64] = "", text[240];
    if (sample)
      std::snprintf(trains, sizeof trains, "%.4g pulse-train slots per update, ", a.array_slots);
    std::snprintf(text, sizeof text,
                  "%s%s: %.4g programming pulses per weight and update, %s%.4g %sslots per "
                  "crossbar row (%s)",
                  step.analog_update.c_str(), sample ? ", per sample" : "", a.pulses, trains,
                  a.row_slots, sample ? "" : "pulse ",
                  step.crossbar.measured() ? "measured: fired by the training's updates"
                  : sample ? "assumed: the preset's update_pulses and update_sample_slots"
                           : "assumed: the preset's update_pulses and update_row_pulses");
    s.figures = {{"updates", text}};
    if (!std::isnan(step.crossbar.rereads)) {
      std::snprintf(text, sizeof text,
                    "%.3g%% of the crossbar reads read again at a lower amplitude, outputs "
                    "past the ADC's bound (measured by the training)",
                    100.0 * a.rereads);
      s.figures.push_back({"bound management", text});
    }
    return s;
  }

 private:
  // Training on the chip updates sample by sample (hw.update_per_sample, with pulsed updates).
  bool per_sample() const { return m_params.updates_per_sample(); }
  // What the step is costed with: what training measured, else the preset's assumptions.
  algorithms::CrossbarActivity crossbar_activity(const algorithms::TrainingStep& step) const {
    const bool mixed = parse_update_scheme(step.analog_update) == UpdateScheme::mixed_precision;
    return costed_activity(step.crossbar, m_params, mixed, step.batch());
  }

 protected:
  Cost cost_step(const algorithms::TrainingStep& step) override {
    check(request_for(step));
    UpdatePlan updates;
    updates.measured = step.crossbar;
    const UpdateScheme scheme = parse_update_scheme(step.analog_update);
    updates.accumulator = scheme == UpdateScheme::mixed_precision;
    updates.fast_array = scheme == UpdateScheme::tiki_taka;
    updates.transfer_columns = updates.fast_array ? m_params.numerics.tt_columns : 0;
    const Mapping m = map_step(step.graph, m_params, m_preset.name(), updates);
    // Each op waits for the one before it, except the updates: each waits for the last op
    // before the first update (the backward pass done), so the layers' tiles program at once.
    std::vector<Stage> stages(m.work.size());
    int before_updates = -1;
    for (size_t i = 0; i < m.work.size(); ++i) {
      const bool update = step.graph.ops()[i].phase == workloads::Phase::update;
      if (!update) before_updates = static_cast<int>(i);
      stages[i] = {m.work[i].resource, m.work[i].per_sample, m.work[i].busy_s,
                   update ? before_updates : static_cast<int>(i) - 1};
    }
    double total_s = 0.0;
    const std::vector<StageTiming> timings = AnalogPlatform::instance().run(
        stages, std::max<int64_t>(1, step.batch()), static_cast<int>(m.placements.size()),
        m.input_bytes, m.output_bytes, m_params.dram_bandwidth_bytes_per_s, total_s,
        m_preset.name());
    // Static power of the chip, and of every tile holding weights, over the whole step, shared
    // among the ops by the time each spans (they overlap in the pipeline). Power-gated tiles
    // draw only while they work: each op is charged its own tiles over its busy time.
    const auto batch = static_cast<double>(std::max<int64_t>(1, step.batch()));
    const double tiles_w = m_params.tile_static_power_w * static_cast<double>(m.tiles_used);
    const double static_w = m_params.chip_static_power_w + (m_params.power_gating ? 0.0 : tiles_w);
    double spans = 0.0;
    for (const StageTiming& t : timings) spans += t.end_s - t.start_s;
    Cost cost;
    cost.ops.resize(m.work.size());
    for (size_t i = 0; i < m.work.size(); ++i) {
      OpCost& c = cost.ops[i];
      const StageWork& w = m.work[i];
      c = w.energy;
      c.start_s = timings[i].start_s;
      c.latency_s = timings[i].end_s - timings[i].start_s;
      const double share =
          spans > 0 ? c.latency_s / spans : 1.0 / static_cast<double>(m.work.size());
      double joules = static_w * total_s * share;
      if (m_params.power_gating && w.resource >= 0)
        joules += m_params.tile_static_power_w *
                  static_cast<double>(m.placements[static_cast<size_t>(w.resource)].tiles()) *
                  w.busy_s * (w.per_sample ? batch : 1.0);
      c.charge(Component::static_power, joules);
      cost.book(i, step.graph.ops()[i].phase);
    }
    cost.latency_s = total_s;
    cost.setup_energy_j = m.setup_energy_j;
    cost.setup_latency_s = m.setup_s;
    cost.setup_writes_per_device = m.setup_writes_per_device;
    cost.writes_per_device_per_step = m.writes_per_device_per_step;
    cost.endurance = m_params.endurance;
    return cost;
  }

 private:
  Preset m_preset;
  AnalogParams m_params;
};

}  // namespace
}  // namespace frugal::hw::analog

namespace frugal::hw::analog {
namespace {

DeviceKind describe() {
  DeviceKind kind;
  kind.name = "analog";
  kind.description =
      "analog in-memory crossbar: tiles with DACs, ADCs and noisy conductances, digital units, "
      "a pipeline across tiles";
  kind.params = analog_param_table().specs();
  kind.make = make_device<AnalogDevice>;
  kind.columns = {
      {"update_pulses", results::ColumnType::float64, "1",
       "analog devices trained on the chip: programming pulses per weight and update (NaN for "
       "other devices and for inference)"},
      {"update_row_pulses", results::ColumnType::float64, "1",
       "analog devices trained on the chip: pulse slots a crossbar row took per update (its "
       "most-pulsed weight's count), measured or assumed as update_pulses"},
      {"update_array_slots", results::ColumnType::float64, "1",
       "analog devices trained on the chip: pulse slots per update in which a whole array was "
       "pulsed at once (hw.update_per_sample=1: each sample's stochastic pulse train, summed "
       "over the batch; 0 for per-batch updates), measured or assumed as update_pulses"},
      {"update_pulses_source", results::ColumnType::string, "",
       "measured (fired by the updates of --train) or assumed (the preset's update_pulses); "
       "empty for other devices"},
      {"reread_fraction", results::ColumnType::float64, "1",
       "analog devices trained on the chip: extra crossbar reads that bound management took per "
       "read, measured by --train (0 without training; NaN for other devices)"},
  };
  kind.elaborate = [] { AnalogPlatform::instance(); };
  return kind;
}

}  // namespace
}  // namespace frugal::hw::analog

FRUGAL_REGISTER_DEVICE(analog, frugal::hw::analog::describe)
