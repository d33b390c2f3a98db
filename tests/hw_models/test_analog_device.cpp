// The analog crossbar device's cost face: mapping, energies by hand, the pipeline, the published
// HERMES efficiency, programming and wear, and bad input.

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "hw_models/analog/analog_mapper.h"
#include "hw_models/analog/analog_params.h"
#include "results/core/error.h"
#include "tests/hw_models/steps.h"

using namespace frugal;
using namespace frugal::hw;
using testing::simulate;
using testing::step_of;

namespace {

size_t op_index(const algorithms::TrainingStep& step, const std::string& name) {
  const auto& ops = step.graph.ops();
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].name == name) return i;
  FAIL("no op " << name);
  return 0;
}

double component(const OpCost& c, Component k) { return c.energy_j[static_cast<size_t>(k)]; }

}  // namespace

TEST_CASE("A one-tile layer costs its DACs, cells and ADCs as computed by hand",
          "[quick][hw][analog]") {
  // 200 inputs x 100 outputs on one 256 x 256 tile of analog:pcm, 4 samples: 4 products.
  const auto step = step_of("inference", "mlp:200-100", 4, "fp32");
  const Cost cost = simulate("analog:pcm", step);
  const OpCost& fc = cost.ops[op_index(step, "fc1")];
  const double mvms = 4;
  // Each product drives 200 rows once (8-bit pulse-width inputs, one phase), 0.42 pJ each.
  CHECK(component(fc, Component::dac) == Approx(mvms * 200 * 0.42e-12));
  // Every device of the 200 x 100 pairs: V^2 G t = 0.2^2 x (0.25 x 25 uS) x 100 ns x 0.25 duty.
  CHECK(component(fc, Component::cell_read) ==
        Approx(mvms * 200 * 100 * 2 * 0.04 * 0.25 * 25e-6 * 100e-9 * 0.25));
  // 100 conversions of 8 bits: 0.267 pJ + 1.45e-7 pJ x 4^8.
  CHECK(component(fc, Component::adc) == Approx(mvms * 100 * (0.267e-12 + 1.45e-19 * 65536)));
  // A product: the 100 ns read, then one round of 8-bit conversions at 4 ns a bit.
  CHECK(fc.latency_s >= mvms * 132e-9);
  CHECK(fc.latency_s < mvms * 132e-9 * 1.1);
  // The parts sum to the total, static power over the step included.
  double ops_total = 0;
  for (const OpCost& c : cost.ops) ops_total += c.energy_total_j();
  CHECK(ops_total == Approx(cost.ledger.total()).epsilon(1e-12));
  CHECK(cost.ledger.component(Component::static_power) ==
        Approx(1 * 90e-3 * cost.latency_s).epsilon(1e-9));  // one tile holds weights
}

TEST_CASE("Weights wider than a cell are sliced over columns; too many tiles is an error",
          "[quick][hw][analog]") {
  const analog::AnalogParams rram = analog::AnalogParams::from(find_preset("analog:rram"));
  REQUIRE(rram.slices() == 4);  // 8-bit weights, 2 bits per cell
  const auto step = step_of("inference", "mlp:128-128", 1, "fp32");
  const analog::Mapping m = analog::map_step(step.graph, rram, "analog:rram");
  REQUIRE(m.placements.size() == 1);
  CHECK(m.placements[0].row_tiles == 1);
  CHECK(m.placements[0].col_tiles == 4);  // 128 weights x 4 cells over 128-column tiles
  CHECK(m.tiles_used == 4);
  // Bit-serial inputs: 8 phases, each converting 512 columns (5-bit ADCs).
  const OpCost& fc = m.work[op_index(step, "fc1")].energy;
  CHECK(component(fc, Component::adc) ==
        Approx(128 * 4 * 8 * (rram.adc_energy_j() + rram.shift_add_energy_j)));
  // 784 x 4096 needs 4 x 16 = 64 tiles of 256 x 256, the next layer 16: 80 > 64.
  const auto big = step_of("inference", "mlp:784-4096-10", 1, "fp32");
  CHECK_THROWS_WITH(
      simulate("analog:pcm", big),
      Catch::Contains("the step's weights need 80 tiles of 256 x 256 (layer fc1, 784 x 4096, "
                      "alone needs 64) but analog:pcm has 64"));
}

