#!/usr/bin/env bash
# The flagship study end to end, reduced (one epoch on 600 training and 300 test images; the
# cost-only parts whole): frugal sweep over studies/flagship.ini, then
# studies/flagship.py's summary and plots, and the example notebook. Checks the file's parts,
# tables and numbers, the summary's lines, that the five plots were written, and that the
# notebook ran on the file showing every scenario.
#
# usage: test_flagship.sh FRUGAL_EXE SOURCE_DIR
set -euo pipefail

name=test_flagship
. "$(dirname "$0")/study_lib.sh"

"$frugal" sweep --config "$source_dir/studies/flagship.ini" --epochs 1 --train-subset 600 \
  --test-subset 300 --jobs 2 --quiet --out "$work/flagship.h5" || fail "the sweep failed"
"$py" "$source_dir/studies/flagship.py" "$work/flagship.h5" --plots "$work/plots" \
  >"$work/summary.txt" || fail "flagship.py failed"

"$py" - "$work/flagship.h5" "$work/summary.txt" <<'PYEOF' || fail "the study's results are wrong"
import sys
import h5py
import numpy as np

f = h5py.File(sys.argv[1])
s = f["scenarios"]
text = lambda c: [v.decode() for v in s[c][:]]
parts, rules, hws, status = text("part"), text("rule"), text("hw"), text("status")
assert all(x == "ok" for x in status), status
count = {p: parts.count(p) for p in set(parts)}
assert count == {"mlp": 10, "cnn": 3, "analog-train": 2, "spiking-train": 3, "analog-switches": 12, "deploy": 2,
                 "deploy-spiking": 8, "deploy-analog": 2, "lifetime": 1, "large-model": 7}, count
n = len(parts)
acc, energy = s["accuracy"][:], s["energy_j"][:]
assert np.all(np.isfinite(energy)) and np.all(energy > 0)
trained = [i for i in range(n) if parts[i] not in ("lifetime", "large-model", "analog-switches")]
assert all(0 < acc[i] <= 1 for i in trained), acc
# Every rule on the CPU and the GPU, and only where meaningful.
mlp = [(rules[i], hws[i]) for i in range(n) if parts[i] == "mlp"]
for rule in ("bp", "fa", "dfa", "pepita", "ff"):
    assert (rule, "cpu:xeon-8380") in mlp and (rule, "gpu:a100-80gb") in mlp, mlp
assert sorted(rules[i] for i in range(n) if parts[i] == "spiking-train") == ["bp", "dfa", "drtp"]
assert all(rules[i] == "inference" for i in range(n) if hws[i] == "neuro:loihi" and parts[i] != "spiking-train")
assert not any(rules[i] in ("pepita", "ff") for i in range(n) if parts[i] == "cnn")
# The algorithmic factor: bp's own is 1, fa costs as bp, forward-only rules more on a CPU.
r2bp = s["rule_to_bp"][:]
for i in range(n):
    if parts[i] == "mlp" and rules[i] == "bp":
        assert r2bp[i] == 1
    if parts[i] == "mlp" and rules[i] in ("pepita", "ff") and hws[i] == "cpu:xeon-8380":
        assert r2bp[i] > 1.2, (rules[i], r2bp[i])
# Energy parts sum to the step's energy.
comps = [k for k in s.keys() if k.startswith("energy_") and k.endswith("_j") and k[7:-2] in (
    "compute", "sram", "dram", "interconnect", "dac", "adc", "cell_read", "cell_write",
    "neuron_update", "spike_route", "static", "host")]
total = sum(np.nan_to_num(s[k][:]) for k in comps)
assert np.allclose(total, energy, rtol=1e-9), (total, energy)
# The analog switches: a transposed copy costs bp more while idle tiles stay powered; gating
# saves static energy; dfa, whose updates fire fewer pulses, takes less than bp in each.
sw = [i for i in range(n) if parts[i] == "analog-switches"]
col = lambda c: s[c][:]
def sw_energy(rule, reads, copy, gated):
    return [energy[i] for i in sw if rules[i] == rule and col("hw_transposed_reads")[i] == reads
            and col("hw_backward_copy")[i] == copy and col("hw_power_gating")[i] == gated][0]
