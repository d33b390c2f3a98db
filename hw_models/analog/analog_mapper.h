#pragma once
// Maps a step onto an analog crossbar chip (plain C++; the SystemC platform times the result).
//
// Every matrix the step multiplies by (weights; the fixed feedback matrices of the forward-only
// rules) stays on tiles: K × N weights take ceil(K / tile_rows) × ceil(N / (tile_cols / slices))
// tiles, a weight of more bits than a cell holds sliced over adjacent columns; they must all fit
// at once (weight-stationary), or the step is refused naming the layer and the tiles it needs.
// Products by a placed matrix are matrix-vector products on its tiles, forward (inputs on the
// rows) or transposed (the backward pass: inputs on the columns); the tiles of a layer work in
// parallel and their partial sums are added digitally. A chip that cannot read transposed
// (transposed_reads = 0) runs the backward products on a transposed copy of the matrix on tiles
// of its own, pulsed in step with it (backward_copy = 1), or on the digital units from a digital
// copy of the weights, updated in step (backward_copy = 0). Everything else (activations, pooling,
// softmax, normalization, weight gradients, products of two activations) runs on the digital
// units. An update fires programming pulses, each on one device of a weight's pair (a weight
// sliced over cells takes them on its least significant cell): the mean pulses per weight
// measured by training, or the preset's assumption.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "algorithms/crossbar_activity.h"
#include "hw_models/analog/analog_params.h"
#include "hw_models/device.h"
#include "workloads/graph.h"

namespace frugal::hw::analog {

// One matrix held on tiles.
struct Placement {
  int tensor = -1;    // the matrix's tensor id in the step graph
  std::string layer;  // the op that first uses it
  int64_t rows = 0;   // K: inputs of the forward product
  int64_t cols = 0;   // N: outputs of the forward product
  int64_t row_tiles = 0, col_tiles = 0;
  int64_t first_tile = 0;  // index on the chip (tiles are laid out row-major on a square mesh)
  bool transposed_copy = false;  // the copy of a matrix for a chip without transposed reads
  bool fast_array = false;       // Tiki-Taka's fast array of a trained matrix
  int64_t tiles() const { return row_tiles * col_tiles; }
  int64_t devices(const AnalogParams& p) const { return rows * cols * p.slices() * 2; }
};

// What one op of the step costs on the chip.
struct StageWork {
  int resource = -1;         // placement index (crossbar and programming); -1: digital units
  bool per_sample = true;    // pipelined sample by sample; false: waits for the whole batch
  double busy_s = 0.0;       // per sample (per_sample) or for the batch
  OpCost energy;             // per step, by component (static power is added by the device)
  double writes = 0.0;       // programming pulses per device of its placement this step
  bool reads_input = false;  // the op that takes the batch in from DRAM
};

struct Mapping {
  std::vector<Placement> placements;
  std::vector<StageWork> work;  // one per op of the step
  int64_t tiles_used = 0;
  // Programming every placed matrix once, before the first step (write-verify).
  double setup_energy_j = 0.0, setup_s = 0.0, setup_writes_per_device = 0.0;
  double writes_per_device_per_step = 0.0;    // the most any device takes
  int64_t input_bytes = 0, output_bytes = 0;  // the batch in from DRAM, the outputs back
};

// The update slots a step not trained with --train is costed with: per-sample pulse trains of
// the preset's length (update_sample_slots), one per sample, and no rows pulsed one by one; mixed
// precision (`accumulator`) per sample, the preset's row slots after every sample; per batch, the
// preset's row slots (update_row_pulses) once.
struct UpdateSlots {
  double row = 0.0;    // per crossbar row and update
  double array = 0.0;  // per update, the whole array pulsed at once
};
UpdateSlots assumed_update_slots(const AnalogParams& params, bool accumulator, int64_t batch);

// The crossbar activity a step is costed with: each figure as training measured it, or, where
// it measured none (NaN), the preset's: update_pulses, the slots above, and no rereads.
algorithms::CrossbarActivity costed_activity(const algorithms::CrossbarActivity& measured,
                                             const AnalogParams& params, bool accumulator,
                                             int64_t batch);

// How the step's updates program the devices.
struct UpdatePlan {
  // What training measured (TrainingStep::crossbar): pulses per weight and update, pulse slots
  // per crossbar row (a tile pulses its rows one after another) and per whole-array pulse train,
  // and rereads; NaN for the preset's assumptions (costed_activity).
  algorithms::CrossbarActivity measured;
  // Mixed precision: every update also reads and writes each weight's digital accumulator
  // (4 bytes each way in the tile buffers) and adds and compares on the digital units.
  bool accumulator = false;
  // Tiki-Taka: every updated matrix has a fast array on tiles of its own, and each update reads
  // `transfer_columns` of its columns (one-hot reads) to transfer them onto the weights.
  bool fast_array = false;
  int64_t transfer_columns = 0;
};

// Throws InputError when the step's matrices need more tiles than the chip has.
Mapping map_step(const workloads::Graph& step, const AnalogParams& params,
                 const std::string& device_name, const UpdatePlan& updates = {});

}  // namespace frugal::hw::analog
