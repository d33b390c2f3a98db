#include "hw_models/analog/analog_mapper.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "results/core/error.h"

namespace frugal::hw::analog {
namespace {

using workloads::Op;
using workloads::OpKind;
using workloads::Tensor;
using workloads::TensorKind;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

bool is_matrix(const Tensor& t) {
  return (t.kind == TensorKind::weight || t.kind == TensorKind::feedback) &&
         t.shape.dims.size() >= 2 && t.elements > 0;
}

// The matrix a product multiplies by on the crossbar, or -1 (no MACs, a weight gradient, or a
// product of two activations: digital).
int crossbar_matrix(const workloads::Graph& g, const Op& op) {
  if (op.macs <= 0) return -1;
  switch (op.kind) {
    case OpKind::dense_grad_weight:
    case OpKind::conv2d_grad_weight:
    case OpKind::matmul:
    case OpKind::matmul_grad:
      return -1;
    default:
      break;
  }
  for (int id : op.reads)
    if (is_matrix(g.tensor(id))) return id;
  return -1;
}

// Whether a product by a placed matrix reads it forward: its reduction runs over the matrix's
// rows (inputs on the rows); else transposed (the backward pass, inputs on the columns).
bool reads_forward(const Op& op, const Placement& pl) {
  const double inner =
      static_cast<double>(op.macs) / std::max<double>(1.0, static_cast<double>(op.out.elements()));
  return std::abs(inner - static_cast<double>(pl.rows)) <=
         std::abs(inner - static_cast<double>(pl.cols));
}

struct Point {
  double x = 0, y = 0;
};

// Centre of a placement's tiles on a square mesh of `side` tiles, row-major.
Point centroid(const Placement& p, int64_t side) {
  Point c;
  for (int64_t t = p.first_tile; t < p.first_tile + p.tiles(); ++t) {
    c.x += static_cast<double>(t % side);
    c.y += static_cast<double>(t / side);
  }
  c.x /= static_cast<double>(p.tiles());
  c.y /= static_cast<double>(p.tiles());
  return c;
}

}  // namespace

UpdateSlots assumed_update_slots(const AnalogParams& p, bool accumulator, int64_t batch) {
  const auto samples = static_cast<double>(std::max<int64_t>(1, batch));
  if (!p.updates_per_sample()) return {p.update_row_pulses, 0.0};
  if (accumulator) return {p.update_row_pulses * samples, 0.0};
  return {0.0, p.update_sample_slots * samples};
}

algorithms::CrossbarActivity costed_activity(const algorithms::CrossbarActivity& measured,
                                             const AnalogParams& p, bool accumulator,
                                             int64_t batch) {
  const UpdateSlots assumed = assumed_update_slots(p, accumulator, batch);
  const auto either = [](double value, double otherwise) {
    return std::isnan(value) ? otherwise : value;
  };
  algorithms::CrossbarActivity a;
  a.pulses = either(measured.pulses, p.update_pulses);
  a.row_slots = either(measured.row_slots, assumed.row);
  a.array_slots = either(measured.array_slots, assumed.array);
  a.rereads = either(measured.rereads, 0.0);
  return a;
}

Mapping map_step(const workloads::Graph& step, const AnalogParams& p,
                 const std::string& device_name, const UpdatePlan& updates) {
  Mapping m;
  const algorithms::CrossbarActivity costed =
      costed_activity(updates.measured, p, updates.accumulator, step.batch());
  const double pulses = costed.pulses, rereads = costed.rereads;
  const auto batch = static_cast<double>(std::max<int64_t>(1, step.batch()));
  // Per-sample pulse trains form a dense layer's weight gradient in the array (the coincidences
  // of its lines' pulses): no digital product, the lines driven instead. Mixed precision per
  // sample accumulates the products digitally and pulses rows after every sample.
  const bool per_sample = p.updates_per_sample();
  const bool pulse_trains = per_sample && !updates.accumulator;
  const double accumulator_passes = per_sample ? batch : 1.0;
  const double row_slots = costed.row_slots, array_slots = costed.array_slots;
  // Place every matrix a product uses, in order of first use, and a transposed copy of each
  // that a backward product reads where the chip cannot read transposed.
  std::map<int, size_t> placed, copies, fast;  // tensor id -> placement index
  std::set<int> digital_copy;  // matrices whose backward reads a digital copy serves
  auto place = [&](int id, const std::string& layer, bool copy, bool fast_array = false) {
    const Tensor& t = step.tensor(id);
    Placement pl;
    pl.tensor = id;
    pl.layer = layer;
    pl.cols = t.shape.dims[0];
    pl.rows = t.elements / pl.cols;
    if (copy) std::swap(pl.rows, pl.cols);
    pl.transposed_copy = copy;
    pl.fast_array = fast_array;
    pl.row_tiles = ceil_div(pl.rows, p.tile_rows);
    pl.col_tiles = ceil_div(pl.cols, p.weights_per_row());
    pl.first_tile = m.tiles_used;
    m.tiles_used += pl.tiles();
    (fast_array ? fast : copy ? copies : placed).emplace(id, m.placements.size());
    m.placements.push_back(pl);
  };
  for (const Op& op : step.ops()) {
    const int id = crossbar_matrix(step, op);
    if (id < 0) continue;
    if (!placed.count(id)) place(id, op.name, false);
    const Placement& pl = m.placements[placed.at(id)];
    if (p.transposed_reads || reads_forward(op, pl)) continue;
    if (!p.backward_copy)
      digital_copy.insert(id);
    else if (!copies.count(id))
      place(id, op.name + " (transposed copy)", true);
  }
  if (updates.fast_array)
    for (const Op& op : step.ops())
      if (op.kind == OpKind::optimizer_update)
        for (int id : op.writes)
          if (placed.count(id) && !fast.count(id))
            place(id, m.placements[placed.at(id)].layer + " (fast array)", false, true);
  if (m.tiles_used > p.tiles) {
    const Placement& big = *std::max_element(
        m.placements.begin(), m.placements.end(),
        [](const Placement& a, const Placement& b) { return a.tiles() < b.tiles(); });
    throw InputError("the step's weights need " + std::to_string(m.tiles_used) + " tiles of " +
                     std::to_string(p.tile_rows) + " x " + std::to_string(p.tile_cols) +
                     " (layer " + big.layer + ", " + std::to_string(big.rows) + " x " +
                     std::to_string(big.cols) + ", alone needs " + std::to_string(big.tiles()) +
                     ") but " + device_name + " has " + std::to_string(p.tiles) +
                     "; every matrix stays on the chip: set hw.tiles, or use a smaller model");
  }
  const auto side = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(p.tiles))));
  std::vector<double> hops(m.placements.size(), 1.0);
  for (size_t i = 0; i < m.placements.size(); ++i) {
    const Point a = centroid(m.placements[i], side);
    const Point b = i + 1 < m.placements.size() ? centroid(m.placements[i + 1], side) : Point{};
    hops[i] = 1.0 + std::round(std::abs(a.x - b.x) + std::abs(a.y - b.y));
  }

  const auto phases = static_cast<double>(p.input_phases);
  const double in_bytes = std::ceil(static_cast<double>(p.input_bits()) / 8.0);
  const double slices = static_cast<double>(p.slices());
  const bool combines = (p.bit_serial && p.input_phases > 1) || p.slices() > 1;
  const double conversion_s = static_cast<double>(p.adc_bits) * p.adc_time_per_bit_s;
  const double cell_read_j = p.read_voltage_v * p.read_voltage_v * p.numerics.g_max_s *
                             p.mean_conductance * p.read_pulse_s * p.input_duty;
  std::vector<double> update_writes(m.placements.size(), 0.0);
  bool input_taken = false;
  m.work.resize(step.ops().size());
  for (size_t i = 0; i < step.ops().size(); ++i) {
    const Op& op = step.ops()[i];
    StageWork& w = m.work[i];
    OpCost& e = w.energy;
    double digital_ops = static_cast<double>(op.other_ops);
    for (int id : op.reads)
      if (!input_taken && step.tensor(id).kind == TensorKind::input) {
        w.reads_input = input_taken = true;
        m.input_bytes =
            static_cast<int64_t>(static_cast<double>(step.tensor(id).elements) * in_bytes);
      }
    const int matrix = crossbar_matrix(step, op);
    size_t k = matrix >= 0 ? placed.at(matrix) : 0;
    bool forward = matrix >= 0 && reads_forward(op, m.placements[k]);
    if (matrix >= 0 && !forward && !p.transposed_reads) {
      if (p.backward_copy) {  // read forward on the copy
        k = copies.at(matrix);
        forward = true;
      } else {  // on the digital units, the weights read from the digital copy
        const Placement& pl = m.placements[k];
        const double bytes = static_cast<double>(pl.rows * pl.cols) *
                             std::ceil(static_cast<double>(p.weight_bits) / 8.0);
        e.sram_bytes += static_cast<int64_t>(bytes);
        e.charge(Component::sram, bytes * p.buffer_energy_per_byte_j);
        digital_ops += 2.0 * static_cast<double>(op.macs);
      }
    }
    if (matrix >= 0 && (forward || p.transposed_reads)) {
      const Placement& pl = m.placements[k];
      w.resource = static_cast<int>(k);
      const auto rows = static_cast<double>(pl.rows), cols = static_cast<double>(pl.cols);
      const double mvms = static_cast<double>(op.macs) / (rows * cols) * (1.0 + rereads);
      const auto row_tiles = static_cast<double>(pl.row_tiles);
      const auto col_tiles = static_cast<double>(pl.col_tiles);
      const double inputs = forward ? rows : cols;
      const double outputs = forward ? cols : rows;
      const double dacs = forward ? rows * col_tiles : cols * slices * row_tiles;
      const double adcs = forward ? cols * slices * row_tiles : rows * col_tiles;
      const double partial_adds = forward ? (row_tiles - 1.0) * cols : (col_tiles - 1.0) * rows;
      // Per tile, the columns (forward) or rows (transposed) its ADCs convert, in rounds.
      const double converted =
          forward ? static_cast<double>(std::min(pl.cols * p.slices(), p.tile_cols))
                  : static_cast<double>(std::min(pl.rows, p.tile_rows));
      const double rounds = std::ceil(converted / static_cast<double>(p.adcs_per_tile));
      const double mvm_s = phases * (p.read_pulse_s + rounds * conversion_s);
      const double out_bytes = std::ceil(static_cast<double>(p.adc_bits) / 8.0) +
                               (partial_adds > 0 || combines ? 1.0 : 0.0);
      e.charge(Component::dac, mvms * dacs * phases * p.dac_energy_j);
      e.charge(Component::cell_read, mvms * rows * cols * slices * 2.0 * phases * cell_read_j);
      e.charge(Component::adc, mvms * adcs * phases * (p.adc_energy_j() + p.column_energy_j) +
                                   (combines ? mvms * adcs * phases * p.shift_add_energy_j : 0.0));
      digital_ops += mvms * partial_adds;
      const double buffer_bytes = mvms * (inputs * in_bytes + outputs * out_bytes);
      e.sram_bytes = static_cast<int64_t>(buffer_bytes);
      e.charge(Component::sram, buffer_bytes * p.buffer_energy_per_byte_j);
      const double noc_bytes = mvms * outputs * out_bytes;
      e.charge(Component::interconnect, noc_bytes * hops[k] * p.noc_energy_per_byte_j);
      // Double-buffered tile outputs: sending a product's results overlaps the next product.
      w.busy_s = std::max(mvms / batch * mvm_s, noc_bytes / batch / p.noc_bandwidth_bytes_per_s);
    } else if (matrix < 0 && !(pulse_trains && op.kind == OpKind::dense_grad_weight)) {
      digital_ops += 2.0 * static_cast<double>(op.macs);  // products on the digital units
    }
    if (op.kind == OpKind::optimizer_update) {
      w.per_sample = false;
      for (int id : op.writes) {
        const auto it = placed.find(id);
        if (it == placed.end()) continue;
        const Placement& pl = m.placements[it->second];
        const auto weights = static_cast<double>(pl.rows * pl.cols);
        w.resource = static_cast<int>(it->second);
        w.writes = pulses;
        update_writes[it->second] += pulses;
        e.charge(Component::cell_write, weights * pulses * p.write_energy_j);
        // A tile pulses a row at a time (its weights' pulses in parallel, as many slots as the
        // most-pulsed one), or, with pulse trains, all its rows at once; tiles in parallel.
        w.busy_s +=
            (static_cast<double>(std::min(pl.rows, p.tile_rows)) * row_slots + array_slots) *
            p.write_pulse_s;
        // Pulse trains drive every row line of every tile and every column line for each slot
        // (on the transposed copy's tiles too, below).
        const double lines = static_cast<double>(pl.rows * pl.col_tiles + pl.cols * pl.row_tiles);
        e.charge(Component::dac, array_slots * lines * p.dac_energy_j);
        if (updates.accumulator) {  // χ read and written once per update, or per sample
          const double bytes = weights * 8.0 * accumulator_passes;
          e.sram_bytes += static_cast<int64_t>(bytes);
          e.charge(Component::sram, bytes * p.buffer_energy_per_byte_j);
          digital_ops += 2.0 * weights * accumulator_passes;
        }
        // The backward pass's copy, kept in step: the same pulses on its own tiles (in parallel
        // with the original's), or the digital copy read, updated and written back.
        if (const auto copy = copies.find(id); copy != copies.end()) {
          const Placement& c = m.placements[copy->second];
          update_writes[copy->second] += pulses;
          e.charge(Component::cell_write, weights * pulses * p.write_energy_j);
          e.charge(Component::dac,
                   array_slots * static_cast<double>(c.rows * c.col_tiles + c.cols * c.row_tiles) *
                       p.dac_energy_j);
          w.busy_s = std::max(
              w.busy_s,
              (static_cast<double>(std::min(c.rows, p.tile_rows)) * row_slots + array_slots) *
                  p.write_pulse_s);
        }
        // Tiki-Taka: columns of the fast array read (one-hot inputs: each column's outputs
        // converted) before their transfer; the transfer's pulses are among the measured ones.
        if (const auto f = fast.find(id); f != fast.end() && updates.transfer_columns > 0) {
          const Placement& a = m.placements[f->second];
          const auto reads = static_cast<double>(std::min(updates.transfer_columns, a.rows));
          const double outputs = static_cast<double>(a.cols) * slices;
          e.charge(Component::dac, reads * phases * p.dac_energy_j);
          e.charge(Component::cell_read, reads * outputs * 2.0 * phases * cell_read_j);
          e.charge(Component::adc,
                   reads * outputs * phases * (p.adc_energy_j() + p.column_energy_j));
          const double rounds =
              std::ceil(static_cast<double>(std::min(a.cols * p.slices(), p.tile_cols)) /
                        static_cast<double>(p.adcs_per_tile));
          w.busy_s += reads * phases * (p.read_pulse_s + rounds * conversion_s);
        }
        if (digital_copy.count(id)) {
          const double bytes = 2.0 * weights * std::ceil(static_cast<double>(p.weight_bits) / 8.0);
          e.sram_bytes += static_cast<int64_t>(bytes);
          e.charge(Component::sram, bytes * p.buffer_energy_per_byte_j);
          digital_ops += weights;
        }
      }
    }
    e.charge(Component::compute, digital_ops * p.digital_energy_per_op_j);
    const double digital_s = digital_ops / p.digital_rate_ops;
    w.busy_s += w.per_sample ? digital_s / batch : digital_s;
  }
  if (step.output_tensor() >= 0) m.output_bytes = step.tensor(step.output_tensor()).elements * 2;
  for (StageWork& w : m.work)
    if (w.reads_input) {
      w.energy.dram_bytes = m.input_bytes + m.output_bytes;
      w.energy.charge(Component::dram,
                      static_cast<double>(w.energy.dram_bytes) * p.dram_energy_per_byte_j);
    }
  for (const Placement& pl : m.placements) {
    const auto iterations = static_cast<double>(p.write_verify_iterations);
    m.setup_energy_j += static_cast<double>(pl.devices(p)) * iterations * p.write_energy_j;
    m.setup_s = std::max(m.setup_s, static_cast<double>(std::min(pl.rows, p.tile_rows)) * 2.0 *
                                        slices * iterations * p.write_pulse_s);
    m.setup_writes_per_device = iterations;
  }
  for (double writes : update_writes)
    m.writes_per_device_per_step = std::max(m.writes_per_device_per_step, writes);
  return m;
}

}  // namespace frugal::hw::analog
