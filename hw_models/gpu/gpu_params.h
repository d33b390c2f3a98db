#pragma once
// Parameters of the GPU device, declared once: presets are checked against these declarations,
// `frugal presets show` prints them, and the model reads them into GpuParams.

#include <string>
#include <vector>

#include "hw_models/param_table.h"
#include "workloads/op.h"

namespace frugal::hw::gpu {

// A figure per precision: dense peak throughput (0: the part has no such mode), or the energy of
// one operation.
struct PerPrecision {
  double fp32 = 0, tf32 = 0, fp16 = 0, bf16 = 0, int8 = 0, fp8 = 0;
};

// Bytes read plus written per second by the memory-bound kernels of each kind, as fractions of
// the peak HBM bandwidth, wherever their operands are (L2 or HBM): how well the library's kernels
// stream, not how fast the memory is.
struct StreamEfficiency {
  double elementwise = 0, softmax = 0, batch_norm = 0, layer_norm = 0, pool = 0;
  double gelu = 0, dropout = 0;  // activations slower than a plain map
  double foreach = 0;            // optimizers' foreach kernels, over many tensors
};

// The SMs' active power (above idle, all SMs occupied) while they run memory-bound kernels of
// the kinds whose instructions per byte differ most from a streaming kernel's (sm_active_power's
// relu): reductions, exponentials, windows.
struct KindPower {
  double softmax = 0, batch_norm = 0, layer_norm = 0, pool = 0;
};

struct GpuParams {
  double sm_count;
  PerPrecision peak;       // OP/s, dense
  PerPrecision op_energy;  // J per operation (a MAC is two); fp32's also for other arithmetic
  double gemm_efficiency;  // fraction of peak a large matrix product sustains
  // Fraction of its rate a tensor-core product keeps when a dimension is not a whole number of
  // 16-byte vectors (cuBLAS falls back to kernels without vector loads).
  double gemm_unaligned_efficiency;
  // Fraction of a product's rate a fused attention kernel keeps (FlashAttention's softmax and
  // rescaling between its products).
  double attention_efficiency;
  StreamEfficiency stream;
  double gemm_tile;        // output tile edge of a matrix-product kernel (tile × tile)
  double gemm_inner_half;  // inner dimension at which a tile runs at half its best rate
  double hbm_capacity_bytes;
  double hbm_bandwidth_bytes_per_s;
  double hbm_efficiency;  // fraction of peak HBM bandwidth a streaming kernel sustains
  double hbm_latency_s;
  double hbm_energy_per_byte_j;
  double l2_capacity_bytes;
  double l2_bandwidth_bytes_per_s;
  double l2_latency_s;
  double l2_energy_per_byte_j;
  double kernel_launch_s;  // per kernel: launch and ramp, not overlapped with work
  double kernel_min_s;     // per kernel: the shortest it takes, however little work
  // Eager runtime: the host's time to dispatch one op (a library product: cuBLAS, cuDNN).
  double dispatch_op_s;
  double dispatch_product_s;
  double host_bandwidth_bytes_per_s;  // host <-> device (PCIe or NVLink-C2C)
  double host_energy_per_byte_j;
  double nvlink_bandwidth_bytes_per_s;  // per GPU, each direction, within a node
  double nvlink_energy_per_byte_j;
  double network_bandwidth_bytes_per_s;  // per GPU, each direction, between nodes
  double network_energy_per_byte_j;
  double collective_latency_s;  // per step of a ring collective
  double tdp_w;                 // board power limit
  double idle_power_w;          // board power while allocated and idle (constant + static)
  // Power of all SMs occupied by a kernel's blocks, above idle, whatever they compute (clocks,
  // schedulers, register files of un-gated SMs: AccelWattch's idle-core power).
  double sm_active_power_w;
  KindPower kind_power;
  double host_power_w;  // the server's share per GPU (CPUs, DRAM, NICs, fans); job level only

  static GpuParams from(const Preset& preset);
  // Peak dense throughput for a precision ("fp32", "tf32", "bf16", "fp16", "int8", "fp8"); 0 if
  // the part lacks it.
  double peak_for(const std::string& precision) const;
  // Stream efficiency of a memory-bound kernel of `kind` (`function` tells batch from layer
  // norm); 0 for kinds that are not memory-bound kernels (products, collectives).
  double stream_efficiency(workloads::OpKind kind, const std::string& function) const;
  // The SMs' active power (all occupied) while they run an op of `kind`: its kind's
  // (kind_power) for softmax, batch and layer norm and pooling, sm_active_power otherwise.
  double active_power_w(workloads::OpKind kind, const std::string& function) const;
  // Dynamic energy of one arithmetic operation (a MAC is two) in a precision; 0 if the part lacks
  // it.
  double energy_per_op_j(const std::string& precision) const;
  double hbm_sustained_bandwidth() const { return hbm_bandwidth_bytes_per_s * hbm_efficiency; }
};

// The kind's parameters: preset keys, units, ranges, descriptions and the members they fill.
const ParamTable<GpuParams>& gpu_param_table();

// The precisions `params` supports, "fp32, tf32, bf16, ..." for messages.
std::string supported_precisions(const GpuParams& params);

}  // namespace frugal::hw::gpu
