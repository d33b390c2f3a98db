#pragma once
// A scenario: one model, trained (or run) with one learning rule on one hardware preset. Its
// options are declared once (scenario_options) and read from the command line, INI files and
// --help alike.

#include <boost/program_options.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/model_registry.h"

namespace frugal::sim {

struct Scenario {
  std::string model = "mlp:784-256-128-10";
  std::string rule = "bp";
  std::string hw = "cpu";
  int64_t batch = 64;
  std::string optimizer = "momentum";
  int64_t seed = 0;
  // Functional face: train the network for real to measure its accuracy.
  bool train = false;
  int64_t epochs = 1;
  std::string dataset = "fashion-mnist";
  std::string data_dir;                       // default: $FRUGAL_DATA_DIR or Debian's directory
  int64_t train_subset = 0, test_subset = 0;  // 0: the whole split
  double learning_rate = 0.01, momentum = 0.9;
  std::string lr_schedule = "constant";  // constant, cosine or step
  std::string precision = "fp32";        // number format of the step's products
  int64_t devices = 1;                   // GPUs: data x tensor x pipeline parallel
  int64_t tensor_parallel = 1, pipeline_parallel = 1, micro_batches = 0;
  bool shard_optimizer = false;
  // Keep only each block's input in the forward pass and recompute the rest in the backward one.
  bool activation_checkpointing = false;
  // Job scale: samples per epoch (× epochs), or tokens for language models; 0: not given.
  int64_t samples_per_epoch = 0;
  double tokens = 0;  // may be written 3e11
  // Calibration to a published run: the model-FLOP utilization it achieved (0: as modelled).
  double utilization = 0;
  double pue = 1.0;  // data-centre power usage effectiveness applied to the whole job
  // Grid carbon intensity: a region's (sim/carbon.h), or a figure in gCO2e/kWh (-1: the region).
  std::string region = "world";
  // The whole project (Schwartz et al.'s Cost ∝ E·D·H): hyper-parameter trials, each a whole
  // training job; and inference requests over the model's life, on the same device.
  int64_t trials = 1;
  // Eco-design lever: magnitude pruning of the trained weights to this sparsity, in [0, 1).
  double sparsity = 0;
  // Eco-design lever: stop training once the accuracy on a held-out tenth of the training set
  // has not improved for this many epochs (0: the whole schedule).
  int64_t early_stop = 0;
  // Eco-design lever: start training from a model saved by --save-model ("" or "none": from
  // scratch).
  std::string warm_start;
  bool warm_started() const { return !warm_start.empty() && warm_start != "none"; }
  double inference_requests = 0;
  double grid_g_per_kwh = -1;
  // Times after programming (s) at which --train measures the accuracy again: "1,3600,86400".
  std::string drift_times;
  // Spiking devices: timesteps per sample, and an assumed spike rate (spikes per neuron per
  // timestep) when the network is not run (-1: measured by --train).
  int64_t timesteps = 32;
  double spike_rate = -1;
  int64_t devices_per_node = 8;
  std::string input_shape;                 // ONNX models: dims after the batch, "3x224x224"
  std::string onnx_unsupported = "error";  // or "skip"
  // Preset parameters replaced for this scenario, as (parameter, value with unit) pairs given as
  // `hw.NAME = VALUE` ("hw.dram_energy", "15 pJ/bit"), applied in order.
  std::vector<std::pair<std::string, std::string>> hw_params;
};

// One option setting as the user writes it: key and value text ("batch", "64";
// "hw.dram_energy", "15 pJ/bit").
using Setting = std::pair<std::string, std::string>;

// Prefix of keys that set a hardware preset parameter.
inline constexpr const char* kHwParamPrefix = "hw.";

// The scenario's options, bound to the fields of `scenario` (their current values are the
// defaults shown by --help).
boost::program_options::options_description scenario_options(Scenario& scenario);

// The message of a Boost.Program_options error. Boost's own what() loops forever when a value holds
// one of its placeholders ("%value%"; found by fuzz_ini, docs/reliability.md): the values are
// defused first.
std::string option_error_message(const boost::program_options::error& error);

// Checks values that parse but make no sense (a non-positive batch); throws InputError.
void validate(const Scenario& scenario);

// --drift-times as seconds, ascending (separated by commas, semicolons or spaces). Throws
// InputError for a value that is not a number or is negative.
std::vector<double> drift_times(const Scenario& scenario);

// The model-building options of a scenario (batch, ONNX input shape, unsupported ops).
workloads::BuildOptions build_options(const Scenario& scenario);

// The scenario as settings, every option in declaration order then the preset parameters set;
// scenario_from_settings(to_settings(s)) == s.
std::vector<Setting> to_settings(const Scenario& scenario);

// Builds a scenario from settings (missing options keep their defaults) with the same parsing and
// checks as the command line. Throws InputError naming an unknown key or a malformed value.
Scenario scenario_from_settings(const std::vector<Setting>& settings);

// The keys a scenario takes: its option names, then "hw.<parameter>" for any preset parameter.
std::vector<std::string> scenario_keys();
// Throws InputError if `key` is neither a scenario option nor hw.<parameter> (with a hint).
void check_scenario_key(const std::string& key, const std::string& where);

// Splits "key=value" (from --set); throws InputError naming `text` if there is no '=' or key.
Setting split_setting(const std::string& text, const std::string& option);

// The scenario as the INI text that reproduces it (stored in result files).
std::string to_ini(const Scenario& scenario);

// Reads `key = value` options from an INI file into `variables` (values already there, e.g. from
// the command line, win). `allowed` are the options the file may set; `hw.NAME` keys are appended
// to `hw_params` (as NAME, value) when it is given (and are unknown keys otherwise). Throws
// InputError naming the file and line of an unknown key, a section, or a malformed line.
void read_config_file(const std::string& path,
                      const boost::program_options::options_description& allowed,
                      boost::program_options::variables_map& variables,
                      std::vector<Setting>* hw_params);
inline void read_config_file(const std::string& path,
                             const boost::program_options::options_description& allowed,
                             boost::program_options::variables_map& variables) {
  read_config_file(path, allowed, variables, nullptr);
}

// The `key = value` lines of an INI file, with their line numbers; comments (#, ;) and blank lines
// skipped. Throws InputError naming file and line for a section header or a line without '='.
struct KeyValueLine {
  std::string key, value;
  int line = 0;
  std::string section;  // the [NAME] above the line ("" before any), with allow_sections
};
// Reads `key = value` lines (# and ; comments). A [NAME] line is an error unless
// `allow_sections` (NAME: letters, digits, '-' and '_').
std::vector<KeyValueLine> read_key_values(const std::string& path, const std::string& what,
                                          bool allow_sections = false);

// Closest known name to `word` within a small edit distance, for "did you mean" hints ("" if none).
std::string closest_name(const std::string& word, const std::vector<std::string>& names);

}  // namespace frugal::sim