TEST_CASE("Layers on different tiles pipeline the batch", "[quick][hw][analog]") {
  const auto step = step_of("inference", "mlp:784-256-128-10", 64, "fp32");
  const Cost one = simulate("analog:pcm", step_of("inference", "mlp:784-256-128-10", 1, "fp32"));
  const Cost batch = simulate("analog:pcm", step);
  // Sample by sample the layers overlap: 64 samples take well under 64 single passes, and at
  // least 64 passes of the slowest layer.
  double slowest = 0;
  for (const OpCost& c : one.ops) slowest = std::max(slowest, c.latency_s);
  CHECK(batch.latency_s < 0.6 * 64 * one.latency_s);
  CHECK(batch.latency_s >= 64 * slowest * (1 - 1e-9));
}

TEST_CASE("analog:pcm on a large fully connected workload lands in HERMES's TOPS/W range",
          "[quick][hw][analog]") {
  // Four 1024 x 1024 layers fill the 64 tiles; a batch of 1024 keeps them all busy.
  const auto step = step_of("inference", "mlp:1024-1024-1024-1024-1024", 1024, "fp32");
  const double ops = 2.0 * static_cast<double>(step.graph.macs());
  const Cost one_phase = simulate("analog:pcm", step);
  const double tops_per_w = ops / one_phase.ledger.total() / 1e12;
  INFO("one phase: " << tops_per_w << " TOPS/W");
  // Le Gallo et al. 2023: 2.48 (four-phase) to 9.76 TOPS/W (one-phase), 8-bit inputs/outputs.
  CHECK(tops_per_w >= 2.5);
  CHECK(tops_per_w <= 10.0);
  // tile_static_power is derived from the one-phase figure (presets/analog-pcm.ini), so that one
  // is a consistency check; the four-phase one follows from the model.
  CHECK(tops_per_w == Approx(9.76).epsilon(0.25));
  Preset four = find_preset("analog:pcm");
  four.set("input_phases", "4");
  const double four_phase = ops / simulate(four, step).ledger.total() / 1e12;
  INFO("four phases: " << four_phase << " TOPS/W");
  CHECK(four_phase == Approx(2.48).epsilon(0.25));
}

