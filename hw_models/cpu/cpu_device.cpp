// The CPU device: map ops (cpu_mapper), time them on the SystemC platform (cpu_platform), and
// charge energy from the preset's per-action figures:
//   compute = MACs × the format's mac_energy + other ops × fp32_add_energy
//             + vector instructions × instruction_energy
//   sram    = L1↔L2 bytes × l2_energy_per_byte + L2↔LLC bytes × llc_energy_per_byte
//   dram    = DRAM bytes × dram_energy_per_byte
//   static  = (idle_power + dram_background_power) × op latency

#include <algorithm>
#include <memory>

#include "algorithms/functional/numerics.h"
#include "hw_models/cpu/cpu_mapper.h"
#include "hw_models/cpu/cpu_params.h"
#include "hw_models/cpu/cpu_platform.h"
#include "hw_models/device.h"
#include "results/core/error.h"

namespace frugal::hw::cpu {
namespace {

class CpuDevice final : public Device {
 public:
  explicit CpuDevice(Preset preset)
      : m_preset(std::move(preset)), m_params(CpuParams::from(m_preset)) {}

  const Preset& preset() const override { return m_preset; }

  // fp32 and the formats the part has a vector path for; a native trainer (graph) or a
  // framework's eager dispatch; up to the preset's cores.
  void check(const StepRequest& request) const override {
    StepRequest rest = request;
    rest.runtime = "graph";
    rest.threads = 0;
    Device::check(rest);
    if (m_params.lanes_for(request.precision) <= 0)
      throw InputError(m_preset.name() + " has no " + request.precision + " path (it computes in " +
                       supported_precisions(m_params) + ")");
    if (request.runtime != "graph" && request.runtime != "eager")
      throw InputError("--runtime " + request.runtime + " is not modelled for CPUs (" +
                       m_preset.name() +
                       " runs graph, a native trainer such as frugal's own, or eager, a "
                       "framework dispatching each op such as PyTorch)");
    if (request.threads < 0 || request.threads > static_cast<int64_t>(m_params.core_count))
      throw InputError("--threads " + std::to_string(request.threads) + " is outside 0.." +
                       std::to_string(static_cast<int64_t>(m_params.core_count)) + " (" +
                       m_preset.name() + " has " +
                       std::to_string(static_cast<int64_t>(m_params.core_count)) +
                       " cores; 0: all of them)");
  }

  void check_step(const algorithms::TrainingStep& step) const override {
    check_memory_fits(step, m_params.dram_capacity_bytes, "DRAM");
  }

  // A CPU moves values of the format it computes in.
  int element_bytes(const std::string& precision) const override {
    return algorithms::format_bytes(precision);
  }

 protected:
  double host_power_w() const override { return m_params.host_power_w; }

  Cost cost_step(const algorithms::TrainingStep& step) override {
    check(request_for(step));
    CpuRun run;
    run.precision = step.precision;
    run.threads = step.threads;
    run.eager = step.runtime == "eager";
    const std::vector<CpuOpWork> work = map_step(step.graph, m_params, run);
    const std::vector<OpTiming> timings = CpuPlatform::instance().run(work, m_params);
    Cost cost;
    cost.ops.resize(work.size());
    for (size_t i = 0; i < work.size(); ++i) {
      const CpuOpWork& w = work[i];
      OpCost& c = cost.ops[i];
      c.start_s = timings[i].start_s;
      c.latency_s = timings[i].latency_s;
      c.sram_bytes = w.l2_bytes + w.llc_bytes;
      c.dram_bytes = w.dram_read_bytes + w.dram_write_bytes;
      const workloads::Op& op = step.graph.ops()[i];
      c.charge(Component::compute,
               static_cast<double>(op.macs) * m_params.mac_energy_for(step.precision) +
                   static_cast<double>(op.other_ops) * m_params.fp32_add_energy_j +
                   static_cast<double>(w.fma_instructions + w.vector_instructions) *
                       m_params.instruction_energy_j);
      c.charge(Component::sram,
               static_cast<double>(w.l2_bytes) * m_params.l2_energy_per_byte_j +
                   static_cast<double>(w.llc_bytes) * m_params.llc_energy_per_byte_j);
      c.charge(Component::dram,
               static_cast<double>(c.dram_bytes) * m_params.dram_energy_per_byte_j);
      c.charge(Component::static_power, m_params.static_power_w() * c.latency_s);
      cost.book(i, op.phase);
      cost.latency_s = std::max(cost.latency_s, c.start_s + c.latency_s);
    }
    return cost;
  }

 private:
  Preset m_preset;
  CpuParams m_params;
};

}  // namespace
}  // namespace frugal::hw::cpu

namespace frugal::hw::cpu {
namespace {

DeviceKind describe() {
  DeviceKind kind;
  kind.name = "cpu";
  kind.description =
      "multi-core CPU: vector units, L1/L2 caches, a shared last-level cache and DRAM over "
      "TLM-2.0";
  kind.params = cpu_param_table().specs();
  kind.make = make_device<CpuDevice>;
  kind.elaborate = [] { CpuPlatform::instance(); };
  return kind;
}

}  // namespace
}  // namespace frugal::hw::cpu

FRUGAL_REGISTER_DEVICE(cpu, frugal::hw::cpu::describe)
