// The GPU device: map ops to kernels (gpu_mapper), time them on the SystemC platform (an OpEngine
// for the SMs; L2, HBM and the host link as MemoryTargets), and charge energy:
//   compute = matrix ops × op_energy(precision) + other ops × op_energy(fp32)
//             + sm_active_power × occupied fraction of the SMs × kernel time
//   sram    = L2 bytes × l2_energy_per_byte
//   dram    = HBM bytes × hbm_energy_per_byte
//   host    = bytes from the host × host_energy_per_byte
//   static  = idle_power × latency (constant and static power of the board, AccelWattch's
//             P_const + P_static)
// With --runtime eager the host dispatches each op and the GPU waits for it, at idle power.
// The power limit: a kernel whose power would exceed TDP runs slower instead (as clocks
// throttle), its latency stretched to its dynamic energy / (TDP − idle − active power), so that
// it draws TDP exactly. Large products on Hopper run there (measured on an H200: 690 W at two
// thirds of the bf16 peak).

#include <algorithm>
#include <cstdio>
#include <memory>

#include "hw_models/common/memory_target.h"
#include "hw_models/common/op_engine.h"
#include "hw_models/device.h"
#include "hw_models/gpu/gpu_mapper.h"
#include "hw_models/gpu/gpu_params.h"
#include "results/core/error.h"
#include "results/core/units.h"

