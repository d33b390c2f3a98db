#include "workloads/op.h"

#include <stdexcept>

#include "results/core/error.h"

namespace frugal::workloads {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::forward:
      return "forward";
    case Phase::second_forward:
      return "second_forward";
    case Phase::backward_data:
      return "backward_data";
    case Phase::backward_weight:
      return "backward_weight";
    case Phase::feedback:
      return "feedback";
    case Phase::local_loss:
      return "local_loss";
    case Phase::update:
      return "update";
    case Phase::programming:
      return "programming";
  }
  return "?";
}

Phase phase_from_index(int index) {
  if (index < 0 || index >= kPhaseCount) throw std::out_of_range("phase index out of range");
  return static_cast<Phase>(index);
}

std::string_view to_string(OpKind kind) {
  switch (kind) {
    case OpKind::dense:
      return "dense";
    case OpKind::matmul:
      return "matmul";
    case OpKind::attention:
      return "attention";
    case OpKind::conv2d:
      return "conv2d";
    case OpKind::pool:
      return "pool";
    case OpKind::norm:
      return "norm";
    case OpKind::activation:
      return "activation";
    case OpKind::softmax:
      return "softmax";
    case OpKind::elementwise:
      return "elementwise";
    case OpKind::concat:
      return "concat";
    case OpKind::embedding:
      return "embedding";
    case OpKind::loss:
      return "loss";
    case OpKind::feedback:
      return "feedback";
    case OpKind::goodness:
      return "goodness";
    case OpKind::loss_grad:
      return "loss_grad";
    case OpKind::dense_grad_input:
      return "dense_grad_input";
    case OpKind::dense_grad_weight:
      return "dense_grad_weight";
    case OpKind::matmul_grad:
      return "matmul_grad";
    case OpKind::attention_grad:
      return "attention_grad";
    case OpKind::conv2d_grad_input:
      return "conv2d_grad_input";
    case OpKind::conv2d_grad_weight:
      return "conv2d_grad_weight";
    case OpKind::pool_grad:
      return "pool_grad";
    case OpKind::norm_grad_input:
      return "norm_grad_input";
    case OpKind::norm_grad_weight:
      return "norm_grad_weight";
    case OpKind::activation_grad:
      return "activation_grad";
    case OpKind::softmax_grad:
      return "softmax_grad";
    case OpKind::elementwise_grad:
      return "elementwise_grad";
    case OpKind::embedding_grad:
      return "embedding_grad";
    case OpKind::grad_accumulate:
      return "grad_accumulate";
    case OpKind::optimizer_update:
      return "optimizer_update";
    case OpKind::all_reduce:
      return "all_reduce";
    case OpKind::send_recv:
      return "send_recv";
    case OpKind::pipeline_bubble:
      return "pipeline_bubble";
  }
  return "?";
}

std::string_view to_string(TensorKind kind) {
  switch (kind) {
    case TensorKind::input:
      return "input";
    case TensorKind::label:
      return "label";
    case TensorKind::activation:
      return "activation";
    case TensorKind::error:
      return "error";
    case TensorKind::weight:
      return "weight";
    case TensorKind::gradient:
      return "gradient";
    case TensorKind::optimizer_state:
      return "optimizer_state";
    case TensorKind::feedback:
      return "feedback";
  }
  return "?";
}

bool is_parameter_like(TensorKind kind) {
  return kind == TensorKind::weight || kind == TensorKind::gradient ||
         kind == TensorKind::optimizer_state || kind == TensorKind::feedback;
}

int64_t checked_mul(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result))
    throw InputError("workload too large: a count overflows 64 bits (" + std::to_string(a) + " x " +
                     std::to_string(b) + ")");
  return result;
}

int64_t checked_add(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result))
    throw InputError("workload too large: a count overflows 64 bits");
  return result;
}

int64_t Shape::elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n = checked_mul(n, d);
  return n;
}

std::string Shape::str() const {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s.empty() ? "scalar" : s;
}

}  // namespace frugal::workloads