TEST_CASE("Programming is charged once; training updates wear the devices", "[quick][hw][analog]") {
  const auto inference = step_of("inference", "mlp:784-256-128-10", 64, "fp32");
  const Cost infer = simulate("analog:pcm", inference);
  const double devices = 2.0 * (784 * 256 + 256 * 128 + 128 * 10);
  // Write-verify: 20 pulses of 10 pJ on every device, outside the step's ledger.
  CHECK(infer.setup_energy_j == Approx(devices * 20 * 10e-12));
  CHECK(infer.setup_writes_per_device == 20);
  CHECK(infer.writes_per_device_per_step == 0);
  CHECK(infer.ledger.component(Component::cell_write) == 0);
  // Updates: the preset's assumed pulses per weight, each on one device of the pair.
  const double weights = devices / 2;
  auto training = step_of("bp", "mlp:784-256-128-10", 64, "fp32");
  const Cost train = simulate("analog:pcm", training);
  CHECK(train.writes_per_device_per_step == 0.22);  // update_pulses
  CHECK(train.ledger.component(Component::cell_write) == Approx(weights * 0.22 * 10e-12));
  CHECK(train.endurance == 1e8);
  // Pulses measured by training replace the assumption: energy, wear and the rows' time.
  training.crossbar.pulses = 0.5;
  const Cost measured = simulate("analog:pcm", training);
  CHECK(measured.writes_per_device_per_step == 0.5);
  CHECK(measured.ledger.component(Component::cell_write) == Approx(weights * 0.5 * 10e-12));
  // The time is the rows' pulse slots: fc1's 784 rows on 256-row tiles, 256 rows pulsed one
  // after another, each for as many 1 us slots as its most-pulsed weight.
  const size_t fc1 = op_index(training, "fc1.update");
  CHECK(measured.ops[fc1].latency_s == Approx(train.ops[fc1].latency_s));
  training.crossbar.row_slots = 2.5;
  const double row_pulses = analog::AnalogParams::from(find_preset("analog:pcm")).update_row_pulses;
  CHECK(simulate("analog:pcm", training).ops[fc1].latency_s ==
        Approx(train.ops[fc1].latency_s + 256 * (2.5 - row_pulses) * 1e-6));
  // Mixed precision also reads and writes each weight's 4-byte accumulator and adds twice.
  training.analog_update = "mixed-precision";
  const Cost mixed = simulate("analog:pcm", training);
  CHECK(mixed.ledger.component(Component::cell_write) ==
        Approx(measured.ledger.component(Component::cell_write)));
  CHECK(component(mixed.ops[fc1], Component::sram) -
            component(measured.ops[fc1], Component::sram) ==
        Approx(784 * 256 * 8 * 0.64e-12));
  CHECK(component(mixed.ops[fc1], Component::compute) -
            component(measured.ops[fc1], Component::compute) ==
        Approx(784 * 256 * 2 * 0.1e-12));
  // Per-sample pulse trains: the update takes the trains' slots, the whole array at once; the
  // weight gradient is formed in the array, so no digital product, and the lines are driven.
  Preset per_sample = find_preset("analog:pcm");
  per_sample.set("update_per_sample", "1");
  auto sgd = step_of("bp", "mlp:784-256-128-10", 64, "fp32", "sgd");
  sgd.crossbar.pulses = 0.5;
  sgd.crossbar.row_slots = 0.0;
  sgd.crossbar.array_slots = 40.0;
  const Cost trains = simulate(per_sample, sgd);
  const Cost batched = simulate("analog:pcm", sgd);
  // 40 slots of 1 us (beside the biases' update on the digital units, 25 ns).
  CHECK(trains.ops[fc1].latency_s == Approx(40.0 * 1e-6).epsilon(1e-3));
  CHECK(trains.ledger.component(Component::cell_write) ==
        Approx(measured.ledger.component(Component::cell_write)));
  // Every line driven for every slot: fc1's 784 rows on one column of tiles, its 256 columns on
  // four rows of tiles (256-row tiles), at 0.42 pJ a drive.
  CHECK(component(trains.ops[fc1], Component::dac) == Approx(40.0 * (784 + 256 * 4) * 0.42e-12));
  const size_t grad = op_index(sgd, "fc1.grad_weight");
  CHECK(component(batched.ops[grad], Component::compute) -
            component(trains.ops[grad], Component::compute) ==
        Approx(2.0 * 784 * 256 * 64 * 0.1e-12));
  // Not trained: the preset's train length for every sample of the batch.
  sgd.crossbar.pulses = sgd.crossbar.row_slots = sgd.crossbar.array_slots =
      std::numeric_limits<double>::quiet_NaN();
  const double length = analog::AnalogParams::from(per_sample).update_sample_slots;
  CHECK(simulate(per_sample, sgd).ops[fc1].latency_s == Approx(64 * length * 1e-6).epsilon(1e-3));
  // Mixed precision per sample pulses rows after every sample: the preset's row slots, 64 times.
  sgd.analog_update = "mixed-precision";
  CHECK(simulate(per_sample, sgd).ops[fc1].latency_s ==
        Approx(64 * 256 * row_pulses * 1e-6).epsilon(1e-3));
  // Momentum keeps state across samples; pepita's step and a convolution's are not the product
  // of an error and an input per sample: refused, trained or not.
  CHECK_THROWS_WITH(simulate(per_sample, training), Catch::Contains("--optimizer sgd"));
  CHECK_THROWS_WITH(
      simulate(per_sample, step_of("pepita", "mlp:784-256-128-10", 64, "fp32", "sgd")),
      Catch::Contains("pepita does not"));
  CHECK_THROWS_WITH(simulate(per_sample, step_of("bp", "cnn-fmnist", 64, "fp32", "sgd")),
                    Catch::Contains("is a convolution"));
  // Without pulsed updates (ideal reprogramming) the parameter changes nothing.
  per_sample.set("pulsed_updates", "0");
  sgd.analog_update = "sgd";
  CHECK(simulate(per_sample, sgd).ops[fc1].latency_s ==
        Approx(simulate("analog:pcm", sgd).ops[fc1].latency_s));
}

