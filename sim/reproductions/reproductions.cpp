#include "sim/reproductions/reproductions.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "hw_models/device.h"
#include "results/core/units.h"
#include "sim/metrics/figures.h"
#include "sim/scenario/run_scenario.h"

namespace frugal::sim {

Scenario gpt3_as_patterson() {
  Scenario s;
  s.model = "gpt3";
  s.hw = "gpu:v100";
  s.precision = "fp16";
  s.batch = 1600;
  s.devices = 10240;
  s.tensor_parallel = 8;
  s.pipeline_parallel = 16;
  s.micro_batches = 20;
  s.shard_optimizer = true;
  s.tokens = 3e11;
  s.utilization = 0.197;
  s.pue = 1.1;
  s.grid_g_per_kwh = 429;
  return s;
}

Scenario bloom_as_luccioni() {
  Scenario s;
  s.model = "bloom";
  s.hw = "gpu:a100-80gb";
  s.precision = "bf16";
  s.batch = 2048;  // sequences of 2,048 tokens
  s.devices = 384;
  s.tensor_parallel = 4;
  s.pipeline_parallel = 12;
  s.micro_batches = 128;  // 256 sequences per replica, 2 per micro-batch
  s.shard_optimizer = true;
  s.activation_checkpointing = true;
  s.tokens = 3.66e11;
  // 6 x 176e9 parameters x 366e9 tokens over 384 x 312 TFLOP/s x 118 days.
  s.utilization = 0.316;
  s.grid_g_per_kwh = 57;
  // Luccioni et al.'s idle and infrastructure energy, 256,646 kWh, over 1,082,990 GPU-hours.
  s.hw_params = {{"host_power", "237 W"}};
  return s;
}

Scenario llama2_as_meta(bool seventy_b) {
  Scenario s;
  // Same parameters and FLOPs as Llama 2 in frugal's GPT blocks: SwiGLU's three d x f matrices as
  // two of d x 1.5f; the 70B's grouped K and V (8 of 64 heads) folded into a wider MLP; rotary
  // positions and RMSNorm as parameter-free positions (alibi) and layer norms; untied output.
  s.model = seventy_b ? "gpt:layers=80,d_model=8192,heads=64,seq=4096,vocab=32000,ffn=35840,"
                        "pos=alibi,tied=no"
                      : "gpt:layers=32,d_model=4096,heads=32,seq=4096,vocab=32000,ffn=16512,"
                        "pos=alibi,tied=no";
  s.hw = "gpu:a100-80gb";
  s.precision = "bf16";
  s.batch = 1024;  // 4M tokens a step, in sequences of 4,096
  s.tokens = 2e12;
  s.optimizer = "adam";
  s.attention = "fused";
  s.devices = seventy_b ? 1024 : 256;
  s.tensor_parallel = seventy_b ? 8 : 1;
  s.shard_optimizer = true;
  s.activation_checkpointing = true;
  return s;
}

namespace {

// Dynamic energy per synaptic event on a spiking chip: one layer of 100 neurons fed by 100
// inputs that all spike every timestep, on one core.
double energy_per_synaptic_event(const std::string& preset) {
  Scenario s;
  s.model = "mlp:100-100";
  s.hw = preset;
  s.rule = "inference";
  s.batch = 1;
  s.timesteps = 10;
  s.spike_rate = 1.0;
  const ScenarioOutcome o = run_scenario(s);
  const double dynamic =
      o.cost.ledger.total() - o.cost.ledger.component(hw::Component::static_power);
  return dynamic / (100.0 * 100.0 * 10.0);
}

// TOPS/W of analog:pcm on four 1024 x 1024 layers that fill its 64 tiles, batch 1024.
double pcm_tops_per_w(int input_phases) {
  Scenario s;
  s.model = "mlp:1024-1024-1024-1024-1024";
  s.hw = "analog:pcm";
  s.rule = "inference";
  s.batch = 1024;
  s.hw_params = {{"input_phases", std::to_string(input_phases)}};
  const ScenarioOutcome o = run_scenario(s);
  return 2.0 * static_cast<double>(o.step.graph.macs()) / o.cost.ledger.total() / 1e12;
}

// TOPS/W of analog:pcm's HERMES-fitted core model in the organisation of IBM's analog-AI chip
// (Ambrogio et al. 2023): 34 tiles of 512 x 2,048 PCM devices, 512 x 512 weights of four devices
// each (two pairs: two slices of 4 bits here), a read-out per pair column; 34 layers of 512 x 512
// fill it, batch 1024. HERMES's core static power (90 mW for 256 rows and 256 columns) is scaled
// to the tile by `static_scale`.
double ambrogio_tops_per_w(double static_scale) {
  Scenario s;
  s.model = "mlp:512";
  for (int i = 0; i < 34; ++i) s.model += "-512";
  s.hw = "analog:pcm";
  s.rule = "inference";
  s.batch = 1024;
  const double hermes_static_w = hw::find_preset("analog:pcm").get("tile_static_power");
  char static_w[32];
  std::snprintf(static_w, sizeof static_w, "%.9g W", hermes_static_w * static_scale);
  s.hw_params = {{"tiles", "34"},           {"tile_rows", "512"},
                 {"tile_cols", "1024"},     {"bits_per_cell", "4"},
                 {"adcs_per_tile", "1024"}, {"tile_static_power", static_w}};
  const ScenarioOutcome o = run_scenario(s);
  return 2.0 * static_cast<double>(o.step.graph.macs()) / o.cost.ledger.total() / 1e12;
}

// The measured bf16 matrix product of this project's H100 (docs/references.md#h100-measured):
// the second of two 8192 x 8192 layers at batch 8192, an 8192^3 product whose input is already
// on the device (the first layer's waits for the host copy). TFLOP/s with `params` set.
double h100_product_tflops(const std::vector<std::pair<std::string, std::string>>& params = {}) {
  Scenario gemm;
  gemm.model = "mlp:8192-8192-8192";
  gemm.hw = "gpu:h100-sxm";
  gemm.precision = "bf16";
  gemm.rule = "inference";
  gemm.batch = 8192;
  gemm.hw_params = params;
  const ScenarioOutcome h = run_scenario(gemm);
  for (size_t i = 0; i < h.cost.ops.size(); ++i)
    if (h.step.graph.ops()[i].name == "fc2")
      return 2.0 * static_cast<double>(h.step.graph.ops()[i].macs) / h.cost.ops[i].latency_s / 1e12;
  return 0;
}

}  // namespace

double modelled_utilization(Scenario s) {
  // A step calibrated to a utilization u runs its model FLOPs at exactly u: so the modelled
  // step's utilization is u times the calibrated step's time over the modelled one's.
  constexpr double kProbe = 0.01;
  s.utilization = 0;
  const double modelled_s = run_scenario(s).cost.latency_s;
  s.utilization = kProbe;
  return kProbe * run_scenario(s).cost.latency_s / modelled_s;
}

namespace {

using Kind = Reproduction::Kind;

Reproduction consistency(std::string name, std::string source, std::string unit, double published,
                         double frugal, std::string basis,
                         double uncalibrated = std::numeric_limits<double>::quiet_NaN()) {
  Reproduction r;
  r.name = std::move(name);
  r.source = std::move(source);
  r.unit = std::move(unit);
  r.published = published;
  r.frugal = frugal;
  r.kind = Kind::consistency;
  r.basis = std::move(basis);
  r.uncalibrated = uncalibrated;
  return r;
}

Reproduction prediction(std::string name, std::string source, std::string unit, double published,
                        double frugal, std::string basis,
                        double uncalibrated = std::numeric_limits<double>::quiet_NaN()) {
  Reproduction r = consistency(std::move(name), std::move(source), std::move(unit), published,
                               frugal, std::move(basis), uncalibrated);
  r.kind = Kind::prediction;
  return r;
}

constexpr double kDay_s = 86400;

// `run` as modelled, without the calibration to its published run: no --utilization, and the
// preset's own server power.
Scenario uncalibrated(Scenario run) {
  run.utilization = 0;
  run.hw_params.clear();
  return run;
}

// `target` calibrated by what `fitted` taught: the ratio of the published utilization of
// `fitted` to the one frugal's model gives it, applied to the model's utilization of `target`.
Scenario transferred(const Scenario& fitted, Scenario target) {
  const double ratio = fitted.utilization / modelled_utilization(uncalibrated(fitted));
  target.utilization = ratio * modelled_utilization(uncalibrated(target));
  return target;
}

std::string format(const char* pattern, double value) {
  char text[200];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

}  // namespace

std::vector<Reproduction> run_reproductions() {
  std::vector<Reproduction> all;
  const std::string patterson = "Patterson et al. 2021, Table 4";
  const std::string luccioni = "Luccioni et al. 2022";
  const Scenario gpt3 = gpt3_as_patterson(), bloom = bloom_as_luccioni();
  const ScenarioOutcome g = run_scenario(gpt3), g0 = run_scenario(uncalibrated(gpt3));
  const ScenarioOutcome b = run_scenario(bloom), b0 = run_scenario(uncalibrated(bloom));
  const double to_t = 57.0 / kJoulesPerMwh / 1e3;  // J -> t CO2e at BLOOM's 57 g/kWh
  const std::string gpt3_fit =
      "--utilization 0.197, the model-FLOP utilization Patterson et al. report for this run";
  const std::string bloom_fit =
      "--utilization 0.316, derived from these 118 days (6 x 176e9 x 366e9 FLOP over 384 x 312 "
      "TFLOP/s)";

  // Consistency: what a parameter was fitted to, or inputs read back.
  all.push_back(consistency("GPT-3 training duration", patterson, "days", 14.8,
                            job_time_s(g) / kDay_s, gpt3_fit, job_time_s(g0) / kDay_s));
  all.push_back(consistency("BLOOM training duration", luccioni, "days", 118,
                            job_time_s(b) / kDay_s, bloom_fit, job_time_s(b0) / kDay_s));
  all.push_back(consistency(
      "BLOOM idle and infrastructure emissions", luccioni, "t CO2e", 14.63,
      job_host_energy_j(b) * to_t,
      "host_power 237 W per GPU, derived from their 256,646 kWh of idle and infrastructure",
      job_host_energy_j(b0) * to_t));
  all.push_back(consistency(
      "BLOOM embodied emissions (384 A100s and their servers)", luccioni, "t CO2e", 11.2,
      co2e_embodied_kg(b) / 1e3,
      "their inputs: 150 kg per GPU, 2,500 kg per server, 6 years at 85% (the A100 preset's)",
      co2e_embodied_kg(b0) / 1e3));
  all.push_back(consistency("BLOOM total emissions", luccioni, "t CO2e", 50.5, co2e_kg(b) / 1e3,
                            "the sum of the above and the GPUs' predicted energy",
                            co2e_kg(b0) / 1e3));
  all.push_back(consistency("Loihi energy per synaptic event", "Davies et al. 2018, Table 2", "pJ",
                            23.6, energy_per_synaptic_event("neuro:loihi") * 1e12,
                            "the preset's per-operation energies are that table's"));
  all.push_back(consistency("TrueNorth energy per synaptic event", "Merolla et al. 2014", "pJ", 26,
                            energy_per_synaptic_event("neuro:truenorth") * 1e12,
                            "the preset's per-event energy is that paper's all-in figure"));
  all.push_back(consistency("HERMES efficiency, one-phase 8-bit", "Le Gallo et al. 2023", "TOPS/W",
                            9.76, pcm_tops_per_w(1),
                            "analog:pcm's tile static power is derived from this figure"));
  // Horowitz's 45 nm energies, recovered from the cpu preset (scaled to 10 nm by Stillmaker &
  // Baas's factor 0.127): checks the preset's derivation.
  const hw::Preset cpu = hw::find_preset("cpu:xeon-8380");
  all.push_back(consistency("Horowitz fp32 multiply-add at 45 nm (cpu preset / 0.127)",
                            "Horowitz ISSCC 2014", "pJ", 4.6,
                            cpu.get("fp32_mac_energy") / 0.127 * 1e12,
                            "the preset's energy is this figure scaled to 10 nm"));
  all.push_back(consistency("Horowitz fp32 add at 45 nm (cpu preset / 0.127)",
                            "Horowitz ISSCC 2014", "pJ", 0.9,
                            cpu.get("fp32_add_energy") / 0.127 * 1e12,
                            "the preset's energy is this figure scaled to 10 nm"));

  // Predictions: no parameter was fitted to these figures.
  all.push_back(prediction("GPT-3 training energy (facility)", patterson, "MWh", 1287,
                           job_facility_energy_j(g) / kJoulesPerMwh,
                           "the board power model over the calibrated duration, PUE 1.1",
                           job_facility_energy_j(g0) / kJoulesPerMwh));
  all.push_back(prediction("GPT-3 operational emissions", patterson, "t CO2e", 552,
                           co2e_operational_kg(g) / 1e3, "the same energy at 429 gCO2e/kWh",
                           co2e_operational_kg(g0) / 1e3));
  all.push_back(prediction("BLOOM GPU energy (theirs: GPU-hours x 400 W TDP)", luccioni, "MWh",
                           433.196, job_energy_j(b) / kJoulesPerMwh,
                           "the board power model over the calibrated duration",
                           job_energy_j(b0) / kJoulesPerMwh));
  all.push_back(prediction("BLOOM operational emissions of the GPUs", luccioni, "t CO2e", 24.69,
                           job_energy_j(b) * to_t, "the same energy at 57 gCO2e/kWh",
                           job_energy_j(b0) * to_t));
  all.push_back(prediction("H100 bf16 8192^3 product throughput",
                           "measured on this project's H100 (docs/references.md#h100-measured)",
                           "TFLOP/s", 798, h100_product_tflops({}),
                           "gpu:h100-sxm's die (rate, energies, SM power) is gpu:h200's fit to "
                           "the H200's kernels, the same GH100 die; its own idle power (80 W) "
                           "leaves the products more of the 700 W limit than the H200's 118 W"));
  all.push_back(prediction("HERMES efficiency, four-phase 8-bit", "Le Gallo et al. 2023", "TOPS/W",
                           2.48, pcm_tops_per_w(4), "the one-phase fit with four read phases"));
  {
    // Static power per read-out line: HERMES's core has 256 + 256, the tile 512 + 1,024.
    const double lines = (512.0 + 1024.0) / (256.0 + 256.0);
    const double per_column = ambrogio_tops_per_w(1024.0 / 256.0);
    const double per_tile = ambrogio_tops_per_w(1.0);
    char basis[300];
    std::snprintf(basis, sizeof basis,
                  "analog:pcm's HERMES-fitted core on that chip's 34 tiles of 512 x 2,048 PCM "
                  "devices, the core's static power scaled by its rows and columns (x %.3g, an "
                  "assumption); scaled by its columns: %.3g TOPS/W, unscaled: %.3g",
                  lines, per_column, per_tile);
    all.push_back(prediction("IBM analog-AI chip efficiency (Ambrogio et al. 2023)",
                             "Ambrogio et al. 2023", "TOPS/W", 12.4, ambrogio_tops_per_w(lines),
                             basis));
  }
  // Across published runs: the gap between the model's utilization and the published one,
  // learnt on one run, predicts the other's (another model, another GPU, another parallelism).
  const ScenarioOutcome bg = run_scenario(transferred(gpt3, bloom));
  const ScenarioOutcome gb = run_scenario(transferred(bloom, gpt3));
  const std::string from_gpt3 =
      format("GPT-3's calibration carried over: utilization x %.3g of the model's",
             gpt3.utilization / modelled_utilization(uncalibrated(gpt3)));
  const std::string from_bloom =
      format("BLOOM's calibration carried over: utilization x %.3g of the model's",
             bloom.utilization / modelled_utilization(uncalibrated(bloom)));
  all.push_back(prediction("BLOOM training duration, from GPT-3's calibration", luccioni, "days",
                           118, job_time_s(bg) / kDay_s, from_gpt3, job_time_s(b0) / kDay_s));
  all.push_back(prediction("BLOOM GPU energy, from GPT-3's calibration", luccioni, "MWh", 433.196,
                           job_energy_j(bg) / kJoulesPerMwh, from_gpt3,
                           job_energy_j(b0) / kJoulesPerMwh));
  all.push_back(prediction("GPT-3 training duration, from BLOOM's calibration", patterson, "days",
                           14.8, job_time_s(gb) / kDay_s, from_bloom, job_time_s(g0) / kDay_s));
  all.push_back(prediction("GPT-3 training energy (facility), from BLOOM's calibration", patterson,
                           "MWh", 1287, job_facility_energy_j(gb) / kJoulesPerMwh, from_bloom,
                           job_facility_energy_j(g0) / kJoulesPerMwh));
  // MLPerf Inference v3.1, closed, datacenter: ResNet-50 Offline on a DGX H100 (8 x H100-SXM,
  // TensorRT, int8; the MaxQ submission, its power limits not stated).
  {
    Scenario r50;
    r50.model = "resnet50";
    r50.hw = "gpu:h100-sxm";
    r50.precision = "int8";
    r50.rule = "inference";
    r50.batch = 2048;  // per GPU: an assumption (the submission's engine batch was not read)
    r50.inputs_on_device = true;
    r50.runtime = "compiled";
    const double compiled = 8 * static_cast<double>(r50.batch) / run_scenario(r50).cost.latency_s;
    r50.runtime = "graph";
    const double unfused = 8 * static_cast<double>(r50.batch) / run_scenario(r50).cost.latency_s;
    char basis[300];
    std::snprintf(basis, sizeof basis,
                  "8 x gpu:h100-sxm at int8, batch 2048 a GPU (assumed), --runtime compiled "
                  "(TensorRT's fusions); each kernel apart (--runtime graph): %s (%+.0f%%)",
                  units::group_digits(std::llround(unfused)).c_str(), (unfused / 474849 - 1) * 100);
    all.push_back(prediction("MLPerf Inference v3.1 ResNet-50 Offline, DGX H100 (8 GPUs)",
                             "MLCommons inference_results_v3.1, NVIDIA DGX-H100 MaxQ", "samples/s",
                             474849, compiled, basis));
  }
  // Llama 2 (Meta's model card): GPU-hours on A100-80GB, predicted by the model as it is for an
  // assumed cluster (Meta does not publish one per model); BLOOM's calibration carried over is
  // given in the basis, not used.
  for (const bool seventy : {false, true}) {
    const Scenario llama = llama2_as_meta(seventy);
    const double hours =
        job_time_s(run_scenario(llama)) * static_cast<double>(llama.devices) / 3600;
    const double carried = job_time_s(run_scenario(transferred(bloom, llama))) *
                           static_cast<double>(llama.devices) / 3600;
    const double published = seventy ? 1720320 : 184320;
    char basis[400];
    std::snprintf(basis, sizeof basis,
                  "the model as it is (no --utilization) on an assumed %d A100s%s, ZeRO-2, "
                  "recomputation, fused attention, 2T tokens in 4M-token steps; with BLOOM's "
                  "calibration carried over: %s (%+.0f%%)",
                  static_cast<int>(llama.devices), seventy ? ", tensor parallel 8" : "",
                  units::group_digits(std::llround(carried)).c_str(),
                  (carried / published - 1) * 100);
    all.push_back(prediction(
        seventy ? "Llama 2 70B training, A100 GPU-hours" : "Llama 2 7B training, A100 GPU-hours",
        "Meta, Llama 2 model card (2023)", "GPU-hours", published, hours, basis));
  }
  return all;
}

}  // namespace frugal::sim