namespace frugal::hw::gpu {
namespace {

enum Memory { kL2 = 0, kHbm = 1, kHost = 2 };

std::string format_fraction(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

class GpuPlatform {
 public:
  static GpuPlatform& instance() {
    static GpuPlatform platform;
    return platform;
  }

  std::vector<OpTiming> run(const std::vector<KernelWork>& work, const GpuParams& p) {
    std::vector<EngineOp> ops(work.size());
    double bound = 0.0;
    for (size_t i = 0; i < work.size(); ++i) {
      const KernelWork& w = work[i];
      // The batch crosses the host link before its kernel (a synchronous copy).
      ops[i].lead_s = w.launch_s + static_cast<double>(w.host_bytes) / p.host_bandwidth_bytes_per_s;
      ops[i].busy_s = w.compute_s;
      ops[i].transfers = {{kL2, tlm::TLM_READ_COMMAND, w.l2_bytes},
                          {kHbm, tlm::TLM_READ_COMMAND, w.hbm_read_bytes},
                          {kHbm, tlm::TLM_WRITE_COMMAND, w.hbm_write_bytes}};
      bound +=
          ops[i].lead_s + w.compute_s +
          static_cast<double>(w.l2_bytes) / p.l2_bandwidth_bytes_per_s +
          static_cast<double>(w.hbm_read_bytes + w.hbm_write_bytes) / p.hbm_sustained_bandwidth() +
          p.l2_latency_s + p.hbm_latency_s;
    }
    m_l2.configure(p.l2_bandwidth_bytes_per_s, p.l2_latency_s);
    m_hbm.configure(p.hbm_sustained_bandwidth(), p.hbm_latency_s);
    m_host.configure(p.host_bandwidth_bytes_per_s, 0.0);
    return m_sms.run(ops, bound, "GPU");
  }

 private:
  GpuPlatform() {
    m_sms.sockets[kL2]->bind(m_l2.socket);
    m_sms.sockets[kHbm]->bind(m_hbm.socket);
    m_sms.sockets[kHost]->bind(m_host.socket);
  }
  OpEngine m_sms{"gpu_sms", 3};
  MemoryTarget m_l2{"gpu_l2"};
  MemoryTarget m_hbm{"gpu_hbm"};
  MemoryTarget m_host{"gpu_host_link"};
};

class GpuDevice final : public Device {
 public:
  explicit GpuDevice(Preset preset)
      : m_preset(std::move(preset)), m_params(GpuParams::from(m_preset)) {}

  const Preset& preset() const override { return m_preset; }

  // Any precision the part has, data, tensor and pipeline parallelism, and calibration to a
  // published utilization.
  void check(const StepRequest& request) const override {
    if (m_params.peak_for(request.precision) <= 0)
      throw InputError(m_preset.name() + " has no " + request.precision + " mode (it computes in " +
                       supported_precisions(m_params) + ")");
    if (request.parallelism.devices < 1 || request.parallelism.devices_per_node < 1)
      throw InputError("--devices and --devices-per-node must be positive integers");
    if (request.threads != 0)
      throw InputError("--threads is modelled for CPUs; " + m_preset.name() +
                       " is a gpu device (leave --threads out)");
    if (request.runtime != "graph" && request.runtime != "eager" && request.runtime != "compiled")
      throw InputError("unknown --runtime '" + request.runtime +
                       "' (expected graph, eager or compiled)");
  }

  void check_step(const algorithms::TrainingStep& step) const override {
    check_memory_fits(step, m_params.hbm_capacity_bytes, "device memory");
  }

  // A GPU moves values of the format it computes in.
  int element_bytes(const std::string& precision) const override {
    return algorithms::format_bytes(precision);
  }

 protected:
  double host_power_w() const override { return m_params.host_power_w; }

  Cost cost_step(const algorithms::TrainingStep& step) override {
    const std::string& precision = step.precision;
    check(request_for(step));
    const std::vector<KernelWork> work = map_step(
        step.graph, m_params, precision, step.inputs_on_device, step.runtime == "compiled");
    const std::vector<OpTiming> timings = GpuPlatform::instance().run(work, m_params);
    const double matrix_energy = m_params.energy_per_op_j(precision);
    const double vector_energy = m_params.energy_per_op_j("fp32");
    const double headroom_w = m_params.tdp_w - m_params.idle_power_w;
    const auto devices = static_cast<double>(step.parallelism.devices);
    Cost cost;
    cost.ops.resize(work.size());
    // Each kernel's dynamic energy and latency: the arithmetic, the bytes, and the SMs' active
    // power while its blocks occupy them. The power limit: a kernel never draws more than TDP;
    // it takes longer instead (L ≥ E_work / (headroom − active power)).
    for (size_t i = 0; i < work.size(); ++i) {
      const KernelWork& w = work[i];
      OpCost& c = cost.ops[i];
      c.sram_bytes = w.l2_bytes;
      c.dram_bytes = w.hbm_read_bytes + w.hbm_write_bytes;
      c.charge(Component::compute, w.matrix_ops * matrix_energy + w.vector_ops * vector_energy);
      c.charge(Component::sram, static_cast<double>(w.l2_bytes) * m_params.l2_energy_per_byte_j);
      c.charge(Component::dram, static_cast<double>(c.dram_bytes) * m_params.hbm_energy_per_byte_j);
      c.charge(Component::host,
               static_cast<double>(w.host_bytes) * m_params.host_energy_per_byte_j);
      c.charge(Component::interconnect,
               static_cast<double>(w.link_bytes) * (w.network ? m_params.network_energy_per_byte_j
                                                              : m_params.nvlink_energy_per_byte_j));
      const workloads::Op& op = step.graph.ops()[i];
      const double active_w = m_params.active_power_w(op.kind, op.function) * w.sm_utilization;
      c.latency_s = std::max(timings[i].latency_s, c.energy_total_j() / (headroom_w - active_w));
      if (w.launch_s > 0) c.latency_s = std::max(c.latency_s, m_params.kernel_min_s);
    }
    if (step.parallelism.pipeline <= 1) overlap_gradient_reduction(step.graph, cost);
    // A pipeline of P stages and m micro-batches idles (P − 1)/m of its busy time (GPipe,
    // Huang et al. 2019; 1F1B has the same bubble).
    double bubble_fraction = 0.0;
    double busy_s = 0.0, matrix_s = 0.0, model_ops = 0.0;
    for (size_t i = 0; i < work.size(); ++i) {
      if (work[i].bubble) {
        const workloads::Op& op = step.graph.ops()[i];
        bubble_fraction = static_cast<double>(op.group - 1) /
                          static_cast<double>(op.collective_bytes);  // micro-batches
        continue;
      }
      busy_s += cost.ops[i].latency_s;
      if (work[i].matrix_ops > 0) matrix_s += cost.ops[i].latency_s;
      // Recomputed activations are the hardware's work, not the model's FLOPs.
      if (!step.graph.ops()[i].recompute) model_ops += work[i].matrix_ops;
    }
    if (step.utilization > 0)
      stretch(cost, work, step.utilization, bubble_fraction, busy_s, matrix_s,
              model_ops / m_params.peak_for(precision));
    for (size_t i = 0; i < work.size(); ++i)
      if (work[i].bubble) cost.ops[i].latency_s = busy_s * bubble_fraction;
    const std::vector<double> waits = step.runtime == "eager"
                                          ? eager_waits(step.graph, work, cost)
                                          : std::vector<double>(work.size(), 0.0);
    double clock = timings.empty() ? 0.0 : timings.front().start_s;
    for (size_t i = 0; i < work.size(); ++i) {
      OpCost& c = cost.ops[i];
      // The SMs are occupied for the kernel's time after its launch and host copy.
      const double lead_s = work[i].launch_s + static_cast<double>(work[i].host_bytes) /
                                                   m_params.host_bandwidth_bytes_per_s;
      const workloads::Op& op = step.graph.ops()[i];
      c.charge(Component::compute, m_params.active_power_w(op.kind, op.function) *
                                       work[i].sm_utilization *
                                       std::max(0.0, c.latency_s - lead_s));
      // Kernels run one after another in one stream; an eager kernel waits for its dispatch
      // first, the board at idle power (the op's latency includes the wait).
      c.latency_s += waits[i];
      c.start_s = clock;
      clock += c.latency_s;
      c.charge(Component::static_power, m_params.idle_power_w * c.latency_s);
      // Every device does the same: the step's energy is theirs together.
      for (double& j : c.energy_j) j *= devices;
      cost.book(i, step.graph.ops()[i].phase);
    }
    cost.latency_s = clock - (timings.empty() ? 0.0 : timings.front().start_s);
    return cost;
  }

 private:
  // Data parallelism without a pipeline reduces the gradients while the backward pass runs
  // (PyTorch DDP and FSDP, ZeRO with overlap_comm, reduce each bucket of gradients as soon as it
  // is ready; DDP's buckets hold 25 MiB): of the gradients' all-reduce, only what outlasts the
  // backward pass is exposed, and the last bucket's share, which waits for the last gradients.
  // A pipeline's engine (Megatron-LM's and DeepSpeed's of GPT-3's and BLOOM's time) reduces them
  // after its flush, all of it exposed: the caller leaves pipelined steps alone.
  static void overlap_gradient_reduction(const workloads::Graph& graph, Cost& cost) {
    constexpr double kBucketBytes = 25.0 * 1024 * 1024;
    double backward_s = 0.0;
    for (size_t i = 0; i < graph.ops().size(); ++i) {
      const workloads::Phase phase = graph.ops()[i].phase;
      if (phase == workloads::Phase::backward_data || phase == workloads::Phase::backward_weight)
        backward_s += cost.ops[i].latency_s;
    }
    for (size_t i = 0; i < graph.ops().size(); ++i) {
      const workloads::Op& op = graph.ops()[i];
      if (op.kind != workloads::OpKind::all_reduce || op.phase != workloads::Phase::update)
        continue;
      const double reduce_s = cost.ops[i].latency_s;
      const double last_bucket_s =
          reduce_s *
          std::min(1.0, kBucketBytes / std::max(1.0, static_cast<double>(op.collective_bytes)));
      cost.ops[i].latency_s =
          std::min(reduce_s, std::max(0.0, reduce_s - backward_s) + last_bucket_s);
    }
  }

  // Calibration to a published run: the matrix-product kernels (the model FLOPs) take longer,
  // alike, until the step's model FLOPs run at `utilization` of the peak, the SMs staying
  // occupied (active power) while they do; `busy_s` and `matrix_s` are updated. The time the
  // model leaves unexplained is thus spent as its products are (stalls, recomputation), not idle.
  void stretch(Cost& cost, const std::vector<KernelWork>& work, double utilization,
               double bubble_fraction, double& busy_s, double& matrix_s, double ideal_s) const {
    const double target_s = ideal_s / utilization;
    const double modelled_s = busy_s * (1.0 + bubble_fraction);
    if (matrix_s <= 0.0)
      throw InputError("--utilization needs a step with matrix products (model FLOPs)");
    if (target_s < modelled_s * (1.0 - 1e-9))
      throw InputError("--utilization " + format_fraction(utilization) + " is above the " +
                       format_fraction(ideal_s / modelled_s) + " this step reaches on " +
                       m_preset.name() +
                       " as modelled; give at most that, or leave --utilization out");
    const double factor = (target_s / (1.0 + bubble_fraction) - (busy_s - matrix_s)) / matrix_s;
    for (size_t i = 0; i < work.size(); ++i)
      if (!work[i].bubble && work[i].matrix_ops > 0) cost.ops[i].latency_s *= factor;
    busy_s += matrix_s * (factor - 1.0);
    matrix_s *= factor;
  }

  // --runtime eager: the host dispatches the ops one after another (dispatch_product for a
  // matrix product, dispatch_op for another kernel; an optimizer's updates go out together, as
  // PyTorch's foreach kernels do), and the GPU starts a kernel once it is dispatched and the
  // previous one is done. In a loop of steps the host runs ahead whenever it can, so a step
  // takes max(Σ dispatch, Σ kernel): the waits of one step's timeline are trimmed from its start
  // by what the previous step's last kernels overlap. The GPU's wait before each op.
  std::vector<double> eager_waits(const workloads::Graph& graph,
                                  const std::vector<KernelWork>& work, const Cost& cost) const {
    std::vector<double> waits(work.size(), 0.0);
    double host = 0.0, gpu = 0.0, kernels = 0.0;
    bool updates_dispatched = false;
    for (size_t i = 0; i < work.size(); ++i) {
      const workloads::Op& op = graph.ops()[i];
      if (work[i].bubble) {
        // no kernel: the pipeline's idle time, dispatched with nothing
      } else if (op.macs > 0) {
        host += m_params.dispatch_product_s;
      } else if (op.kind != workloads::OpKind::optimizer_update || !updates_dispatched) {
        host += m_params.dispatch_op_s;
        updates_dispatched = updates_dispatched || op.kind == workloads::OpKind::optimizer_update;
      }
      const double start = std::max(gpu, host);
      waits[i] = start - gpu;
      gpu = start + cost.ops[i].latency_s;
      kernels += cost.ops[i].latency_s;
    }
    double excess = (gpu - kernels) - std::max(0.0, host - kernels);
    for (double& w : waits) {
      const double cut = std::min(w, excess);
      w -= cut;
      excess -= cut;
    }
    return waits;
  }

  Preset m_preset;
  GpuParams m_params;
};

}  // namespace
}  // namespace frugal::hw::gpu

namespace frugal::hw::gpu {
namespace {

DeviceKind describe() {
  DeviceKind kind;
  kind.name = "gpu";
  kind.description =
      "GPU: streaming multiprocessors with tensor cores, L2 and HBM over TLM-2.0, kernel "
      "launches, a board power limit";
  kind.params = gpu_param_table().specs();
  kind.make = make_device<GpuDevice>;
  kind.elaborate = [] { GpuPlatform::instance(); };
  return kind;
}

}  // namespace
}  // namespace frugal::hw::gpu

FRUGAL_REGISTER_DEVICE(gpu, frugal::hw::gpu::describe)
