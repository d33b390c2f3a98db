#include "sim/reproductions/reproductions.h"

#include "hw_models/device.h"
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

}  // namespace

std::vector<Reproduction> run_reproductions() {
  std::vector<Reproduction> reproductions;
  const ScenarioOutcome g = run_scenario(gpt3_as_patterson());
  const std::string patterson = "Patterson et al. 2021, Table 4";
  reproductions.push_back({"GPT-3 training energy (facility)", patterson, "MWh", 1287,
                           job_facility_energy_j(g) / kJoulesPerMwh});
  reproductions.push_back(
      {"GPT-3 training duration", patterson, "days", 14.8, job_time_s(g) / 86400});
  reproductions.push_back(
      {"GPT-3 operational emissions", patterson, "t CO2e", 552, co2e_operational_kg(g) / 1e3});
  // BLOOM: Luccioni et al.'s "dynamic" energy is GPU-hours x the 400 W TDP, their operational
  // emissions that energy x 57 g, their "idle" the servers and infrastructure beside the GPUs.
  const ScenarioOutcome b = run_scenario(bloom_as_luccioni());
  const std::string luccioni = "Luccioni et al. 2022";
  const double to_t = 57.0 / kJoulesPerMwh / 1e3;  // J -> t CO2e at 57 g/kWh
  reproductions.push_back({"BLOOM training duration", luccioni + " (utilization derived from it)",
                           "days", 118, job_time_s(b) / 86400});
  reproductions.push_back({"BLOOM GPU energy (theirs: GPU-hours x 400 W TDP)", luccioni, "MWh",
                           433.196, job_energy_j(b) / kJoulesPerMwh});
  reproductions.push_back({"BLOOM operational emissions of the GPUs", luccioni, "t CO2e", 24.69,
                           job_energy_j(b) * to_t});
  reproductions.push_back({"BLOOM idle and infrastructure emissions",
                           luccioni + " (server power derived from it)", "t CO2e", 14.63,
                           job_host_energy_j(b) * to_t});
  reproductions.push_back({"BLOOM embodied emissions (384 A100s and their servers)", luccioni,
                           "t CO2e", 11.2, co2e_embodied_kg(b) / 1e3});
  reproductions.push_back({"BLOOM total emissions", luccioni, "t CO2e", 50.5, co2e_kg(b) / 1e3});
  reproductions.push_back({"Loihi energy per synaptic event", "Davies et al. 2018, Table 2", "pJ",
                           23.6, energy_per_synaptic_event("neuro:loihi") * 1e12});
  reproductions.push_back({"TrueNorth energy per synaptic event", "Merolla et al. 2014", "pJ", 26,
                           energy_per_synaptic_event("neuro:truenorth") * 1e12});
  reproductions.push_back({"HERMES efficiency, one-phase 8-bit", "Le Gallo et al. 2023", "TOPS/W",
                           9.76, pcm_tops_per_w(1)});
  reproductions.push_back({"HERMES efficiency, four-phase 8-bit", "Le Gallo et al. 2023", "TOPS/W",
                           2.48, pcm_tops_per_w(4)});
  // Horowitz's 45 nm energies, recovered from the cpu preset (scaled to 10 nm by Stillmaker &
  // Baas's factor 0.127): reproductions the preset's derivation.
  const hw::Preset cpu = hw::find_preset("cpu:xeon-8380");
  reproductions.push_back({"Horowitz fp32 multiply-add at 45 nm (cpu preset / 0.127)",
                           "Horowitz ISSCC 2014", "pJ", 4.6,
                           cpu.get("fp32_mac_energy") / 0.127 * 1e12});
  reproductions.push_back({"Horowitz fp32 add at 45 nm (cpu preset / 0.127)", "Horowitz ISSCC 2014",
                           "pJ", 0.9, cpu.get("fp32_add_energy") / 0.127 * 1e12});
  // The measured bf16 matrix product of this project's H100 (docs/references.md#h100-measured).
  // The second of two 8192 x 8192 layers at batch 8192: an 8192^3 product whose input is
  // already on the device (the first layer's waits for the host copy).
  Scenario gemm;
  gemm.model = "mlp:8192-8192-8192";
  gemm.hw = "gpu:h100-sxm";
  gemm.precision = "bf16";
  gemm.rule = "inference";
  gemm.batch = 8192;
  const ScenarioOutcome h = run_scenario(gemm);
  for (size_t i = 0; i < h.cost.ops.size(); ++i)
    if (h.step.graph.ops()[i].name == "fc2")
      reproductions.push_back(
          {"H100 bf16 8192^3 product throughput",
           "measured on this project's H100 (docs/references.md#h100-measured)", "TFLOP/s", 798,
           2.0 * static_cast<double>(h.step.graph.ops()[i].macs) / h.cost.ops[i].latency_s / 1e12});
  return reproductions;
}

}  // namespace frugal::sim
