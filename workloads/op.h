#pragma once
// One operation of a workload graph: what it computes (kind), when (phase of a training step),
// for which layer, on which tensors, and how much arithmetic and data it involves.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace frugal::workloads {

// Phases of a training step (DESIGN.md). Inference graphs use only `forward`.
enum class Phase {
  forward,
  second_forward,  // a second pass forward, on modulated inputs (PEPITA, MEMPEPITA)
  backward_data,
  backward_weight,
  feedback,
  local_loss,
  update,
  programming
};
inline constexpr int kPhaseCount = 8;
std::string_view to_string(Phase phase);
Phase phase_from_index(int index);

// What an op computes. Forward kinds first, then the kinds learning rules add. `Op::function`
// refines some kinds (activation: relu, relu6, gelu, tanh, sigmoid; pool: max, avg, global_avg;
// norm: batch, layer; elementwise: add, mul, ...). docs/workloads.md gives each kind's counts.
enum class OpKind {
  dense,        // y = W x + b over the last dimension (GEMM + bias)
  matmul,       // batched C = A·B (or A·Bᵀ) without weights: attention's QKᵀ and AV
  attention,    // fused attention softmax(QKᵀ·scale + mask)·V in one kernel, scores never stored
  conv2d,       // 2-D convolution, NCHW, with groups, stride, padding, dilation
  pool,         // max, average or global average pooling
  norm,         // batch or layer normalization with a learned scale and shift
  activation,   // elementwise f(a)
  softmax,      // softmax over the last dimension
  elementwise,  // add, mul, ... of two tensors (with broadcasting)
  concat,       // concatenation (a copy)
  embedding,    // rows of a table gathered by token id
  loss,         // softmax + cross-entropy of the logits
  feedback,     // an error or label projected through a fixed random matrix (DFA, DRTP, PEPITA)
  goodness,     // Forward-Forward's per-layer goodness, loss and its gradient
  loss_grad,    // e = softmax(z) - y*
  dense_grad_input,    // g = Wᵀ δ (GEMM)
  dense_grad_weight,   // dW = δ hᵀ (GEMM), db = Σ δ
  matmul_grad,         // gradient of one operand of a matmul (GEMM)
  attention_grad,      // fused attention's backward: dQ, dK, dV in one kernel, scores recomputed
  conv2d_grad_input,   // transposed convolution of the error
  conv2d_grad_weight,  // correlation of input and error
  pool_grad,           // errors routed (max) or spread (average) back to the window
  norm_grad_input,     // gradient of a normalization's input
  norm_grad_weight,    // gradients of its scale and shift
  activation_grad,     // δ = g ⊙ f'(a)
  softmax_grad,        // δ = y ⊙ (g - Σ g⊙y)
  elementwise_grad,    // gradient of an elementwise op's operand (products, broadcast sums)
  embedding_grad,      // errors scattered (added) into the rows of the table
  grad_accumulate,     // a tensor used twice gets the sum of its two gradients
  optimizer_update,    // W -= η·(optimizer rule)
  all_reduce,          // a ring all-reduce among `group` devices (gradients, activations)
  send_recv,           // activations and their gradients between pipeline stages
  pipeline_bubble,     // devices idle while a pipeline fills and drains
};
std::string_view to_string(OpKind kind);

// feedback: fixed random matrices of the forward-only rules (stored like weights, never trained).
enum class TensorKind {
  input,
  label,
  activation,
  error,
  weight,
  gradient,
  optimizer_state,
  feedback
};
std::string_view to_string(TensorKind kind);
bool is_parameter_like(TensorKind kind);  // weight, gradient, optimizer_state

struct Shape {
  std::vector<int64_t> dims;
  int64_t elements() const;  // product of dims (1 for a scalar); throws on overflow
  std::string str() const;   // "64x784"
  bool operator==(const Shape& other) const { return dims == other.dims; }
};

struct Tensor {
  std::string name;
  TensorKind kind = TensorKind::activation;
  int64_t elements = 0;
  int64_t bytes = 0;
  Shape shape;  // as created (views of it may have other shapes); {elements} when unknown
};

// The sliding window of a convolution or pooling op (PyTorch's parameters), for the functional
// face; kernel_h is 0 for ops without one (adaptive and global pooling, everything else).
struct Window {
  int64_t kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
  bool ceil_mode = false;
  bool bias = false;  // convolutions: whether a bias is added
};

struct Op {
  std::string name;  // "fc1", "fc1.relu", "fc2.grad_input"
  OpKind kind = OpKind::dense;
  Phase phase = Phase::forward;
  int layer = 0;  // 1-based index of the layer the op belongs to; 0 for none
  Shape in, out;
  int64_t macs = 0;         // multiply-accumulates
  int64_t other_ops = 0;    // other arithmetic: one per elementwise add, compare, exp, ...
  int64_t params = 0;       // trainable parameters of the op's layer that the op involves
  std::string function;     // activation function of activation ops: "relu", "tanh", "sigmoid"
  std::vector<int> reads;   // tensor ids (Graph::tensors())
  std::vector<int> writes;  // tensor ids
  // The op reads only out.elements() values of its weight table (an embedding lookup), not all.
  bool gathers_weights = false;
  // A forward op run again in the backward pass (activation checkpointing): work the hardware
  // does, not model FLOPs (utilization counts the model's).
  bool recompute = false;
  Window window;  // conv2d and pool ops
  // all_reduce, send_recv, pipeline_bubble: the devices taking part (bubble: the pipeline
  // stages), the bytes each contributes (bubble: the micro-batches per step), and whether the
  // traffic crosses nodes (network) or stays within one (NVLink).
  int64_t group = 1;
  int64_t collective_bytes = 0;
  bool crosses_nodes = false;
  // Filled by Graph::add_op from the tensors read and written:
  int64_t weight_bytes_read = 0;  // weights, gradients and optimizer state
  int64_t weight_bytes_written = 0;
  int64_t act_bytes_read = 0;  // inputs, labels, activations and errors
  int64_t act_bytes_written = 0;

  int64_t bytes_read() const { return weight_bytes_read + act_bytes_read; }
  int64_t bytes_written() const { return weight_bytes_written + act_bytes_written; }
};

// Checked arithmetic for counts that can grow past int64 with large models and batches.
int64_t checked_mul(int64_t a, int64_t b);
int64_t checked_add(int64_t a, int64_t b);

}  // namespace frugal::workloads
