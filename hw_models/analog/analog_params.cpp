#include "hw_models/analog/analog_params.h"

#include <algorithm>
#include <cmath>

#include "results/error.h"

namespace frugal::hw::analog {

using units::Dimension;

const std::vector<ParamSpec>& analog_param_specs() {
  static const std::vector<ParamSpec> specs = {
      {"tile_rows", Dimension::dimensionless, 1, 65536,
       "crossbar rows per tile (inputs; one DAC each)", true},
      {"tile_cols", Dimension::dimensionless, 1, 65536,
       "crossbar columns per tile (unit cells of one differential pair)", true},
      {"tiles", Dimension::dimensionless, 1, 1e7,
       "tiles on the chip: every weight matrix of the step must fit at once", true},
      {"weight_bits", Dimension::dimensionless, 1, 16, "signed weight resolution", true},
      {"bits_per_cell", Dimension::dimensionless, 1, 16,
       "bits one unit cell holds; wider weights are sliced over adjacent columns", true},
      {"dac_bits", Dimension::dimensionless, 1, 16, "input bits per read phase", true},
      {"input_phases", Dimension::dimensionless, 1, 64,
       "read phases per matrix-vector product (bit-serial inputs, or repeated reads)", true},
      {"bit_serial", Dimension::dimensionless, 0, 1,
       "1: the phases carry successive input bits, combined by shift-and-add (inputs of "
       "dac_bits x input_phases bits); 0: repeated full reads",
       true},
      {"adc_bits", Dimension::dimensionless, 1, 16, "ADC resolution", true},
      {"adcs_per_tile", Dimension::dimensionless, 1, 65536,
       "ADCs per tile, shared by the columns through a multiplexer", true},
      {"output_bound", Dimension::dimensionless, 0.01, 1e6,
       "ADC range in units of a full-scale input times the largest weight"},
      {"g_max", Dimension::conductance, 1e-9, 1e-2, "largest device conductance"},
      {"read_voltage", Dimension::voltage, 0.001, 5, "read voltage across a cell"},
      {"read_pulse", Dimension::time, 1e-12, 1e-3, "read pulse per phase"},
      {"mean_conductance", Dimension::dimensionless, 0, 1,
       "average programmed device conductance, as a fraction of g_max"},
      {"input_duty", Dimension::dimensionless, 0, 1,
       "average fraction of the read pulse an input drives (pulse-width or bit density)"},
      {"dac_energy", Dimension::energy, 0, 1e-9, "energy to drive one row for one phase"},
      {"adc_energy_floor", Dimension::energy, 0, 1e-9,
       "ADC energy per conversion at low resolution (E = floor + coefficient x 4^bits)"},
      {"adc_energy_4bits", Dimension::energy, 0, 1e-12,
       "coefficient of the ADC energy term that quadruples per bit"},
      {"adc_time_per_bit", Dimension::time, 1e-13, 1e-6,
       "ADC conversion time per bit (a conversion takes adc_bits x this)"},
      {"column_energy", Dimension::energy, 0, 1e-9,
       "per column read-out and phase: sampling and integration before the ADC"},
      {"shift_add_energy", Dimension::energy, 0, 1e-9,
       "per conversion combined across phases or weight slices"},
      {"buffer_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
       "tile buffers: inputs read, outputs written"},
      {"noc_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
       "on-chip network, per byte and hop"},
      {"noc_bandwidth", Dimension::bandwidth, 1e6, 1e14, "on-chip network bandwidth per link"},
      {"digital_energy_per_op", Dimension::energy, 0, 1e-9,
       "digital units: one operation of activations, pooling, softmax, partial sums, "
       "weight gradients"},
      {"digital_rate", Dimension::op_rate, 1e6, 1e17, "the chip's digital throughput"},
      {"dram_energy_per_byte", Dimension::energy_per_byte, 0, 1e-9,
       "off-chip memory: inputs in, outputs out"},
      {"dram_bandwidth", Dimension::bandwidth, 1e6, 1e14, "off-chip memory bandwidth"},
      {"tile_static_power", Dimension::power, 0, 100,
       "power of each tile holding weights while the chip runs (bias currents, leakage, "
       "clocks)"},
      {"chip_static_power", Dimension::power, 0, 1000, "the rest of the chip's static power"},
      {"write_energy", Dimension::energy, 0, 1e-6, "one programming pulse on one device"},
      {"write_pulse", Dimension::time, 1e-12, 1e-3, "one programming pulse with its verify read"},
      {"write_verify_iterations", Dimension::dimensionless, 1, 1000,
       "pulses (each verified) to program a device to its target", true},
      {"update_pulses", Dimension::dimensionless, 0, 1000,
       "mean pulses a device takes per training update"},
      {"endurance", Dimension::dimensionless, 1, 1e18, "writes a device survives"},
      {"prog_noise_scale", Dimension::dimensionless, 0, 100,
       "scale of the programming noise of the PCM statistical model (0: off)"},
      {"read_noise_scale", Dimension::dimensionless, 0, 100, "scale of the 1/f read noise"},
      {"drift_scale", Dimension::dimensionless, 0, 100, "scale of the conductance drift"},
      {"drift_compensation", Dimension::dimensionless, 0, 1,
       "1: global drift compensation rescales outputs by a reference read", true},
      {"stuck_rate", Dimension::dimensionless, 0, 1,
       "fraction of devices stuck (half at 0, half at g_max)"},
      {"drift_t0", Dimension::time, 1e-9, 1e6, "drift reference time t0"},
      {"noise_t_read", Dimension::time, 1e-12, 1, "read time of the 1/f noise model"},
      {"pulsed_updates", Dimension::dimensionless, 0, 1,
       "1: training on the device applies updates as pulses (bounded, asymmetric, noisy); 0: "
       "ideal reprogramming",
       true},
      {"dw_min", Dimension::dimensionless, 1e-6, 1,
       "conductance step of one pulse, as a fraction of g_max (near G = 0)"},
      {"up_down", Dimension::dimensionless, -1, 1,
       "asymmetry: up pulses are (1 + up_down), down pulses (1 - up_down) times dw_min"},
      {"pulse_noise", Dimension::dimensionless, 0, 10,
       "cycle-to-cycle spread of a pulse's step (relative standard deviation)"},
      {"max_pulses", Dimension::dimensionless, 1, 1e6, "most pulses one update applies", true},
  };
  return specs;
}

AnalogParams AnalogParams::from(const Preset& p) {
  const auto count = [&](const char* key) { return static_cast<int64_t>(p.get(key)); };
  AnalogParams a{};
  a.tile_rows = count("tile_rows");
  a.tile_cols = count("tile_cols");
  a.tiles = count("tiles");
  a.weight_bits = count("weight_bits");
  a.bits_per_cell = count("bits_per_cell");
  a.dac_bits = count("dac_bits");
  a.input_phases = count("input_phases");
  a.bit_serial = count("bit_serial") != 0;
  a.adc_bits = count("adc_bits");
  a.adcs_per_tile = count("adcs_per_tile");
  a.output_bound = p.get("output_bound");
  a.g_max_s = p.get("g_max");
  a.read_voltage_v = p.get("read_voltage");
  a.read_pulse_s = p.get("read_pulse");
  a.mean_conductance = p.get("mean_conductance");
  a.input_duty = p.get("input_duty");
  a.dac_energy_j = p.get("dac_energy");
  a.adc_energy_floor_j = p.get("adc_energy_floor");
  a.adc_energy_4bits_j = p.get("adc_energy_4bits");
  a.adc_time_per_bit_s = p.get("adc_time_per_bit");
  a.column_energy_j = p.get("column_energy");
  a.shift_add_energy_j = p.get("shift_add_energy");
  a.buffer_energy_per_byte_j = p.get("buffer_energy_per_byte");
  a.noc_energy_per_byte_j = p.get("noc_energy_per_byte");
  a.noc_bandwidth_bytes_per_s = p.get("noc_bandwidth");
  a.digital_energy_per_op_j = p.get("digital_energy_per_op");
  a.digital_rate_ops = p.get("digital_rate");
  a.dram_energy_per_byte_j = p.get("dram_energy_per_byte");
  a.dram_bandwidth_bytes_per_s = p.get("dram_bandwidth");
  a.tile_static_power_w = p.get("tile_static_power");
  a.chip_static_power_w = p.get("chip_static_power");
  a.write_energy_j = p.get("write_energy");
  a.write_pulse_s = p.get("write_pulse");
  a.write_verify_iterations = count("write_verify_iterations");
  a.update_pulses = p.get("update_pulses");
  a.endurance = p.get("endurance");
  a.prog_noise_scale = p.get("prog_noise_scale");
  a.read_noise_scale = p.get("read_noise_scale");
  a.drift_scale = p.get("drift_scale");
  a.drift_compensation = count("drift_compensation") != 0;
  a.stuck_rate = p.get("stuck_rate");
  a.t0_s = p.get("drift_t0");
  a.t_read_s = p.get("noise_t_read");
  a.pulsed_updates = count("pulsed_updates") != 0;
  a.dw_min = p.get("dw_min");
  a.up_down = p.get("up_down");
  a.pulse_noise = p.get("pulse_noise");
  a.max_pulses = count("max_pulses");
  if (a.slices() > a.tile_cols)
    throw InputError("preset " + p.name() + ": a weight of " + std::to_string(a.weight_bits) +
                     " bits takes " + std::to_string(a.slices()) + " cells of " +
                     std::to_string(a.bits_per_cell) + " bits, more than the " +
                     std::to_string(a.tile_cols) + " columns of a tile");
  return a;
}

double AnalogParams::adc_energy_j() const {
  return adc_energy_floor_j + adc_energy_4bits_j * std::pow(4.0, static_cast<double>(adc_bits));
}

AnalogSettings AnalogParams::settings() const {
  AnalogSettings s;
  s.g_max_s = g_max_s;
  // A signed weight of b bits: 2^(b−1) magnitudes (0 … 2^(b−1) − 1) on each device of the pair.
  s.levels = std::max<int64_t>(2, int64_t{1} << (weight_bits - 1));
  s.dac_bits = static_cast<int>(input_bits());
  s.adc_bits = static_cast<int>(adc_bits);
  s.output_bound = output_bound;
  s.prog_noise_scale = prog_noise_scale;
  s.read_noise_scale = read_noise_scale;
  s.drift_scale = drift_scale;
  s.drift_compensation = drift_compensation;
  s.stuck_rate = stuck_rate;
  s.t0_s = t0_s;
  s.t_read_s = t_read_s;
  s.pulsed_updates = pulsed_updates;
  s.dw_min = dw_min;
  s.up_down = up_down;
  s.pulse_noise = pulse_noise;
  s.max_pulses = max_pulses;
  return s;
}

}  // namespace frugal::hw::analog
