#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>

#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "results/core/error.h"
#include "results/core/units.h"
#include "results/files/json.h"
#include "sim/app/commands.h"
#include "sim/metrics/metrics.h"
#include "sim/scenario/options.h"
#include "workloads/model_registry.h"

namespace frugal::sim {

namespace po = boost::program_options;

using units::Dimension;
using units::format_si;
using units::group_digits;

int command_models(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help");
  po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    std::cout << "usage: frugal models\n\nLists the model families of the zoo and their syntax.\n";
    return 0;
  }
  std::cout << "model families (use with --model, or frugal describe SPEC):\n";
  for (const auto& f : workloads::model_families())
    std::cout << "  " << std::left << std::setw(14) << f.name << f.description << "\n"
              << "  " << std::setw(14) << ""
              << "syntax: " << f.syntax << "\n";
  std::cout << "  " << std::setw(14) << "FILE.onnx"
            << "a model exported to ONNX (opsets 11-17), e.g. by torch.onnx.export; see "
               "--input-shape and --onnx-unsupported\n";
  return 0;
}

namespace {

void describe_text(const workloads::Graph& g, const algorithms::TrainingStep* step) {
  std::cout << g.spec() << "  (batch " << g.batch() << ", " << 8 * g.element_bytes()
            << "-bit values)\n\n";
  // Each text column as wide as its longest entry and a space, at least as before.
  const std::vector<workloads::LayerSummary> layers = g.layers();
  size_t name_w = 14, in_w = 12, out_w = 12;
  for (const workloads::LayerSummary& l : layers) {
    name_w = std::max(name_w, l.name.size() + 1);
    in_w = std::max(in_w, l.in.str().size() + 1);
    out_w = std::max(out_w, l.out.str().size() + 1);
  }
  const auto w = [](size_t width) { return std::setw(static_cast<int>(width)); };
  std::cout << std::left << std::setw(7) << "layer" << w(name_w) << "name" << w(in_w) << "in"
            << w(out_w) << "out" << std::right << std::setw(14) << "params" << std::setw(16)
            << "MACs" << std::setw(14) << "activations"
            << "\n";
  for (const workloads::LayerSummary& l : layers) {
    std::cout << std::left << std::setw(7) << l.layer << w(name_w) << l.name << w(in_w)
              << l.in.str() << w(out_w) << l.out.str() << std::right << std::setw(14)
              << group_digits(l.params) << std::setw(16) << group_digits(l.macs) << std::setw(14)
              << format_si(static_cast<double>(l.activation_bytes), Dimension::bytes) << "\n";
  }
  std::cout << std::left << w(7 + name_w + in_w + out_w) << "total" << std::right << std::setw(14)
            << group_digits(g.params()) << std::setw(16) << group_digits(g.macs()) << "\n";
  if (!step) return;
  const auto& m = step->memory;
  std::cout << "\ntraining step of rule " << step->rule << " (optimizer " << step->optimizer
            << ")\n";
  std::cout << "  " << std::left << std::setw(18) << "phase" << std::right << std::setw(6) << "ops"
            << std::setw(16) << "MACs" << std::setw(16) << "other ops"
            << "\n";
  for (int p = 0; p < workloads::kPhaseCount; ++p) {
    const workloads::Phase phase = workloads::phase_from_index(p);
    int ops = 0;
    int64_t other = 0;
    for (const workloads::Op& op : step->graph.ops())
      if (op.phase == phase) {
        ++ops;
        other += op.other_ops;
      }
    if (ops == 0) continue;
    std::cout << "  " << std::left << std::setw(18) << workloads::to_string(phase) << std::right
              << std::setw(6) << ops << std::setw(16) << group_digits(step->graph.macs(phase))
              << std::setw(16) << group_digits(other) << "\n";
  }
  std::cout << "  " << std::left << std::setw(24) << "total" << std::right << std::setw(16)
            << group_digits(step->graph.macs()) << std::setw(16)
            << group_digits(step->graph.other_ops()) << "\n\n";
  auto bytes = [](int64_t b) { return format_si(static_cast<double>(b), Dimension::bytes); };
  std::cout << "  memory: weights " << bytes(m.weights_bytes) << ", gradients "
            << bytes(m.gradients_bytes) << ", optimizer state " << bytes(m.optimizer_state_bytes)
            << ", feedback matrices " << bytes(m.feedback_bytes) << ", activations held "
            << bytes(m.activations_bytes) << ", peak activations " << bytes(m.peak_activation_bytes)
            << "; total " << bytes(m.total_bytes()) << "\n";
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  std::cout << "  weight transport: " << yes(step->traits.weight_transport)
            << ", backward sweep: " << yes(step->traits.backward_sweep)
            << ", update locking: " << yes(step->traits.update_locking) << "\n";
}

std::string describe_json(const workloads::Graph& g, const algorithms::TrainingStep* step) {
  results::JsonWriter j;
  j.begin_object();
  j.key("model").value(g.spec());
  j.key("batch").value(g.batch());
  j.key("element_bytes").value(g.element_bytes());
  j.key("layers").begin_array();
  for (const workloads::LayerSummary& l : g.layers()) {
    j.begin_object();
    j.key("layer").value(l.layer);
    j.key("name").value(l.name);
    j.key("in").value(l.in.str());
    j.key("out").value(l.out.str());
    j.key("params").value(l.params);
    j.key("macs").value(l.macs);
    j.key("activation_bytes").value(l.activation_bytes);
    j.end_object();
  }
  j.end_array();
  j.key("params").value(g.params());
  j.key("macs").value(g.macs());
  if (step) {
    j.key("step").begin_object();
    j.key("rule").value(step->rule);
    j.key("optimizer").value(step->optimizer);
    j.key("macs").value(step->graph.macs());
    j.key("macs_by_phase").begin_object();
    for (int p = 0; p < workloads::kPhaseCount; ++p) {
      const workloads::Phase phase = workloads::phase_from_index(p);
      j.key(std::string(workloads::to_string(phase))).value(step->graph.macs(phase));
    }
    j.end_object();
    write_memory_json(j, step->memory);
    j.key("weight_transport").value(step->traits.weight_transport);
    j.key("backward_sweep").value(step->traits.backward_sweep);
    j.key("update_locking").value(step->traits.update_locking);
    j.end_object();
  }
  j.end_object();
  return j.str();
}

}  // namespace

