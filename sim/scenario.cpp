#include "sim/scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "algorithms/functional/numerics.h"
#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "results/error.h"
#include "results/text_file.h"
#include "sim/carbon.h"
#include "workloads/model_registry.h"

namespace frugal::sim {

namespace po = boost::program_options;

namespace {

// Help text lists what is registered, so it stays true as models, rules and optimizers are added.
template <typename List, typename Name>
std::string join_names(const List& items, Name name) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + name(item);
  return text;
}

}  // namespace

namespace {

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

}  // namespace

std::string option_error_message(const po::error& error) {
  const auto* named = dynamic_cast<const po::error_with_option_name*>(&error);
  if (!named) return error.what();
  std::string message = DefusedOptionError(*named).what();
  const std::string percent = DefusedOptionError::kPercent;
  for (size_t at = message.find(percent); at != std::string::npos; at = message.find(percent, at))
    message.replace(at, percent.size(), "%");
  return message;
}

po::options_description scenario_options(Scenario& s) {
  const std::string models =
      join_names(workloads::model_families(), [](const auto& f) { return f.syntax; });
  const std::string rules = join_names(algorithms::rules(), [](const auto& r) { return r.name; });
  const std::string optimizers =
      join_names(algorithms::optimizers(), [](const auto& o) { return o.name; });
  po::options_description options("Scenario", 100, 50);
  options.add_options()("model", po::value(&s.model)->default_value(s.model),
                        ("model spec: " + models).c_str())(
      "rule", po::value(&s.rule)->default_value(s.rule), ("learning rule: " + rules).c_str())(
      "hw", po::value(&s.hw)->default_value(s.hw),
      "hardware preset (frugal presets), a device kind for its default preset, or a preset file "
      "(.ini)")("batch", po::value(&s.batch)->default_value(s.batch),
                "samples per step (positive)")(
      "optimizer", po::value(&s.optimizer)->default_value(s.optimizer),
      ("optimizer of training rules: " + optimizers).c_str())(
      "seed", po::value(&s.seed)->default_value(s.seed),
      "seed of every random draw (recorded in the results)")(
      "train", po::value(&s.train)->default_value(s.train)->implicit_value(true),
      "also train the network for real (the functional face) and measure its accuracy")(
      "epochs", po::value(&s.epochs)->default_value(s.epochs), "training epochs (with --train)")(
      "dataset", po::value(&s.dataset)->default_value(s.dataset),
      "data set for --train: fashion-mnist (Debian's dataset-fashion-mnist) or synthetic")(
      "data-dir", po::value(&s.data_dir)->default_value(s.data_dir),
      "directory of the Fashion-MNIST IDX files (default: $FRUGAL_DATA_DIR or "
      "/usr/share/datasets/fashion-mnist)")(
      "train-subset", po::value(&s.train_subset)->default_value(s.train_subset),
      "train on the first N training images only (0: all)")(
      "test-subset", po::value(&s.test_subset)->default_value(s.test_subset),
      "test on the first N test images only (0: all)")(
      "lr", po::value(&s.learning_rate)->default_value(s.learning_rate),
      "learning rate of SGD with momentum (with --train)")(
      "momentum", po::value(&s.momentum)->default_value(s.momentum),
      "momentum of SGD (with --train; PyTorch's convention)")(
      "lr-schedule", po::value(&s.lr_schedule)->default_value(s.lr_schedule),
      "learning rate over the epochs: constant, cosine, or step (x0.1 at 60% and 90%)")(
      "precision", po::value(&s.precision)->default_value(s.precision),
      "number format of the step's products: fp32, tf32, bf16, fp16, fp8, int8 or int4. GPUs "
      "cost the format's tensor-core rate and bytes (a format the part lacks is an error; the "
      "cpu costs fp32 whatever the format); --train computes weights, activations and errors in "
      "it (int8/int4/fp8: per-tensor scale) and accuracy_loss compares with fp32")(
      "devices", po::value(&s.devices)->default_value(s.devices),
      "GPUs: data x tensor x pipeline parallel. Each data-parallel replica takes batch/data "
      "samples; gradients are summed by a ring all-reduce before the update")(
      "tensor-parallel", po::value(&s.tensor_parallel)->default_value(s.tensor_parallel),
      "GPUs that split every layer (within a node; all-reduces of activations)")(
      "pipeline-parallel", po::value(&s.pipeline_parallel)->default_value(s.pipeline_parallel),
      "pipeline stages that split the layers (sends between stages, a bubble)")(
      "micro-batches", po::value(&s.micro_batches)->default_value(s.micro_batches),
      "pipeline micro-batches per step (0: 4 x pipeline stages)")(
      "shard-optimizer",
      po::value(&s.shard_optimizer)->default_value(s.shard_optimizer)->implicit_value(true),
      "shard gradients and optimizer state over the data-parallel replicas (ZeRO stage 2)")(
      "activation-checkpointing",
      po::value(&s.activation_checkpointing)
          ->default_value(s.activation_checkpointing)
          ->implicit_value(true),
      "keep only each block's input (a transformer layer, a dense layer with its activation) in "
      "the forward pass and run the forward ops again in the backward one: far less activation "
      "memory for a third more compute in a bp step (full recomputation, as Megatron-LM)")(
      "devices-per-node", po::value(&s.devices_per_node)->default_value(s.devices_per_node),
      "GPUs per node: a ring within one node uses NVLink, across nodes the network")(
      "samples-per-epoch", po::value(&s.samples_per_epoch)->default_value(s.samples_per_epoch),
      "job scale: samples in one epoch; the job is ceil(samples/batch) steps x --epochs (0: the "
      "training set with --train, else no job)")(
      "tokens", po::value(&s.tokens)->default_value(s.tokens),
      "job scale for language models: tokens trained on, e.g. 3e11; the job is ceil(tokens / "
      "(batch x sequence length)) steps (0: not given)")(
      "utilization", po::value(&s.utilization)->default_value(s.utilization),
      "GPUs: the model-FLOP utilization a published run achieved (its model FLOPs over devices x "
      "peak x time), in (0, 1]; the step's matrix products take longer until it holds, the SMs "
      "staying busy (0: as modelled)")(
      "pue", po::value(&s.pue)->default_value(s.pue),
      "data-centre power usage effectiveness, >= 1: the whole job's facility energy is (devices "
      "+ their servers) x PUE (1: not counted; industry average 1.58, Uptime Institute 2023)")(
      "region", po::value(&s.region)->default_value(s.region),
      "where the job runs, for its grid's carbon intensity: world (475 gCO2e/kWh, IEA 2019), "
      "france, usa, germany, ... (docs/carbon.md lists them with year and source)")(
      "grid-gco2-per-kwh", po::value(&s.grid_g_per_kwh)->default_value(s.grid_g_per_kwh),
      "grid carbon intensity in gCO2e/kWh, instead of --region's (-1: the region's)")(
      "sparsity", po::value(&s.sparsity)->default_value(s.sparsity),
      "magnitude pruning to this fraction of zero weights, in [0, 1): --train measures the "
      "accuracy after it; hardware that skips zeros (spiking chips) costs fewer synaptic "
      "events, dense hardware (cpu, gpu, analog) costs the same")(
      "early-stop", po::value(&s.early_stop)->default_value(s.early_stop),
      "with --train: hold out a tenth of the training set and stop once its accuracy has not "
      "improved for this many epochs; reports the energy saved and the accuracy given up "
      "against the whole schedule (0: no early stopping)")(
      "warm-start", po::value(&s.warm_start)->default_value(s.warm_start),
      "with --train: start from the weights of a model saved by 'frugal run --save-model FILE' "
      "(the same model spec) instead of random ones, to train fewer epochs; the job counts only "
      "this run's epochs, the file's own training energy is reported beside it (none: from "
      "scratch)")(
      "trials", po::value(&s.trials)->default_value(s.trials),
      "hyper-parameter trials: the training job is run this many times (Schwartz et al.'s "
      "Cost = E.D.H); the trials_* columns")(
      "inference-requests", po::value(&s.inference_requests)->default_value(s.inference_requests),
      "inference requests over the model's life, on the same device (e.g. 1e9): the "
      "inference_* columns, beside training's")(
      "drift-times", po::value(&s.drift_times)->default_value(s.drift_times),
      "with --train: times after the weights are programmed, in seconds, at which the test "
      "accuracy is measured again (analog devices drift), e.g. 1,3600,86400,2592000,31536000; "
      "written to /drift")(
      "timesteps", po::value(&s.timesteps)->default_value(s.timesteps),
      "spiking devices: timesteps each sample runs for (the converted network's accuracy grows "
      "with them, and so does its energy)")(
      "spike-rate", po::value(&s.spike_rate)->default_value(s.spike_rate),
      "spiking devices: an assumed rate, spikes per neuron per timestep in [0, 1], for a network "
      "not run with --train (-1: measured by --train); results say it was assumed")(
      "input-shape", po::value(&s.input_shape)->default_value(s.input_shape),
      "ONNX models: the input's dimensions after the batch, e.g. 3x224x224 (needed when the file "
      "leaves them dynamic)")(
      "onnx-unsupported", po::value(&s.onnx_unsupported)->default_value(s.onnx_unsupported),
      "ONNX ops frugal does not model: error, or skip (count as zero-cost, with a warning)");
  return options;
}