assert sw_energy("bp", 0, 1, 0) > sw_energy("bp", 1, 1, 0)
for gated in (0, 1):
    assert sw_energy("dfa", 1, 1, gated) < sw_energy("bp", 1, 1, gated)
    assert sw_energy("bp", 1, 1, 1) < sw_energy("bp", 1, 1, 0)
# Spiking: more timesteps, more energy; the curve of accuracy against timesteps for each.
# Spread over the chip, shorter samples; charged for the whole chip, less energy than packed.
ids = s["scenario_id"][:]
placement, sample_s = text("placement"), s["sample_latency_s"][:]
by_placement = {}
for i in range(n):
    if parts[i] == "deploy-spiking":
        by_placement.setdefault(placement[i], []).append((float(s["timesteps"][i]), energy[i], sample_s[i]))
assert sorted(by_placement) == ["pack", "spread"], by_placement
for rows in by_placement.values():
    rows.sort()
    assert [t for t, _, _ in rows] == [8, 16, 32, 64], rows
    assert all(a[1] < b[1] for a, b in zip(rows, rows[1:])), rows
for packed, spread in zip(by_placement["pack"], by_placement["spread"]):
    assert spread[2] < packed[2] / 10 and spread[1] < packed[1], (packed, spread)
t_ids = set(f["timesteps"]["scenario_id"][:])
assert {ids[i] for i in range(n) if parts[i] == "deploy-spiking"} <= t_ids
# Analog: the drift curve at 7 times for each of the two deployments.
d_ids = list(f["drift"]["scenario_id"][:])
for i in range(n):
    if parts[i] == "deploy-analog":
        assert d_ids.count(ids[i]) == 7, d_ids
# Carbon by region: the same energy, CO2e ordered as the grid's intensity.
large = sorted((s["grid_gco2_per_kwh"][i], s["co2e_kg"][i], s["job_energy_j"][i])
               for i in range(n) if parts[i] == "large-model")
assert len({e for _, _, e in large}) == 1
assert all(a[1] < b[1] for a, b in zip(large, large[1:])), large
# The model's life: inference dominates GPT-2 served 1e10 times.
life = [i for i in range(n) if parts[i] == "lifetime"][0]
assert s["inference_energy_j"][life] > s["job_facility_energy_j"][life]

summary = open(sys.argv[2]).read()
for needle in ("Per rule and device", "inference dominates", "by region:", "india", "plots: "):
    assert needle in summary, needle
table = [l for l in summary.splitlines() if l.startswith(("mlp ", "cnn ", "analog-train", "spiking-train", "deploy"))]
assert len(table) == 30, len(table)
PYEOF

for plot in accuracy_vs_energy energy_by_component drift timesteps carbon_by_region; do
  file=$work/plots/$plot.png
  [ -s "$file" ] || fail "$plot.png was not written"
  [ "$(head -c 8 "$file" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$plot.png is not a PNG"
  [ "$(stat -c %s "$file")" -gt 20000 ] || fail "$plot.png is too small to hold a plot"
done
# The study's report, opened in headless chromium: every plot it has data for renders.
"$frugal" report "$work/flagship.h5" --html "$work/flagship.html" >/dev/null \
  || fail "frugal report failed on the study's file"
"$py" "$source_dir/tests/python/check_report.py" "$work/flagship.h5" "$work/flagship.html" \
  >/dev/null || fail "the study's report does not render as it should"
grep -q 'id="drift"' "$work/flagship.html" && grep -q 'id="timesteps"' "$work/flagship.html" \
  || fail "the study's report lacks the drift or timesteps plot"
# The example notebook on the study's file: it runs, and shows every scenario of every part.
PYTHONPATH=$source_dir/results/python "$py" "$source_dir/tests/python/execute_notebook.py" \
  "$source_dir/results/python/notebooks/sweep_example.ipynb" "$work/flagship.h5" \
  "$work/notebook" "$work/executed.ipynb" >/dev/null || fail "the notebook failed on the study's file"
echo "test_flagship: the reduced study, its summary, its five plots, its report and the notebook are right"
