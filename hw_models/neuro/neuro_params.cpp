#include "hw_models/neuro/neuro_params.h"

namespace frugal::hw::neuro {

using units::Dimension;

const std::vector<ParamSpec>& neuro_param_specs() {
  static const std::vector<ParamSpec> specs = {
      {"cores", Dimension::dimensionless, 1, 1e8, "neuro-cores available", true},
      {"mesh_width", Dimension::dimensionless, 1, 1e5, "cores per row of the 2-D mesh", true},
      {"neurons_per_core", Dimension::dimensionless, 1, 1e7, "neurons one core holds", true},
      {"synapses_per_core", Dimension::dimensionless, 1, 1e10, "synapses one core holds", true},
      {"max_fan_in", Dimension::dimensionless, 1, 1e8,
       "inputs one neuron can take (a layer with more cannot be split)", true},
      {"weight_bits", Dimension::dimensionless, 1, 32, "synaptic weight resolution", true},
      {"threshold", Dimension::dimensionless, 1e-6, 1e6,
       "firing threshold, in units of the balanced activation scale"},
      {"leak", Dimension::dimensionless, 0, 0.999999,
       "fraction of the membrane potential lost per timestep (0: integrate-and-fire)"},
      {"refractory", Dimension::dimensionless, 0, 1e6,
       "timesteps a neuron stays silent after a spike", true},
      {"synop_energy", Dimension::energy, 0, 1e-6,
       "one synaptic event (a spike reaching a synapse)"},
      {"synop_time", Dimension::time, 0, 1e-3, "a core's time per synaptic event"},
      {"neuron_update_energy", Dimension::energy, 0, 1e-6,
       "updating a neuron that received input this timestep"},
      {"neuron_update_time", Dimension::time, 0, 1e-3, "a core's time per active neuron update"},
      {"neuron_idle_energy", Dimension::energy, 0, 1e-6,
       "updating a neuron without input this timestep"},
      {"neuron_idle_time", Dimension::time, 0, 1e-3, "a core's time per idle neuron update"},
      {"spike_energy", Dimension::energy, 0, 1e-6, "delivering a spike packet within a core"},
      {"hop_energy_x", Dimension::energy, 0, 1e-6, "a spike packet's hop east-west"},
      {"hop_energy_y", Dimension::energy, 0, 1e-6, "a spike packet's hop north-south"},
      {"hop_time_x", Dimension::time, 0, 1e-3, "latency of an east-west hop"},
      {"hop_time_y", Dimension::time, 0, 1e-3, "latency of a north-south hop"},
      {"barrier_time", Dimension::time, 0, 1, "barrier synchronization at the end of a timestep"},
      {"min_timestep", Dimension::time, 0, 1,
       "shortest timestep (a chip ticking at a fixed rate); 0: as fast as the work allows"},
      {"core_static_power", Dimension::power, 0, 10, "static power of each core in use"},
  };
  return specs;
}

NeuroParams NeuroParams::from(const Preset& p) {
  const auto count = [&](const char* key) { return static_cast<int64_t>(p.get(key)); };
  NeuroParams n{};
  n.cores = count("cores");
  n.mesh_width = count("mesh_width");
  n.neurons_per_core = count("neurons_per_core");
  n.synapses_per_core = count("synapses_per_core");
  n.max_fan_in = count("max_fan_in");
  n.neuron.weight_bits = static_cast<int>(count("weight_bits"));
  n.neuron.threshold = p.get("threshold");
  n.neuron.leak = p.get("leak");
  n.neuron.refractory = count("refractory");
  n.synop_energy_j = p.get("synop_energy");
  n.synop_time_s = p.get("synop_time");
  n.neuron_update_energy_j = p.get("neuron_update_energy");
  n.neuron_update_time_s = p.get("neuron_update_time");
  n.neuron_idle_energy_j = p.get("neuron_idle_energy");
  n.neuron_idle_time_s = p.get("neuron_idle_time");
  n.spike_energy_j = p.get("spike_energy");
  n.hop_energy_x_j = p.get("hop_energy_x");
  n.hop_energy_y_j = p.get("hop_energy_y");
  n.hop_time_x_s = p.get("hop_time_x");
  n.hop_time_y_s = p.get("hop_time_y");
  n.barrier_time_s = p.get("barrier_time");
  n.min_timestep_s = p.get("min_timestep");
  n.core_static_power_w = p.get("core_static_power");
  return n;
}

SpikingOptions spiking_options(const Preset& preset, int64_t timesteps) {
  SpikingOptions o;
  o.timesteps = timesteps;
  o.neuron = NeuroParams::from(preset).neuron;
  return o;
}

}  // namespace frugal::hw::neuro