namespace {
std::string format_number(double v) {  // shortest text that reads back exactly
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", v);
  if (std::strtod(buffer, nullptr) != v) std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}
}  // namespace

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

void validate(const Scenario& s) {
  if (s.batch <= 0)
    throw InputError("--batch must be a positive integer, got " + std::to_string(s.batch));
  if (s.epochs <= 0)
    throw InputError("--epochs must be a positive integer, got " + std::to_string(s.epochs));
  if (s.train_subset < 0 || s.test_subset < 0)
    throw InputError("--train-subset and --test-subset must be >= 0 (0: all)");
  if (!(s.learning_rate > 0) || !(s.momentum >= 0 && s.momentum < 1))
    throw InputError("--lr must be positive and --momentum in [0, 1)");
  if (s.lr_schedule != "constant" && s.lr_schedule != "cosine" && s.lr_schedule != "step")
    throw InputError("--lr-schedule must be constant, cosine or step, got '" + s.lr_schedule + "'");
  if (!algorithms::is_digital_format(s.precision))
    throw InputError("--precision must be fp32, tf32, bf16, fp16, fp8, int8 or int4, got '" +
                     s.precision + "'");
  if (s.devices < 1 || s.devices_per_node < 1)
    throw InputError("--devices and --devices-per-node must be positive integers, got " +
                     std::to_string(s.devices) + " and " + std::to_string(s.devices_per_node));
  if (s.samples_per_epoch < 0 || !(s.tokens >= 0 && s.tokens <= 1e18))
    throw InputError(
        "--samples-per-epoch and --tokens must be >= 0 (0: not given; tokens at most 1e18)");
  if (!(s.utilization >= 0 && s.utilization <= 1))
    throw InputError("--utilization must be in (0, 1] (0: as modelled), got " +
                     format_number(s.utilization));
  if (!(s.pue >= 1 && s.pue <= 5))
    throw InputError("--pue must be in [1, 5] (facility energy over IT energy), got " +
                     format_number(s.pue));
  if (s.timesteps <= 0)
    throw InputError("--timesteps must be a positive integer, got " + std::to_string(s.timesteps));
  if (s.spike_rate != -1 && !(s.spike_rate >= 0 && s.spike_rate <= 1))
    throw InputError(
        "--spike-rate must be within [0, 1] spikes per neuron per timestep (-1: "
        "measured by --train), got " +
        format_number(s.spike_rate));
  if (s.spike_rate != -1 && s.train)
    throw InputError("--train measures the spike rates and --spike-rate assumes one: give one");
  if (!drift_times(s).empty() && !s.train)
    throw InputError("--drift-times needs --train (accuracy is measured by running the network)");
  if (!(s.sparsity >= 0 && s.sparsity < 1))
    throw InputError("--sparsity must be within [0, 1) (the fraction of weights pruned), got " +
                     format_number(s.sparsity));
  if (s.early_stop < 0)
    throw InputError("--early-stop must be >= 0 epochs of patience, got " +
                     std::to_string(s.early_stop));
  if (s.warm_started() && !s.train)
    throw InputError("--warm-start needs --train (it is where training starts from)");
  if (s.early_stop > 0 && !s.train)
    throw InputError("--early-stop needs --train (it watches the accuracy while training)");
  if (s.trials < 1 || s.trials > 1000000)
    throw InputError("--trials must be an integer from 1 to 1e6, got " + std::to_string(s.trials));
  if (!(s.inference_requests >= 0 && s.inference_requests <= 1e18))
    throw InputError("--inference-requests must be within [0, 1e18], got " +
                     format_number(s.inference_requests));
  if (s.grid_g_per_kwh != -1 && !(s.grid_g_per_kwh >= 0 && s.grid_g_per_kwh <= 5000))
    throw InputError(
        "--grid-gco2-per-kwh must be within [0, 5000] gCO2e/kWh (-1: the "
        "region's), got " +
        format_number(s.grid_g_per_kwh));
  if (s.grid_g_per_kwh == -1) find_region(s.region);
  if (s.samples_per_epoch > 0 && s.tokens > 0)
    throw InputError("give --samples-per-epoch or --tokens, not both");
  if (s.tensor_parallel < 1 || s.pipeline_parallel < 1 || s.micro_batches < 0)
    throw InputError(
        "--tensor-parallel and --pipeline-parallel must be positive, --micro-batches >= 0");
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
  if (s.onnx_unsupported != "error" && s.onnx_unsupported != "skip")
    throw InputError("--onnx-unsupported must be error or skip, got '" + s.onnx_unsupported + "'");
  build_options(s);  // checks --input-shape
}