TEST_CASE("Fewer ADC bits cost less energy on the chip", "[quick][hw][analog]") {
  const auto step = step_of("inference", "mlp:784-256-128-10", 64, "fp32");
  Preset four_bits = find_preset("analog:pcm");
  four_bits.set("adc_bits", "4");
  const Cost eight = simulate("analog:pcm", step);
  const Cost four = simulate(four_bits, step);
  CHECK(four.ledger.component(Component::adc) < eight.ledger.component(Component::adc));
  CHECK(four.latency_s < eight.latency_s);  // shorter conversions
  CHECK(four.ledger.total() < eight.ledger.total());
}

TEST_CASE("Analog bad input: tile size, converter bits, precision", "[quick][hw][analog]") {
  Preset p = find_preset("analog:pcm");
  CHECK_THROWS_AS(p.set("tile_rows", "0"), InputError);
  CHECK_THROWS_AS(p.set("tile_cols", "-4"), InputError);
  CHECK_THROWS_AS(p.set("adc_bits", "20"), InputError);
  CHECK_THROWS_AS(p.set("dac_bits", "0"), InputError);
  auto step = step_of("inference", "mlp:784-10", 1, "bf16");
  CHECK_THROWS_WITH(simulate("analog:pcm", step),
                    Catch::Contains("--precision is for digital devices"));
}

TEST_CASE("Without transposed reads bp pays for a copy or the digital units; dfa does not",
          "[quick][hw][analog]") {
  const auto bp = step_of("bp", "mlp:784-256-128-10", 64, "fp32");
  const auto dfa = step_of("dfa", "mlp:784-256-128-10", 64, "fp32");
  Preset pcm = find_preset("analog:pcm");
  const analog::AnalogParams reads = analog::AnalogParams::from(pcm);
  const analog::Mapping same_tiles = analog::map_step(bp.graph, reads, "analog:pcm");
  Preset no_transpose = pcm;
  no_transpose.set("transposed_reads", "0", "test");
  const analog::AnalogParams copy = analog::AnalogParams::from(no_transpose);
  const analog::Mapping copied = analog::map_step(bp.graph, copy, "analog:pcm");
  // bp reads fc2's and fc3's weights transposed (fc1's backward product is not needed): their
  // copies are 128 x 256 (one tile) and 10 x 128 (one tile).
  CHECK(same_tiles.tiles_used == 4 + 1 + 1);
  CHECK(copied.tiles_used == 6 + 2);
  REQUIRE(copied.placements.size() == 5);
  CHECK(copied.placements[3].transposed_copy);
  // The copies are pulsed in step: fc2's update writes twice its weights' pulses.
  const size_t update = op_index(bp, "fc2.update");
  CHECK(component(copied.work[update].energy, Component::cell_write) ==
        Approx(2 * component(same_tiles.work[update].energy, Component::cell_write)));
  CHECK(copied.setup_energy_j > same_tiles.setup_energy_j);
  // Digital backward: fc2's backward product converts nothing; the digital units do 2 ops per
  // MAC and read the 8-bit weights once from the buffers.
  no_transpose.set("backward_copy", "0", "test");
  const analog::AnalogParams digital = analog::AnalogParams::from(no_transpose);
  const analog::Mapping on_digital = analog::map_step(bp.graph, digital, "analog:pcm");
  CHECK(on_digital.tiles_used == 6);
  size_t backward = 0;
  for (size_t i = 0; i < bp.graph.ops().size(); ++i)
    if (bp.graph.ops()[i].kind == workloads::OpKind::dense_grad_input &&
        bp.graph.ops()[i].layer == bp.graph.ops()[op_index(bp, "fc2")].layer)
      backward = i;
  REQUIRE(backward > 0);
  const OpCost& read = on_digital.work[backward].energy;
  CHECK(component(read, Component::adc) == 0);
  CHECK(component(read, Component::dac) == 0);
  const auto macs = static_cast<double>(bp.graph.ops()[backward].macs);
  CHECK(component(read, Component::compute) >= 2 * macs * 0.1e-12);
  CHECK(component(read, Component::sram) == Approx(256 * 128 * 0.64e-12));
  // dfa reads no matrix transposed: the switch changes nothing.
  CHECK(simulate(no_transpose, dfa).ledger.total() == Approx(simulate(pcm, dfa).ledger.total()));
}

