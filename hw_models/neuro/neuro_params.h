#pragma once
// Parameters of the spiking neuromorphic device, declared once: presets are checked against
// these declarations, `frugal presets show` prints them, and the model reads them here.

#include <cstdint>
#include <vector>

#include "hw_models/neuro/spiking.h"
#include "hw_models/param_table.h"

namespace frugal::hw::neuro {

struct NeuroParams {
  int64_t cores, mesh_width;
  int64_t neurons_per_core, synapses_per_core, max_fan_in;
  NeuronModel neuron;  // threshold, leak, refractory, weight_bits
  double synop_energy_j, synop_time_s;
  double neuron_update_energy_j, neuron_update_time_s;  // a neuron with input this timestep
  double neuron_idle_energy_j, neuron_idle_time_s;      // one without
  double spike_energy_j;                                // delivering a packet within a core
  double hop_energy_x_j, hop_energy_y_j, hop_time_x_s, hop_time_y_s;
  double barrier_time_s;  // synchronizing the cores at the end of a timestep
  double min_timestep_s;  // a chip ticking at a fixed rate cannot step faster
  double core_static_power_w;
  bool on_chip_learning;  // a learning engine that updates synapses (Loihi's)
  double synapse_update_energy_j, synapse_update_time_s;  // one synapse, one learning epoch
  double history_memory_bytes;  // per core, for a rule's stored timesteps (BPTT's)
  double history_bytes;         // one neuron's state, one timestep
  double io_energy_j;           // a spike or output value crossing the chip's edge
  bool power_gating;            // unused cores gated off: static power for the cores in use alone

  static NeuroParams from(const Preset& preset);
};

// The kind's parameters: preset keys, units, ranges, descriptions and the members they fill.
const ParamTable<NeuroParams>& neuro_param_table();

// The conversion's options for a preset: its neuron model, `timesteps` per sample.
SpikingOptions spiking_options(const Preset& preset, int64_t timesteps);

}  // namespace frugal::hw::neuro