workloads::BuildOptions build_options(const Scenario& s) {
  workloads::BuildOptions o;
  o.batch = s.batch;
  o.skip_unsupported = s.onnx_unsupported == "skip";
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
  std::vector<Setting> settings = {
      {"model", s.model},
      {"rule", s.rule},
      {"hw", s.hw},
      {"batch", std::to_string(s.batch)},
      {"optimizer", s.optimizer},
      {"seed", std::to_string(s.seed)},
      {"train", s.train ? "true" : "false"},
      {"epochs", std::to_string(s.epochs)},
      {"dataset", s.dataset},
      {"data-dir", s.data_dir},
      {"train-subset", std::to_string(s.train_subset)},
      {"test-subset", std::to_string(s.test_subset)},
      {"lr", format_number(s.learning_rate)},
      {"momentum", format_number(s.momentum)},
      {"lr-schedule", s.lr_schedule},
      {"precision", s.precision},
      {"devices", std::to_string(s.devices)},
      {"tensor-parallel", std::to_string(s.tensor_parallel)},
      {"pipeline-parallel", std::to_string(s.pipeline_parallel)},
      {"micro-batches", std::to_string(s.micro_batches)},
      {"shard-optimizer", s.shard_optimizer ? "true" : "false"},
      {"activation-checkpointing", s.activation_checkpointing ? "true" : "false"},
      {"devices-per-node", std::to_string(s.devices_per_node)},
      {"samples-per-epoch", std::to_string(s.samples_per_epoch)},
      {"tokens", format_number(s.tokens)},
      {"utilization", format_number(s.utilization)},
      {"pue", format_number(s.pue)},
      {"region", s.region},
      {"sparsity", format_number(s.sparsity)},
      {"early-stop", std::to_string(s.early_stop)},
      {"warm-start", s.warm_start},
      {"trials", std::to_string(s.trials)},
      {"inference-requests", format_number(s.inference_requests)},
      {"grid-gco2-per-kwh", format_number(s.grid_g_per_kwh)},
      {"drift-times", s.drift_times},
      {"timesteps", std::to_string(s.timesteps)},
      {"spike-rate", format_number(s.spike_rate)},
      {"input-shape", s.input_shape},
      {"onnx-unsupported", s.onnx_unsupported}};
  for (const auto& [name, value] : s.hw_params) settings.emplace_back(kHwParamPrefix + name, value);
  return settings;
}

