#include "hw_models/analog/analog_params.h"

#include <algorithm>
#include <cmath>

#include "results/core/error.h"

namespace frugal::hw::analog {

using units::Dimension;

const ParamTable<AnalogParams>& analog_param_table() {
  static const ParamTable<AnalogParams> table({
      param("tile_rows", Dimension::dimensionless, 1, 65536,
            "crossbar rows per tile (inputs; one DAC each)", &AnalogParams::tile_rows),
      param("tile_cols", Dimension::dimensionless, 1, 65536,
            "crossbar columns per tile (unit cells of one differential pair)",
            &AnalogParams::tile_cols),
      param("tiles", Dimension::dimensionless, 1, 1e7,
            "tiles on the chip: every weight matrix of the step must fit at once",
            &AnalogParams::tiles),
      param("weight_bits", Dimension::dimensionless, 1, 16, "signed weight resolution",
            &AnalogParams::weight_bits),
      param("bits_per_cell", Dimension::dimensionless, 1, 16,
            "bits one unit cell holds; wider weights are sliced over adjacent columns",
            &AnalogParams::bits_per_cell),
      param("dac_bits", Dimension::dimensionless, 1, 16, "input bits per read phase",
            &AnalogParams::dac_bits),
      param("input_phases", Dimension::dimensionless, 1, 64,
            "read phases per matrix-vector product (bit-serial inputs, or repeated reads)",
            &AnalogParams::input_phases),
      param("bit_serial", Dimension::dimensionless, 0, 1,
            "1: the phases carry successive input bits, combined by shift-and-add (inputs of "
            "dac_bits x input_phases bits); 0: repeated full reads",
            &AnalogParams::bit_serial),
      param("adc_bits", Dimension::dimensionless, 1, 16, "ADC resolution", &AnalogParams::adc_bits),
      param("adcs_per_tile", Dimension::dimensionless, 1, 65536,
            "ADCs per tile, shared by the columns through a multiplexer",
            &AnalogParams::adcs_per_tile),
      param("output_bound", Dimension::dimensionless, 0.01, 1e6,
            "ADC range in units of a full-scale input times the largest weight",
            &AnalogParams::numerics, &AnalogSettings::output_bound),
      param("column_scales", Dimension::dimensionless, 0, 1,
            "1: each crossbar column (an output) has its own digital output scale, mapping its "
            "largest weight to g_max; 0: one scale per matrix",
            &AnalogParams::numerics, &AnalogSettings::column_scales),
      param("train_weight_range", Dimension::dimensionless, 1, 1000,
            "training on the chip: g_max stands for this multiple of the initial largest weight "
            "magnitude (of the column, or of the matrix): the room trained weights have to grow",
            &AnalogParams::numerics, &AnalogSettings::train_weight_range),
      param("bound_management", Dimension::dimensionless, 0, 1,
            "1: an input vector whose outputs would pass the ADC's bound is read again at half "
            "its amplitude until they fit (aihwkit's iterative bound management); 0: they clip",
            &AnalogParams::numerics, &AnalogSettings::bound_management),
      param("g_max", Dimension::conductance, 1e-9, 1e-2, "largest device conductance",
            &AnalogParams::numerics, &AnalogSettings::g_max_s),
      param("read_voltage", Dimension::voltage, 0.001, 5, "read voltage across a cell",
            &AnalogParams::read_voltage_v),
      param("read_pulse", Dimension::time, 1e-12, 1e-3, "read pulse per phase",
            &AnalogParams::read_pulse_s),
      param("mean_conductance", Dimension::dimensionless, 0, 1,
            "average programmed device conductance, as a fraction of g_max",
            &AnalogParams::mean_conductance),
      param("input_duty", Dimension::dimensionless, 0, 1,
            "average fraction of the read pulse an input drives (pulse-width or bit density)",
            &AnalogParams::input_duty),
      param("dac_energy", Dimension::energy, 0, 1e-9, "energy to drive one row for one phase",
            &AnalogParams::dac_energy_j),
      param("adc_energy_floor", Dimension::energy, 0, 1e-9,
            "ADC energy per conversion at low resolution (E = floor + coefficient x 4^bits)",
            &AnalogParams::adc_energy_floor_j),
      param("adc_energy_4bits", Dimension::energy, 0, 1e-12,
            "coefficient of the ADC energy term that quadruples per bit",
            &AnalogParams::adc_energy_4bits_j),
      param("adc_time_per_bit", Dimension::time, 1e-13, 1e-6,
            "ADC conversion time per bit (a conversion takes adc_bits x this)",
            &AnalogParams::adc_time_per_bit_s),
      param("column_energy", Dimension::energy, 0, 1e-9,
            "per column read-out and phase: sampling and integration before the ADC",
            &AnalogParams::column_energy_j),
      param("shift_add_energy", Dimension::energy, 0, 1e-9,
            "per conversion combined across phases or weight slices",
            &AnalogParams::shift_add_energy_j),
      param("buffer_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
            "tile buffers: inputs read, outputs written", &AnalogParams::buffer_energy_per_byte_j),
      param("noc_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
            "on-chip network, per byte and hop", &AnalogParams::noc_energy_per_byte_j),
      param("noc_bandwidth", Dimension::bandwidth, 1e6, 1e14, "on-chip network bandwidth per link",
            &AnalogParams::noc_bandwidth_bytes_per_s),
      param("digital_energy_per_op", Dimension::energy, 0, 1e-9,
            "digital units: one operation of activations, pooling, softmax, partial sums, "
            "weight gradients",
            &AnalogParams::digital_energy_per_op_j),
      param("digital_rate", Dimension::op_rate, 1e6, 1e17, "the chip's digital throughput",
            &AnalogParams::digital_rate_ops),
      param("dram_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
            "off-chip memory: inputs in, outputs out", &AnalogParams::dram_energy_per_byte_j),
      param("dram_bandwidth", Dimension::bandwidth, 1e6, 1e14, "off-chip memory bandwidth",
            &AnalogParams::dram_bandwidth_bytes_per_s),
      param("tile_static_power", Dimension::power, 0, 100,
            "power of each tile holding weights while the chip runs (bias currents, leakage, "
            "clocks)",
            &AnalogParams::tile_static_power_w),
      param("chip_static_power", Dimension::power, 0, 1000, "the rest of the chip's static power",
            &AnalogParams::chip_static_power_w),
      param("power_gating", Dimension::dimensionless, 0, 1,
            "1: a tile holding weights draws tile_static_power only while it works (power-gated "
            "when idle); 0: for the whole step",
            &AnalogParams::power_gating),
      param("transposed_reads", Dimension::dimensionless, 0, 1,
            "1: the backward pass reads a crossbar transposed (inputs on its columns); 0: it "
            "cannot, see backward_copy",
            &AnalogParams::transposed_reads),
      param("backward_copy", Dimension::dimensionless, 0, 1,
            "without transposed reads: 1, a transposed copy of each matrix on tiles of its own, "
            "programmed and pulsed in step; 0, the digital units compute the backward product "
            "from a digital copy of the weights",
            &AnalogParams::backward_copy),
      param("write_energy", Dimension::energy, 0, 1e-6, "one programming pulse on one device",
            &AnalogParams::write_energy_j),
      param("write_pulse", Dimension::time, 1e-12, 1e-3,
            "one programming pulse with its verify read", &AnalogParams::write_pulse_s),
      param("write_verify_iterations", Dimension::dimensionless, 1, 1000,
            "pulses (each verified) to program a device to its target",
            &AnalogParams::write_verify_iterations),
      param("update_pulses", Dimension::dimensionless, 0, 1000,
            "mean pulses per weight and training update (each to one device of the pair), for a "
            "step not trained with --train; a trained one uses the pulses its updates fired",
            &AnalogParams::update_pulses),
      param("update_row_pulses", Dimension::dimensionless, 0, 1e6,
            "pulse slots a crossbar row takes per training update (its most-pulsed weight's "
            "count: a row's devices are pulsed in parallel), for a step not trained with --train",
            &AnalogParams::update_row_pulses),
      param("update_sample_slots", Dimension::dimensionless, 0, 64,
            "with update_per_sample: pulse slots of one sample's pulse train (the whole array "
            "pulsed at once), for a step not trained with --train",
            &AnalogParams::update_sample_slots),
      param("endurance", Dimension::dimensionless, 1, 1e18, "writes a device survives",
            &AnalogParams::endurance),
      param("prog_noise_scale", Dimension::dimensionless, 0, 100,
            "scale of the programming noise of the PCM statistical model (0: off)",
            &AnalogParams::numerics, &AnalogSettings::prog_noise_scale),
      param("read_noise_scale", Dimension::dimensionless, 0, 100, "scale of the 1/f read noise",
            &AnalogParams::numerics, &AnalogSettings::read_noise_scale),
      param("drift_scale", Dimension::dimensionless, 0, 100, "scale of the conductance drift",
            &AnalogParams::numerics, &AnalogSettings::drift_scale),
      param("drift_compensation", Dimension::dimensionless, 0, 1,
            "1: global drift compensation rescales outputs by a reference read",
            &AnalogParams::numerics, &AnalogSettings::drift_compensation),
      param("stuck_rate", Dimension::dimensionless, 0, 1,
            "fraction of devices stuck (half at 0, half at g_max)", &AnalogParams::numerics,
            &AnalogSettings::stuck_rate),
      param("drift_t0", Dimension::time, 1e-9, 1e6, "drift reference time t0",
            &AnalogParams::numerics, &AnalogSettings::t0_s),
      param("noise_t_read", Dimension::time, 1e-12, 1, "read time of the 1/f noise model",
            &AnalogParams::numerics, &AnalogSettings::t_read_s),
      param("pulsed_updates", Dimension::dimensionless, 0, 1,
            "1: training on the device applies updates as pulses (bounded, asymmetric, noisy); 0: "
            "ideal reprogramming",
            &AnalogParams::numerics, &AnalogSettings::pulsed_updates),
      param("dw_min", Dimension::dimensionless, 1e-6, 1,
            "conductance step of one pulse, as a fraction of g_max (near G = 0)",
            &AnalogParams::numerics, &AnalogSettings::dw_min),
      param("up_down", Dimension::dimensionless, -1, 1,
            "asymmetry: up pulses are (1 + up_down), down pulses (1 - up_down) times dw_min",
            &AnalogParams::numerics, &AnalogSettings::up_down),
      param("pulse_noise", Dimension::dimensionless, 0, 10,
            "cycle-to-cycle spread of a pulse's step (relative standard deviation)",
            &AnalogParams::numerics, &AnalogSettings::pulse_noise),
      param("max_pulses", Dimension::dimensionless, 1, 1e6,
            "most pulses one update applies (per-sample pulse trains: the longest train, at "
            "most 64 slots)",
            &AnalogParams::numerics, &AnalogSettings::max_pulses),
      param("update_per_sample", Dimension::dimensionless, 0, 1,
            "1: each sample's update is a rank-one stochastic pulse train on the whole array "
            "(plain SGD, dense layers; Gokmen and Vlasov 2016, aihwkit's default); 0: one update "
            "per batch, the batch's summed step",
            &AnalogParams::numerics, &AnalogSettings::per_sample),
      param("tt_columns", Dimension::dimensionless, 1, 1e6,
            "--analog-update tiki-taka: columns of the fast array read and transferred onto the "
            "weights after each update",
            &AnalogParams::numerics, &AnalogSettings::tt_columns),
      param("tt_transfer_lr", Dimension::dimensionless, 0, 100,
            "--analog-update tiki-taka: the fast array's column (read from its devices' "
            "symmetry point) times this and the current learning rate is pulsed onto the weights",
            &AnalogParams::numerics, &AnalogSettings::tt_transfer_lr),
  });
  return table;
}

AnalogParams AnalogParams::from(const Preset& p) {
  AnalogParams a = analog_param_table().read(p);
  if (a.slices() > a.tile_cols)
    throw InputError("preset " + p.name() + ": a weight of " + std::to_string(a.weight_bits) +
                     " bits takes " + std::to_string(a.slices()) + " cells of " +
                     std::to_string(a.bits_per_cell) + " bits, more than the " +
                     std::to_string(a.tile_cols) + " columns of a tile");
  // What the numerics take from the organisation: a signed weight of b bits has 2^(b−1)
  // magnitudes (0 … 2^(b−1) − 1) on each device of the pair; the converters' resolutions.
  a.numerics.levels = std::max<int64_t>(2, int64_t{1} << (a.weight_bits - 1));
  a.numerics.dac_bits = static_cast<int>(a.input_bits());
  a.numerics.adc_bits = static_cast<int>(a.adc_bits);
  a.numerics.digital_backward = !a.transposed_reads && !a.backward_copy;
  a.numerics.transposed_copy = !a.transposed_reads && a.backward_copy;
  return a;
}

double AnalogParams::adc_energy_j() const {
  return adc_energy_floor_j + adc_energy_4bits_j * std::pow(4.0, static_cast<double>(adc_bits));
}

}  // namespace frugal::hw::analog