// The model `shape` names (and its rule's training step, when it names a rule), checked as run
// checks them; the builder's warnings on stderr.
struct Described {
  workloads::Graph graph;
  std::unique_ptr<algorithms::TrainingStep> step;
};
Described describe_model(const Scenario& shape) {
  check_scenario(shape);
  algorithms::find_optimizer(shape.optimizer);
  Described d{workloads::build_model(shape.model, build_options(shape)), nullptr};
  print_warnings(d.graph);
  if (!shape.rule.empty()) {
    algorithms::StepOptions step_options;
    step_options.optimizer = shape.optimizer;
    d.step = std::make_unique<algorithms::TrainingStep>(
        algorithms::make_rule(shape.rule)->expand(d.graph, step_options));
  }
  return d;
}

int command_describe(const std::vector<std::string>& args) {
  Scenario shape;       // the options describe shares with run: the model, its shape, the rule
  shape.model.clear();  // given, or an error
  shape.rule.clear();   // optional: also the rule's step
  shape.batch = 1;
  bool json = false;
  po::options_description options = option_description(
      shape, "Options", {"model", "batch", "input-shape", "onnx-unsupported", "rule", "optimizer"});
  options.add_options()("json", po::bool_switch(&json), "print one JSON object")("help,h",
                                                                                 "show this help");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal describe SPEC|FILE.onnx [--batch N] [--rule RULE] [--json]\n\n"
                 "Prints per-layer parameters, MACs and activation memory, and totals; with\n"
                 "--rule, also the rule's training step (phases, memory, structure).\nModels:\n";
    for (const auto& f : workloads::model_families())
      std::cout << "  " << f.syntax << "\n      " << f.description << "\n";
    std::cout << "\n" << options;
    return 0;
  }
  notify_options(vm);
  if (shape.model.empty())
    throw InputError("describe needs a model spec, e.g. frugal describe mlp:784-256-128-10");
  const Described d = describe_model(shape);
  if (json)
    std::cout << describe_json(d.graph, d.step.get()) << "\n";
  else
    describe_text(d.graph, d.step.get());
  return 0;
}

std::string describe_model_json(const std::string& model, const std::string& rule, int64_t batch,
                                const std::string& optimizer) {
  Scenario shape;
  shape.model = model;
  shape.rule = rule;
  shape.batch = batch;
  if (!optimizer.empty()) shape.optimizer = optimizer;
  const Described d = describe_model(shape);
  return describe_json(d.graph, d.step.get());
}

}  // namespace frugal::sim