std::vector<std::string> scenario_keys() {
  Scenario defaults;
  const po::options_description options = scenario_options(defaults);
  std::vector<std::string> keys;
  for (const auto& option : options.options()) keys.push_back(option->long_name());
  return keys;
}

namespace {
bool is_hw_param_key(const std::string& key) {
  return key.rfind(kHwParamPrefix, 0) == 0 && key.size() > std::string(kHwParamPrefix).size();
}
}  // namespace

void check_scenario_key(const std::string& key, const std::string& where) {
  if (is_hw_param_key(key)) return;
  const std::vector<std::string> keys = scenario_keys();
  if (std::find(keys.begin(), keys.end(), key) != keys.end()) return;
  std::string known;
  for (const std::string& k : keys) known += k + ", ";
  const std::string hint = closest_name(key, keys);
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

Scenario scenario_from_settings(const std::vector<Setting>& settings) {
  Scenario s;
  const po::options_description options = scenario_options(s);
  std::vector<std::string> args;
  for (const auto& [key, value] : settings) {
    if (is_hw_param_key(key)) {
      s.hw_params.emplace_back(key.substr(std::string(kHwParamPrefix).size()), value);
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
  validate(s);
  return s;
}

std::string to_ini(const Scenario& s) {
  std::string text;
  for (const auto& [key, value] : to_settings(s)) text += key + " = " + value + "\n";
  return text;
}

std::string closest_name(const std::string& word, const std::vector<std::string>& names) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_distance = 3;  // suggest only close matches
  for (const std::string& name : names) {
    const size_t d = distance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

std::vector<KeyValueLine> read_key_values(const std::string& path, const std::string& what,
                                          bool allow_sections) {
  std::istringstream file(read_text_file(path, what));
  std::vector<KeyValueLine> lines;
  std::string line, section;
  int number = 0;
  while (std::getline(file, line)) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#' || line[first] == ';') continue;
    if (line[first] == '[' && allow_sections) {
      std::string text = line.substr(first);
      text.erase(text.find_last_not_of(" \t\r") + 1);
      const std::string name = text.size() > 2 ? text.substr(1, text.size() - 2) : "";
      if (text.back() != ']' || name.empty() ||
          name.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
              std::string::npos)
        throw InputError(where + ": expected a section '[NAME]' (letters, digits, - and _), got '" +
                         text + "'");
      section = name;
      continue;
    }
    if (line[first] == '[')
      throw InputError(where + ": sections are not used in " + what + "s (expected key = value)");
    const auto eq = line.find('=');
    if (eq == std::string::npos) throw InputError(where + ": expected 'key = value'");
    std::string key = line.substr(first, eq - first);
    key.erase(key.find_last_not_of(" \t") + 1);
    std::string value = line.substr(eq + 1);
    // A '#' preceded by a blank starts a comment, as in the preset files.
    for (size_t i = 1; i < value.size(); ++i)
      if (value[i] == '#' && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value.resize(i);
        break;
      }
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    if (key.empty()) throw InputError(where + ": expected 'key = value' (the key is missing)");
    lines.push_back({key, value, number, section});
  }
  return lines;
}

void read_config_file(const std::string& path, const po::options_description& allowed,
                      po::variables_map& variables, std::vector<Setting>* hw_params) {
  std::vector<std::string> names;
  for (const auto& option : allowed.options()) names.push_back(option->long_name());

  std::ostringstream checked;
  for (const KeyValueLine& kv : read_key_values(path, "config file")) {
    const std::string where = path + ":" + std::to_string(kv.line);
    if (hw_params && is_hw_param_key(kv.key)) {
      hw_params->emplace_back(kv.key.substr(std::string(kHwParamPrefix).size()), kv.value);
      continue;
    }
    if (std::find(names.begin(), names.end(), kv.key) == names.end()) {
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
      const std::string hint = closest_name(kv.key, names);
      throw InputError(where + ": unknown key '" + kv.key + "'" +
                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                       "; known keys: " + known + (hw_params ? ", hw.NAME" : ""));
    }
    checked << kv.key << " = " << kv.value << "\n";
  }
  std::istringstream text(checked.str());
  try {
    po::store(po::parse_config_file(text, allowed), variables);
  } catch (const po::error& e) {
    throw InputError("config file '" + path + "': " + option_error_message(e));
  }
}

}  // namespace frugal::sim