TEST_CASE("Power-gated tiles draw static power only while they work", "[quick][hw][analog]") {
  const auto bp = step_of("bp", "mlp:784-256-128-10", 64, "fp32");
  Preset pcm = find_preset("analog:pcm");
  const Cost always = simulate(pcm, bp);
  pcm.set("power_gating", "1", "test");
  const Cost gated = simulate(pcm, bp);
  const double on = always.ledger.component(Component::static_power);
  const double off = gated.ledger.component(Component::static_power);
  // Six tiles at 90 mW for the whole step, against each tile's busy time.
  CHECK(on == Approx(6 * 0.09 * always.latency_s));
  CHECK(off < on);
  CHECK(off > 0);
  CHECK(gated.latency_s == Approx(always.latency_s));
  CHECK(gated.ledger.total() - off == Approx(always.ledger.total() - on));
}

TEST_CASE("Reads that bound management repeated are charged", "[quick][hw][analog]") {
  auto step = step_of("bp", "mlp:784-256-128-10", 64, "fp32");
  const Cost plain = simulate("analog:pcm", step);
  step.crossbar.rereads = 0.25;  // a quarter of the reads read again
  const Cost reread = simulate("analog:pcm", step);
  for (Component c : {Component::dac, Component::adc, Component::cell_read})
    CHECK(reread.ledger.component(c) == Approx(1.25 * plain.ledger.component(c)));
}

TEST_CASE("Tiki-Taka's fast arrays take tiles of their own and their columns are read",
          "[quick][hw][analog]") {
  auto step = step_of("bp", "mlp:784-256-128-10", 64, "fp32");
  const analog::AnalogParams pcm = analog::AnalogParams::from(find_preset("analog:pcm"));
  analog::UpdatePlan plan;
  plan.fast_array = true;
  plan.transfer_columns = 1;
  const analog::Mapping tt = analog::map_step(step.graph, pcm, "analog:pcm", plan);
  CHECK(tt.tiles_used == 2 * 6);  // a fast array beside each of the three weight matrices
  const analog::Mapping plain = analog::map_step(step.graph, pcm, "analog:pcm");
  const size_t update = op_index(step, "fc2.update");
  // One column of fc2's fast array read: its 128 outputs converted.
  CHECK(component(tt.work[update].energy, Component::adc) -
            component(plain.work[update].energy, Component::adc) ==
        Approx(128 * (pcm.adc_energy_j() + pcm.column_energy_j)));
}

TEST_CASE("Per-sample pulse trains need a rule whose step is an error times an input",
          "[quick][hw][analog]") {
  // The rules declare it (RuleInfo::rank_one_updates); their learners give the two factors.
  for (const std::string rule : {"bp", "fa", "dfa", "drtp"})
    CHECK(algorithms::rule_info(rule).rank_one_updates);
  for (const std::string rule : {"pepita", "mempepita", "ff", "inference"})
    CHECK_FALSE(algorithms::rule_info(rule).rank_one_updates);
  Preset per_sample = find_preset("analog:pcm");
  per_sample.set("update_per_sample", "1");
  CHECK_NOTHROW(simulate(per_sample, step_of("drtp", "mlp:784-256-128-10", 8, "fp32", "sgd")));
  CHECK_THROWS_WITH(
      simulate(per_sample, step_of("pepita", "mlp:784-256-128-10", 8, "fp32", "sgd")),
      Catch::Contains("the product of a layer's error and its input: bp, dfa, drtp and fa give "
                      "it, pepita does not"));
}
