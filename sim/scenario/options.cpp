#include "sim/scenario/options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <type_traits>

#include "algorithms/functional/numerics.h"
#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "sim/scenario/regions.h"

namespace frugal::sim {

namespace po = boost::program_options;

std::string format_number(double v) {
  char buffer[32];
  for (int digits : {15, 16, 17}) {  // the fewest that read back exactly (17 always do)
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  return buffer;
}

namespace {

using Type = ScenarioOption::Type;

// A value as settings text, and as it is quoted in messages.
std::string as_text(const std::string& v) { return v; }
std::string as_text(int64_t v) { return std::to_string(v); }
std::string as_text(double v) { return format_number(v); }
std::string as_text(bool v) { return v ? "true" : "false"; }
std::string quoted(const std::string& v) { return "'" + v + "'"; }
template <typename T>
std::string quoted(const T& v) {
  return as_text(v);
}

// What a value must be: a test, and how the message says it ("--batch must be a positive
// integer, got 0").
template <typename T>
struct Rule {
  std::function<bool(const T&)> holds;
  std::string expected;
};
template <typename T>
Rule<T> at_least(T low, std::string expected) {
  return {[low](const T& v) { return v >= low; }, std::move(expected)};
}
template <typename T>
Rule<T> within(T low, T high, std::string expected) {
  return {[low, high](const T& v) { return v >= low && v <= high; }, std::move(expected)};
}
Rule<std::string> one_of(std::vector<std::string> values) {
  std::string expected;
  for (size_t i = 0; i < values.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i];
  return {[values](const std::string& v) {
            return std::find(values.begin(), values.end(), v) != values.end();
          },
          expected};
}

template <typename T>
constexpr Type type_of() {
  if constexpr (std::is_same_v<T, bool>) return Type::flag;
  if constexpr (std::is_same_v<T, int64_t>) return Type::integer;
  if constexpr (std::is_same_v<T, double>) return Type::real;
  return Type::text;
}

// An entry: the option `key` bound to `member`, with what its value must be.
template <typename T>
ScenarioOption option(std::string key, T Scenario::*member, std::string unit, std::string help,
                      Rule<T> rule = {}) {
  ScenarioOption o;
  o.key = key;
  o.type = type_of<T>();
  o.unit = std::move(unit);
  o.help = std::move(help);
  o.bind = [member](Scenario& s) -> po::value_semantic* {
    auto* value = po::value(&(s.*member))->default_value(s.*member, as_text(s.*member));
    if constexpr (std::is_same_v<T, bool>) value->implicit_value(true, "true");
    return value;
  };
  o.text = [member](const Scenario& s) { return as_text(s.*member); };
  o.cell = [member](const Scenario& s) -> results::Cell {
    if constexpr (std::is_same_v<T, bool>)
      return int64_t{s.*member};
    else
      return s.*member;
  };
  o.check = [key, member, rule](const Scenario& s) {
    if constexpr (std::is_same_v<T, double>)
      if (!std::isfinite(s.*member))
        throw InputError("--" + key + " must be a finite number" +
                         (rule.expected.empty() ? "" : " (" + rule.expected + ")") + ", got " +
                         quoted(s.*member));
    if (rule.holds && !rule.holds(s.*member))
      throw InputError("--" + key + " must be " + rule.expected + ", got " + quoted(s.*member));
  };
  return o;
}

// The option fills the /scenarios column `description` says (its value, or `cell`'s).
ScenarioOption column(ScenarioOption o, std::string description,
                      std::function<results::Cell(const Scenario&)> cell = {}) {
  o.column = std::move(description);
  if (cell) o.cell = std::move(cell);
  return o;
}

// Help text lists what is registered, so it stays true as models, rules and optimizers are added.
template <typename List, typename Name>
std::string join_names(const List& items, Name name) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + name(item);
  return text;
}

std::vector<ScenarioOption> make_table() {
  const std::string models =
      join_names(workloads::model_families(), [](const auto& f) { return f.syntax; });
  const std::string rules = join_names(algorithms::rules(), [](const auto& r) { return r.name; });
  const std::string optimizers =
      join_names(algorithms::optimizers(), [](const auto& o) { return o.name; });
  const Rule<int64_t> positive = at_least<int64_t>(1, "a positive integer");
  using S = Scenario;
  return {
      column(option("model", &S::model, "", "model spec: " + models), "model spec"),
      option("rule", &S::rule, "", "learning rule: " + rules),
      option("hw", &S::hw, "",
             "hardware preset (frugal presets), a device kind for its default preset, or a "
             "preset file (.ini)"),
      column(option("batch", &S::batch, "1", "samples per step (positive)", positive),
             "samples per step"),
      option("optimizer", &S::optimizer, "", "optimizer of training rules: " + optimizers),
      column(option("seed", &S::seed, "1", "seed of every random draw (recorded in the results)"),
             "seed of the scenario's random draws"),
      option("train", &S::train, "",
             "also train the network for real (the functional face) and measure its accuracy"),
      option("epochs", &S::epochs, "1", "training epochs (with --train)", positive),
      option("dataset", &S::dataset, "",
             "data set for --train: fashion-mnist (Debian's dataset-fashion-mnist) or synthetic"),
      option("data-dir", &S::data_dir, "",
             "directory of the Fashion-MNIST IDX files (default: $FRUGAL_DATA_DIR or "
             "/usr/share/datasets/fashion-mnist)"),
      option("train-subset", &S::train_subset, "1",
             "train on the first N training images only (0: all)",
             at_least<int64_t>(0, ">= 0 (0: all)")),
      option("test-subset", &S::test_subset, "1", "test on the first N test images only (0: all)",
             at_least<int64_t>(0, ">= 0 (0: all)")),
      option("lr", &S::learning_rate, "1", "learning rate of SGD with momentum (with --train)",
             {[](double v) { return v > 0; }, "positive"}),
      option("momentum", &S::momentum, "1", "momentum of SGD (with --train; PyTorch's convention)",
             {[](double v) { return v >= 0 && v < 1; }, "in [0, 1)"}),
      option("lr-schedule", &S::lr_schedule, "",
             "learning rate over the epochs: constant, cosine, or step (x0.1 at 60% and 90%)",
             one_of({"constant", "cosine", "step"})),
      column(option("precision", &S::precision, "",
                    "number format of the step's products: fp32, tf32, bf16, fp16, fp8, int8 or "
                    "int4. GPUs and CPUs cost the format's rate and bytes (a format the part "
                    "lacks is an error); --train "
                    "computes weights, activations and errors in it (int8/int4/fp8: per-tensor "
                    "scale) and accuracy_loss compares with fp32",
                    {algorithms::is_digital_format, "fp32, tf32, bf16, fp16, fp8, int8 or int4"}),
             "number format of the functional run (--precision)"),
      option("devices", &S::devices, "1",
             "GPUs: data x tensor x pipeline parallel. Each data-parallel replica takes "
             "batch/data samples; gradients are summed by a ring all-reduce before the update",
             positive),
      option("tensor-parallel", &S::tensor_parallel, "1",
             "GPUs that split every layer (within a node; all-reduces of activations)", positive),
      option("pipeline-parallel", &S::pipeline_parallel, "1",
             "pipeline stages that split the layers (sends between stages, a bubble)", positive),
      option("micro-batches", &S::micro_batches, "1",
             "pipeline micro-batches per step (0: 4 x pipeline stages)",
             at_least<int64_t>(0, ">= 0 (0: 4 x pipeline stages)")),
      option("shard-optimizer", &S::shard_optimizer, "",
             "shard gradients and optimizer state over the data-parallel replicas (ZeRO stage "
             "2)"),
      option("activation-checkpointing", &S::activation_checkpointing, "",
             "keep only each block's input (a transformer layer, a dense layer with its "
             "activation) in the forward pass and run the forward ops again in the backward one: "
             "far less activation memory for a third more compute in a bp step (full "
             "recomputation, as Megatron-LM)"),
      option("devices-per-node", &S::devices_per_node, "1",
             "GPUs per node: a ring within one node uses NVLink, across nodes the network",
             positive),
      option("samples-per-epoch", &S::samples_per_epoch, "1",
             "job scale: samples in one epoch; the job is ceil(samples/batch) steps x --epochs "
             "(0: the training set with --train, else no job)",
             at_least<int64_t>(0, ">= 0 (0: not given)")),
      option("tokens", &S::tokens, "1",
             "job scale for language models: tokens trained on, e.g. 3e11; the job is "
             "ceil(tokens / (batch x sequence length)) steps (0: not given)",
             within(0.0, 1e18, "within [0, 1e18] (0: not given)")),
      column(option("utilization", &S::utilization, "1",
                    "GPUs: the model-FLOP utilization a published run achieved (its model FLOPs "
                    "over devices x peak x time), in (0, 1]; the step's matrix products take "
                    "longer until it holds, the SMs staying busy (0: as modelled)",
                    within(0.0, 1.0, "in (0, 1] (0: as modelled)")),
             "--utilization: the model-FLOP utilization the GPU step was calibrated to (0: as "
             "modelled)"),
      column(option("pue", &S::pue, "1",
                    "data-centre power usage effectiveness, >= 1: the whole job's facility "
                    "energy is (devices + their servers) x PUE (1: not counted; industry average "
                    "1.58, Uptime Institute 2023)",
                    within(1.0, 5.0, "in [1, 5] (facility energy over IT energy)")),
             "--pue: data-centre power usage effectiveness"),
      option("region", &S::region, "",
             "where the job runs, for its grid's carbon intensity: world (475 gCO2e/kWh, IEA "
             "2019), france, usa, germany, ... (docs/carbon.md lists them with year and source)"),
      option("sparsity", &S::sparsity, "1",
             "magnitude pruning to this fraction of zero weights, in [0, 1): --train measures the "
             "accuracy after it; hardware that skips zeros (spiking chips) costs fewer synaptic "
             "events, dense hardware (cpu, gpu, analog) costs the same",
             {[](double v) { return v >= 0 && v < 1; },
              "within [0, 1) (the fraction of weights pruned)"}),
      option("early-stop", &S::early_stop, "1",
             "with --train: hold out a tenth of the training set and stop once its accuracy has "
             "not improved for this many epochs; reports the energy saved and the accuracy given "
             "up against the whole schedule (0: no early stopping)",
             at_least<int64_t>(0, ">= 0 epochs of patience")),
      column(option("target-accuracy", &S::target_accuracy, "1",
                    "with --train: a test accuracy (a fraction, e.g. 0.85) whose first epoch, "
                    "energy and time the results report, as MLPerf counts time to train (0: "
                    "none)",
                    {[](double v) { return v >= 0 && v < 1; }, "within [0, 1) (0: none)"}),
             "the test accuracy --target-accuracy asked for (0: none)"),
      column(option("warm-start", &S::warm_start, "",
                    "with --train: start from the weights of a model saved by 'frugal run "
                    "--save-model FILE' (the same model spec) instead of random ones, to train "
                    "fewer epochs; the job counts only this run's epochs, the file's own "
                    "training energy is reported beside it (none: from scratch)"),
             "--warm-start: the model file training started from (empty: from scratch)",
             [](const Scenario& s) -> results::Cell {
               return s.warm_started() ? s.warm_start : std::string();
             }),
      column(option("trials", &S::trials, "1",
                    "hyper-parameter trials: the training job is run this many times (Schwartz "
                    "et al.'s Cost = E.D.H); the trials_* columns",
                    within<int64_t>(1, 1000000, "an integer from 1 to 1e6")),
             "--trials: hyper-parameter trials of the job"),
      column(option("inference-requests", &S::inference_requests, "1",
                    "inference requests over the model's life, on the same device (e.g. 1e9): "
                    "the inference_* columns, beside training's",
                    within(0.0, 1e18, "within [0, 1e18]")),
             "--inference-requests over the model's life"),
      option("grid-gco2-per-kwh", &S::grid_g_per_kwh, "g/kWh",
             "grid carbon intensity in gCO2e/kWh, instead of --region's (-1: the region's)",
             {[](double v) { return v == -1 || (v >= 0 && v <= 5000); },
              "within [0, 5000] gCO2e/kWh (-1: the region's)"}),
      option("drift-times", &S::drift_times, "s",
             "with --train: times after the weights are programmed, in seconds, at which the "
             "test accuracy is measured again (analog devices drift), e.g. "
             "1,3600,86400,2592000,31536000; written to /drift"),
      option("timesteps", &S::timesteps, "1",
             "spiking devices: timesteps each sample runs for (the converted network's accuracy "
             "grows with them, and so does its energy)",
             positive),
      option("spike-rate", &S::spike_rate, "1",
             "spiking devices: an assumed rate, spikes per neuron per timestep in [0, 1], for a "
             "network not run with --train (-1: measured by --train); results say it was "
             "assumed",
             {[](double v) { return v == -1 || (v >= 0 && v <= 1); },
              "within [0, 1] spikes per neuron per timestep (-1: measured by --train)"}),
      option("inputs-on-device", &S::inputs_on_device, "",
             "the step's inputs and labels are on the device already (prefetched by a data "
             "loader, or a benchmark's tensors): no host-to-device copy in the step"),
      column(option("runtime", &S::runtime, "",
                    "GPUs and CPUs: what launches the ops: graph (back to back: on a GPU as a "
                    "CUDA graph replays them, the kernels' time alone; on a CPU a native trainer "
                    "such as frugal's own, op_overhead per op), eager (PyTorch eager: the host "
                    "dispatches each op, taking the preset's dispatch_op or dispatch_product; a "
                    "GPU waits at idle power while the host is behind) or compiled (GPUs: as "
                    "graph, and a compiler such as TensorRT or torch.compile runs each forward "
                    "activation, addition, dropout and eval-mode batch norm in the epilogue of "
                    "the product before it)",
                    one_of({"graph", "eager", "compiled"})),
             "what launched the device's ops (--runtime): graph, eager or compiled"),
      column(option("threads", &S::threads, "",
                    "CPUs: threads the runtime runs the step on (0: all the preset's cores; "
                    "frugal's own trainer uses 1, PyTorch torch.get_num_threads())",
                    at_least<int64_t>(0, ">= 0 (0: all the preset's cores)")),
             "threads the CPU ran the step on (--threads; 0: all its cores)"),
      column(option("trainer-threads", &S::trainer_threads, "",
                    "--train: threads frugal's own trainer runs its steps on, each product and "
                    "elementwise pass split by columns (the functional simulation on this "
                    "machine, not the device's cost: --threads is that). Results are the same "
                    "bit for bit for a given count, and may differ in the last bits between "
                    "counts; at most 64",
                    at_least<int64_t>(1, ">= 1")),
             "threads frugal's trainer ran its steps on (--trainer-threads)"),
      column(option("analog-update", &S::analog_update, "",
                    "analog devices, training on the chip: how a weight update becomes "
                    "programming pulses: sgd (plain pulsed SGD, the pulse count stochastically "
                    "rounded), mixed-precision (the update accumulated in a digital memory and "
                    "fired in whole device steps, Nandakumar et al. 2020) or tiki-taka (the update "
                    "pulsed onto a fast array whose columns are transferred in turn onto the "
                    "weights, Gokmen and Haensch 2020); once per batch, or per sample as "
                    "stochastic pulse trains with --set hw.update_per_sample=1 (plain SGD)",
                    one_of({"sgd", "mixed-precision", "tiki-taka"})),
             "how an analog chip turned updates into pulses (--analog-update): sgd, "
             "mixed-precision or tiki-taka"),
      column(option("placement", &S::placement, "",
                    "spiking devices: how a layer's neurons are placed on the chip's cores: pack "
                    "(the fewest cores that hold them: the fewest packets, and the fewest cores "
                    "powered where unused ones are gated off) or spread (all the chip's cores, "
                    "shared by the layers in "
                    "proportion to their work; shorter timesteps, more packets)",
                    one_of({"pack", "spread"})),
             "how a spiking chip placed the layers on its cores (--placement): pack or spread"),
      column(option("attention", &S::attention, "",
                    "transformers: unfused (two products and a softmax, the scores written to "
                    "memory, as Megatron-LM's and PyTorch's math path) or fused (one kernel per "
                    "pass that keeps the scores on chip and computes only those a causal mask "
                    "keeps, as FlashAttention and PyTorch's scaled_dot_product_attention)",
                    one_of({"unfused", "fused"})),
             "how a transformer's attention ran (--attention): unfused or fused"),
      option("input-shape", &S::input_shape, "",
             "ONNX models: the input's dimensions after the batch, e.g. 3x224x224 (needed when "
             "the file leaves them dynamic)"),
      option("onnx-unsupported", &S::onnx_unsupported, "",
             "ONNX ops frugal does not model: error, or skip (count as zero-cost, with a warning)",
             one_of({"error", "skip"})),
  };
}

// Gives access to a Boost error's substitutions, to defuse them.
class DefusedOptionError : public po::error_with_option_name {
 public:
  static constexpr const char* kPercent = "\xef\xbc\x85";  // U+FF05, stands in for '%'
  explicit DefusedOptionError(const po::error_with_option_name& e) : po::error_with_option_name(e) {
    for (auto& entry : m_substitutions) entry.second = defuse(entry.second);
    for (auto& entry : m_substitution_defaults) {
      entry.second.first = defuse(entry.second.first);
      entry.second.second = defuse(entry.second.second);
    }
  }
  static std::string defuse(const std::string& text) {
    std::string out;
    for (const char c : text) out += c == '%' ? std::string(kPercent) : std::string(1, c);
    return out;
  }
};

std::string closest_key(const std::string& key) {
  std::vector<std::string> keys;
  for (const ScenarioOption& o : scenario_options()) keys.push_back(o.key);
  return closest_name(key, keys);
}

}  // namespace

std::string ScenarioOption::column_name() const {
  std::string name = key;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

results::ColumnType ScenarioOption::column_type() const {
  return type == Type::text   ? results::ColumnType::string
         : type == Type::real ? results::ColumnType::float64
                              : results::ColumnType::int64;
}

results::ColumnSpec ScenarioOption::column_spec() const {
  return {column_name(), column_type(), unit, column};
}

const std::vector<ScenarioOption>& scenario_options() {
  static const std::vector<ScenarioOption> table = make_table();
  return table;
}

const ScenarioOption* find_option(const std::string& key) {
  static const std::map<std::string, const ScenarioOption*> by_key = [] {
    std::map<std::string, const ScenarioOption*> map;
    for (const ScenarioOption& o : scenario_options()) map[o.key] = &o;
    return map;
  }();
  const auto it = by_key.find(key);
  return it == by_key.end() ? nullptr : it->second;
}

po::options_description option_description(Scenario& s, const std::string& caption,
                                           const std::vector<std::string>& keys) {
  po::options_description options(caption, 100, 50);
  for (const ScenarioOption& o : scenario_options())
    if (keys.empty() || std::find(keys.begin(), keys.end(), o.key) != keys.end())
      options.add_options()(o.key.c_str(), o.bind(s), o.help.c_str());
  return options;
}

std::string option_error_message(const po::error& error) {
  const auto* named = dynamic_cast<const po::error_with_option_name*>(&error);
  if (!named) return error.what();
  std::string message = DefusedOptionError(*named).what();
  const std::string percent = DefusedOptionError::kPercent;
  for (size_t at = message.find(percent); at != std::string::npos; at = message.find(percent, at))
    message.replace(at, percent.size(), "%");
  return message;
}

std::vector<double> drift_times(const Scenario& s) {
  std::vector<double> times;
  std::string item;
  const auto take = [&] {
    if (item.empty()) return;
    char* end = nullptr;
    const double t = std::strtod(item.c_str(), &end);
    if (end == item.c_str() || *end != '\0' || !std::isfinite(t))
      throw InputError("--drift-times: '" + item +
                       "' is not a number of seconds (expected e.g. 1,3600,86400)");
    if (t < 0)
      throw InputError("--drift-times: " + item +
                       " s is negative; times after programming are >= 0 s");
    times.push_back(t);
    item.clear();
  };
  for (char c : s.drift_times) {
    if (c == ',' || c == ';' || c == ' ' || c == '\t')
      take();
    else
      item += c;
  }
  take();
  std::sort(times.begin(), times.end());
  return times;
}

void check_scenario(const Scenario& s) {
  for (const ScenarioOption& o : scenario_options()) o.check(s);
  // What the options ask of each other.
  if (s.spike_rate != -1 && s.train)
    throw InputError("--train measures the spike rates and --spike-rate assumes one: give one");
  if (!drift_times(s).empty() && !s.train)
    throw InputError("--drift-times needs --train (accuracy is measured by running the network)");
  if (s.warm_started() && !s.train)
    throw InputError("--warm-start needs --train (it is where training starts from)");
  if (s.early_stop > 0 && !s.train)
    throw InputError("--early-stop needs --train (it watches the accuracy while training)");
  if (s.target_accuracy > 0 && !s.train)
    throw InputError("--target-accuracy needs --train (it watches the accuracy while training)");
  if (s.grid_g_per_kwh == -1) find_region(s.region);
  if (s.samples_per_epoch > 0 && s.tokens > 0)
    throw InputError("give --samples-per-epoch or --tokens, not both");
  if (s.devices % (s.tensor_parallel * s.pipeline_parallel) != 0)
    throw InputError("--devices " + std::to_string(s.devices) +
                     " must be a multiple of --tensor-parallel x --pipeline-parallel (" +
                     std::to_string(s.tensor_parallel) + " x " +
                     std::to_string(s.pipeline_parallel) + ")");
  if (const int64_t data = s.devices / (s.tensor_parallel * s.pipeline_parallel);
      s.batch % data != 0)
    throw InputError("--batch " + std::to_string(s.batch) + " does not split evenly over the " +
                     std::to_string(data) +
                     " data-parallel replicas (each takes batch/replicas samples)");
  if (s.devices > 1 && s.train)
    throw InputError(
        "--train with --devices > 1 is not supported: train with --devices 1 (data "
        "parallelism gives the same updates) and cost with --devices N");
  build_options(s);  // checks --input-shape
}

workloads::BuildOptions build_options(const Scenario& s) {
  workloads::BuildOptions o;
  o.batch = s.batch;
  o.skip_unsupported = s.onnx_unsupported == "skip";
  o.fused_attention = s.attention == "fused";
  if (s.input_shape.empty()) return o;
  size_t start = 0;
  while (start <= s.input_shape.size()) {
    const size_t x = s.input_shape.find('x', start);
    const std::string d = s.input_shape.substr(start, x - start);
    if (d.empty() || d.size() > 9 || d.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(d) == 0)
      throw InputError("--input-shape '" + s.input_shape +
                       "': expected positive dimensions separated by x, e.g. 3x224x224");
    o.input_shape.push_back(std::stoll(d));
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return o;
}

std::vector<Setting> to_settings(const Scenario& s) {
  std::vector<Setting> settings;
  for (const ScenarioOption& o : scenario_options()) settings.emplace_back(o.key, o.text(s));
  for (const auto& [name, value] : s.hw_params) settings.emplace_back(kHwParamPrefix + name, value);
  return settings;
}

bool is_hw_param_key(const std::string& key) {
  return key.rfind(kHwParamPrefix, 0) == 0 && key.size() > std::string(kHwParamPrefix).size();
}

void check_scenario_key(const std::string& key, const std::string& where) {
  if (is_hw_param_key(key) || find_option(key)) return;
  std::string known;
  for (const ScenarioOption& o : scenario_options()) known += o.key + ", ";
  const std::string hint = closest_key(key);
  throw InputError(where + "unknown key '" + key + "'" +
                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                   "; known keys: " + known + "and hw.NAME for a parameter of the hardware preset");
}

Setting split_setting(const std::string& text, const std::string& option) {
  const auto eq = text.find('=');
  std::string key = eq == std::string::npos ? std::string() : text.substr(0, eq);
  key.erase(0, key.find_first_not_of(" \t"));
  key.erase(key.find_last_not_of(" \t") + 1);
  if (key.empty())
    throw InputError(option + " '" + text + "': expected KEY=VALUE, e.g. " + option +
                     " batch=64 or " + option + " hw.dram_energy_per_byte='15 pJ/bit'");
  std::string value = text.substr(eq + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t") + 1);
  return {key, value};
}

namespace {

// Parses `settings` into `s` through `options` (bound to `s`): hw.NAME settings replace the
// preset parameter of that name or follow the others; every other option not given takes the
// default `options` was built with.
void parse_settings(const std::vector<Setting>& settings, Scenario& s,
                    const po::options_description& options) {
  std::vector<std::string> args;
  for (const auto& [key, value] : settings) {
    if (is_hw_param_key(key)) {
      const std::string name = key.substr(std::string(kHwParamPrefix).size());
      auto it = std::find_if(s.hw_params.begin(), s.hw_params.end(),
                             [&](const auto& p) { return p.first == name; });
      if (it != s.hw_params.end())
        it->second = value;
      else
        s.hw_params.emplace_back(name, value);
      continue;
    }
    check_scenario_key(key, "");
    if (value.empty()) {  // "--key=" is refused; an empty word is an empty value
      args.push_back("--" + key);
      args.push_back(value);
    } else {
      args.push_back("--" + key + "=" + value);  // keeps "-3" a value, not an option
    }
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(option_error_message(e));
  }
}

}  // namespace

Scenario scenario_from_settings(const std::vector<Setting>& settings) {
  Scenario s;
  const po::options_description options = option_description(s);
  parse_settings(settings, s, options);
  check_scenario(s);
  return s;
}

// The base, and a scenario the options are bound to (their defaults: the base's values).
struct ScenarioBuilder::Parser {
  Scenario base;
  Scenario work;
  std::unique_ptr<po::options_description> options;
};

ScenarioBuilder::ScenarioBuilder(const std::vector<Setting>& base)
    : m_parser(std::make_unique<Parser>()) {
  const po::options_description defaults = option_description(m_parser->base);
  parse_settings(base, m_parser->base, defaults);
  m_parser->work = m_parser->base;
  m_parser->options = std::make_unique<po::options_description>(option_description(m_parser->work));
}

ScenarioBuilder::~ScenarioBuilder() = default;

Scenario ScenarioBuilder::build(const std::vector<Setting>& settings) {
  Scenario& work = m_parser->work;
  work = m_parser->base;
  parse_settings(settings, work, *m_parser->options);
  check_scenario(work);
  return work;
}

std::string to_ini(const Scenario& s) {
  std::string text;
  for (const auto& [key, value] : to_settings(s)) text += key + " = " + value + "\n";
  return text;
}

}  // namespace frugal::sim
