#pragma once
// Parameters of the analog crossbar device, declared once: presets are checked against these
// declarations, `frugal presets show` prints them, the cost model reads them into AnalogParams
// and the functional face into AnalogSettings (analog_numerics.h).

#include <cstdint>
#include <vector>

#include "hw_models/analog/analog_numerics.h"
#include "hw_models/param_table.h"

namespace frugal::hw::analog {

struct AnalogParams {
  // Organisation.
  int64_t tile_rows, tile_cols;  // crossbar of unit cells (one differential pair each)
  int64_t tiles;                 // on the chip
  int64_t weight_bits;           // signed weight resolution
  int64_t bits_per_cell;         // a weight of more bits is sliced over adjacent cells
  int64_t dac_bits;              // input bits per read phase
  int64_t input_phases;          // read phases per product (bit-serial inputs, or repeats)
  bool bit_serial;               // phases carry successive input bits (shift-and-add)
  int64_t adc_bits;
  int64_t adcs_per_tile;  // columns share them through a multiplexer
  // Cells.
  double read_voltage_v, read_pulse_s;
  double mean_conductance;  // average programmed device conductance, fraction of g_max
  double input_duty;        // average fraction of the read pulse an input drives
  // Periphery (energies per event, J).
  double dac_energy_j;        // one row driven for one phase
  double adc_energy_floor_j;  // E_ADC = floor + coefficient · 4^bits (Murmann survey)
  double adc_energy_4bits_j;  // the coefficient
  double adc_time_per_bit_s;  // SAR-like: a conversion takes bits × this
  double column_energy_j;     // sample-and-hold / integrator per column read-out per phase
  double shift_add_energy_j;  // per conversion combined across phases or slices
  double buffer_energy_per_byte_j;
  double noc_energy_per_byte_j;  // per hop
  double noc_bandwidth_bytes_per_s;
  double digital_energy_per_op_j;  // activations, pooling, softmax, partial sums, updates
  double digital_rate_ops;         // OP/s of the chip's digital units
  double dram_energy_per_byte_j, dram_bandwidth_bytes_per_s;
  double tile_static_power_w;  // per tile holding weights (bias currents, leakage, clocks)
  double chip_static_power_w;
  bool power_gating;  // a tile draws tile_static_power only while busy (else the whole step)
  // The backward pass's Wᵀδ: read transposed on the same tiles (transposed_reads), else on a
  // transposed copy on tiles of its own, programmed and pulsed in step (backward_copy), else on
  // the digital units from a digital copy of the weights.
  bool transposed_reads;
  bool backward_copy;
  // Programming.
  double write_energy_j;  // per pulse and device
  double write_pulse_s;
  int64_t write_verify_iterations;  // pulses (each with a verify read) to program a device
  double update_pulses;             // mean pulses per weight and training update (without --train)
  double update_row_pulses;         // pulse slots a crossbar row takes per update (without --train)
  // With per-sample updates: the pulse slots of one sample's pulse train (without --train).
  double update_sample_slots;
  double endurance;  // writes a device survives
  // The functional face: conductance range, ADC bound, noise, drift and pulsed updates, read
  // from the preset; levels and converter bits follow from the organisation above.
  AnalogSettings numerics;

  static AnalogParams from(const Preset& preset);
  int64_t slices() const { return (weight_bits + bits_per_cell - 1) / bits_per_cell; }
  // Weights one tile holds along its columns (each weight takes slices() cells).
  int64_t weights_per_row() const { return tile_cols / slices(); }
  // Energy of one ADC conversion at adc_bits.
  double adc_energy_j() const;
  // Effective input resolution of the DAC path.
  int64_t input_bits() const { return bit_serial ? dac_bits * input_phases : dac_bits; }
  // Training on the chip updates sample by sample (update_per_sample, with pulsed updates).
  bool updates_per_sample() const { return numerics.per_sample && numerics.pulsed_updates; }
};

// The kind's parameters: preset keys, units, ranges, descriptions and the members they fill.
const ParamTable<AnalogParams>& analog_param_table();

}  // namespace frugal::hw::analog
