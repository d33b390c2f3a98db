#pragma once
// frugal sweep: expands a sweep specification, checks every scenario before running any, runs
// them in isolated workers (forked processes, or MPI ranks under mpirun), and streams the results
// into one crash-safe HDF5 file (docs/sweeps.md).

#include <cstdint>
#include <string>
#include <vector>

#include "hw_models/preset.h"
#include "sim/sweep/sweep_spec.h"

namespace frugal::sim {

struct SweepOptions {
  SweepSpec spec;
  std::string out;  // result file; required unless dry_run
  bool force = false;
  bool resume = false;
  bool retry_failed = false;  // rerun the scenarios of a complete `out` that did not finish ok
  bool dry_run = false;
  bool quiet = false;
  int jobs = 0;             // worker processes; 0: one per core
  double timeout_s = 0.0;   // per scenario; 0: none
  int64_t shard_index = 0;  // --shard i/N: run the scenarios whose id % N == i
  int64_t shard_count = 1;
  std::string command_line;
  std::string config_files;  // the text of the config files read, for provenance
};

// Exit codes of a sweep beyond 0 (all ok), 1 (internal or I/O error) and 2 (bad input).
constexpr int kExitScenarioFailed = 3;
constexpr int kExitInterrupted = 128;  // + the signal: 130 for SIGINT, 143 for SIGTERM

// Runs the sweep; returns the exit code. Throws InputError for a bad specification or output
// path (before any scenario runs).
int run_sweep(const SweepOptions& options);

// Parses --shard "i/N" (0 <= i < N). Throws InputError.
void parse_shard(const std::string& text, int64_t& index, int64_t& count);

// Each point's estimated work, in multiply-accumulates, for the progress line's ETA (only ratios
// matter): about 1e9 for a step costed without training; with --train, 3 x epochs x training
// samples + test samples, times the model's MACs per sample, times the timesteps on a spiking
// chip (a network deployed to one, rule inference: its test only) (preset_of: each point's
// preset).
std::vector<double> scenario_work(const Expansion& expansion,
                                  const std::vector<const hw::Preset*>& preset_of);

}  // namespace frugal::sim
