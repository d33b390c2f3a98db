#include "hw_models/neuro/neuro_params.h"

namespace frugal::hw::neuro {

using units::Dimension;

const ParamTable<NeuroParams>& neuro_param_table() {
  static const ParamTable<NeuroParams> table({
      param("cores", Dimension::dimensionless, 1, 1e8, "neuro-cores available",
            &NeuroParams::cores),
      param("mesh_width", Dimension::dimensionless, 1, 1e5, "cores per row of the 2-D mesh",
            &NeuroParams::mesh_width),
      param("neurons_per_core", Dimension::dimensionless, 1, 1e7, "neurons one core holds",
            &NeuroParams::neurons_per_core),
      param("synapses_per_core", Dimension::dimensionless, 1, 1e10, "synapses one core holds",
            &NeuroParams::synapses_per_core),
      param("max_fan_in", Dimension::dimensionless, 1, 1e8,
            "inputs one neuron can take (a layer with more cannot be split)",
            &NeuroParams::max_fan_in),
      param("weight_bits", Dimension::dimensionless, 1, 32, "synaptic weight resolution",
            &NeuroParams::neuron, &NeuronModel::weight_bits),
      param("threshold", Dimension::dimensionless, 1e-6, 1e6,
            "firing threshold, in units of the balanced activation scale", &NeuroParams::neuron,
            &NeuronModel::threshold),
      param("leak", Dimension::dimensionless, 0, 0.999999,
            "fraction of the membrane potential lost per timestep (0: integrate-and-fire)",
            &NeuroParams::neuron, &NeuronModel::leak),
      param("refractory", Dimension::dimensionless, 0, 1e6,
            "timesteps a neuron stays silent after a spike", &NeuroParams::neuron,
            &NeuronModel::refractory),
      param("synop_energy", Dimension::energy, 0, 1e-6,
            "one synaptic event (a spike reaching a synapse)", &NeuroParams::synop_energy_j),
      param("synop_time", Dimension::time, 0, 1e-3, "a core's time per synaptic event",
            &NeuroParams::synop_time_s),
      param("neuron_update_energy", Dimension::energy, 0, 1e-6,
            "updating a neuron that received input this timestep",
            &NeuroParams::neuron_update_energy_j),
      param("neuron_update_time", Dimension::time, 0, 1e-3,
            "a core's time per active neuron update", &NeuroParams::neuron_update_time_s),
      param("neuron_idle_energy", Dimension::energy, 0, 1e-6,
            "updating a neuron without input this timestep", &NeuroParams::neuron_idle_energy_j),
      param("neuron_idle_time", Dimension::time, 0, 1e-3, "a core's time per idle neuron update",
            &NeuroParams::neuron_idle_time_s),
      param("spike_energy", Dimension::energy, 0, 1e-6, "delivering a spike packet within a core",
            &NeuroParams::spike_energy_j),
      param("hop_energy_x", Dimension::energy, 0, 1e-6, "a spike packet's hop east-west",
            &NeuroParams::hop_energy_x_j),
      param("hop_energy_y", Dimension::energy, 0, 1e-6, "a spike packet's hop north-south",
            &NeuroParams::hop_energy_y_j),
      param("hop_time_x", Dimension::time, 0, 1e-3, "latency of an east-west hop",
            &NeuroParams::hop_time_x_s),
      param("hop_time_y", Dimension::time, 0, 1e-3, "latency of a north-south hop",
            &NeuroParams::hop_time_y_s),
      param("barrier_time", Dimension::time, 0, 1,
            "barrier synchronization at the end of a timestep", &NeuroParams::barrier_time_s),
      param("min_timestep", Dimension::time, 0, 1,
            "shortest timestep (a chip ticking at a fixed rate); 0: as fast as the work allows",
            &NeuroParams::min_timestep_s),
      param("core_static_power", Dimension::power, 0, 10, "static power of each core in use",
            &NeuroParams::core_static_power_w),
      param("on_chip_learning", Dimension::dimensionless, 0, 1,
            "1: a learning engine updates the synapses (training rules bp, dfa, drtp run on the "
            "chip); 0: the chip runs trained networks only",
            &NeuroParams::on_chip_learning),
      param("synapse_update_energy", Dimension::energy, 0, 1e-6,
            "the learning engine updating one synapse once (a weight, or a tag accumulating an "
            "update)",
            &NeuroParams::synapse_update_energy_j),
      param("synapse_update_time", Dimension::time, 0, 1e-3,
            "a core's time per synapse update (a core's synapses are updated one after another)",
            &NeuroParams::synapse_update_time_s),
      param("history_memory", Dimension::bytes, 0, 1e9,
            "memory a core has for a learning rule's stored history: bp through time keeps "
            "every timestep's state of a sample, and a layer takes the cores that hold it",
            &NeuroParams::history_memory_bytes),
      param("history_bytes", Dimension::bytes, 0, 1024,
            "one neuron's stored state for one timestep (its potential and its spike)",
            &NeuroParams::history_bytes),
      param("io_energy", Dimension::energy, 0, 1e-6,
            "a packet crossing the chip's edge: each input spike sent to the chip, each output "
            "potential read at the end of a sample",
            &NeuroParams::io_energy_j),
      param("power_gating", Dimension::dimensionless, 0, 1,
            "1: the cores a network does not use are gated off, static power is charged for the "
            "cores in use alone; 0: for every core of the chip, as a CPU is charged its whole "
            "socket",
            &NeuroParams::power_gating),
  });
  return table;
}

NeuroParams NeuroParams::from(const Preset& p) { return neuro_param_table().read(p); }

SpikingOptions spiking_options(const Preset& preset, int64_t timesteps) {
  SpikingOptions o;
  o.timesteps = timesteps;
  o.neuron = NeuroParams::from(preset).neuron;
  return o;
}

}  // namespace frugal::hw::neuro
