#!/usr/bin/python3
"""`import frugal` and its cube (results/python/frugal/cube.py) on real sweeps: a study of two
parts with zipped axes and seeds, and a training sweep. Every cell of the cube is checked
against the flat /scenarios row it came from, dimensions against the specification, types
against the options (numbers as numbers), and fixed settings against the attributes.

usage: test_cube.py FRUGAL_BINARY  (PYTHONPATH names this tree's results/python)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

import frugal

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def sweep(binary, work, name, args, config=None):
    out = os.path.join(work, name + ".h5")
    command = [binary, "sweep", "--quiet", "--jobs", "1", "--out", out] + args
    if config is not None:
        path = os.path.join(work, name + ".ini")
        with open(path, "w") as f:
            f.write(config)
        command += ["--config", path]
    subprocess.run(command, check=True)
    return frugal.open(out)


STUDY = """\
model = mlp:784-32-10
seeds = 2
[grid]
rule = bp, dfa
hw = gpu:a100-80gb, cpu
batch = 64, 16
lr = 0.05
train-subset = 128
[zipped]
rule = inference
batch = 8, 32, 128
hw.dram_energy_per_byte = 10:30:10 pJ/bit
zip = batch, hw.dram_energy_per_byte
"""


def cells_match_rows(ds, flat, columns):
    """Each scenario's row in the flat table equals the cube's cell at its coordinates."""
    ids = ds.scenario_id.values.ravel()
    for column in columns:
        cube = ds[column].values.ravel()
        for sid, value in zip(ids, cube):
            row = flat[flat.scenario_id == sid].iloc[0]
            same = value == row[column] or (isinstance(value, float) and np.isnan(value)
                                            and np.isnan(row[column]))
            check(same, f"{column} of scenario {sid}: cube {value!r}, table {row[column]!r}")


def test_study(binary, work):
    res = sweep(binary, work, "study", [], STUDY)
    flat = res.scenarios()
    check(res.parts() == ["grid", "zipped"], f"parts {res.parts()}")
    try:
        res.to_xarray()
        check(False, "to_xarray() on a file of two parts did not ask for one")
    except ValueError as e:
        check("choose one with to_xarray(part=NAME)" in str(e), f"message: {e}")
    try:
        res.to_xarray(part="nope")
        check(False, "an unknown part was accepted")
    except KeyError as e:
        check("grid, zipped" in str(e), f"message: {e}")

    grid = res.to_xarray(part="grid")
    # The dimensions in the sweep's expansion order (options in --help order, the last fastest),
    # each labelled in the order the sweep gave its values.
    check(list(grid.dims) == ["rule", "hw", "batch", "replicate"], f"dims {list(grid.dims)}")
    check(list(grid.rule.values) == ["bp", "dfa"], f"rule {grid.rule.values}")
    check(list(grid.hw.values) == ["gpu:a100-80gb", "cpu:xeon-8380"], f"hw {grid.hw.values}")
    check(list(grid.batch.values) == [64, 16] and grid.batch.dtype == np.int64,
          f"batch {grid.batch.values} {grid.batch.dtype}")
    check(grid.sizes["replicate"] == 2, "two replicates")
    # Seeds are common random numbers: one per replicate, the coordinate of `replicate`.
    seeds = sorted(set(flat[flat.part == "grid"].seed))
    check(grid.seed.dims == ("replicate",) and sorted(grid.seed.values.tolist()) == seeds,
          f"seed coordinate {grid.seed.dims} {grid.seed.values}")
    # A setting that depends on one dimension only is a coordinate over it.
    check(grid.device.dims == ("hw",) and list(grid.device.values) == ["gpu", "cpu"],
          f"device {grid.device.dims} {grid.device.values}")
    # Fixed settings are attributes, typed: the part's own (lr, train_subset) and the base's.
    check(grid.attrs["lr"] == 0.05 and isinstance(grid.attrs["lr"], float), f"lr {grid.attrs['lr']!r}")
    check(grid.attrs["train_subset"] == 128 and isinstance(grid.attrs["train_subset"], int),
          f"train_subset {grid.attrs['train_subset']!r}")
    check(grid.attrs["model"] == "mlp:784-32-10", f"model {grid.attrs['model']!r}")
    check(grid.attrs["part"] == "grid", "the part is an attribute")
    check("lr" not in grid.data_vars and "train_subset" not in grid.data_vars,
          "fixed settings are not variables")
    # Units and descriptions travel with each variable.
    check(grid.energy_j.attrs["units"] == "J", f"units {grid.energy_j.attrs}")
    check("energy" in grid.energy_j.attrs["description"], "description")
    check(grid.energy_j.dtype == np.float64 and grid.macs.dtype == np.int64, "types")
    cells_match_rows(grid, flat, ["energy_j", "latency_s", "macs", "status"])
    # The cell: a selection by label.
    bp = grid.job_energy_j.sel(rule="bp")
    check(bp.dims == ("hw", "batch", "replicate"), f"sel dims {bp.dims}")
    one = grid.energy_j.sel(rule="dfa", hw="cpu:xeon-8380", batch=16, replicate=1).item()
    row = flat[(flat.part == "grid") & (flat.rule == "dfa") & (flat.hw == "cpu:xeon-8380")
               & (flat.batch == 16) & (flat.replicate == 1)]
    check(len(row) == 1 and one == row.energy_j.iloc[0], f"sel cell {one} against {list(row.energy_j)}")

    zipped = res.to_xarray(part="zipped")
    # Zipped keys make one dimension, named after the first whose values all differ.
    check(list(zipped.dims) == ["batch", "replicate"], f"zipped dims {list(zipped.dims)}")
    check(zipped.hw_dram_energy_per_byte.dims == ("batch",), "the zipped partner is a coordinate")
    check(np.allclose(zipped.hw_dram_energy_per_byte.values, [10e-12 * 8, 20e-12 * 8, 30e-12 * 8]),
          f"J/B {zipped.hw_dram_energy_per_byte.values}")
    check(zipped.hw_dram_energy_per_byte.attrs["units"] == "J/B", "the preset parameter's unit")
    check(zipped.attrs["rule"] == "inference" and zipped.attrs["hw"] == "cpu:xeon-8380",
          f"zipped attrs {zipped.attrs['rule']} {zipped.attrs['hw']}")
    cells_match_rows(zipped, flat, ["energy_j", "energy_dram_j", "latency_s"])
    # More DRAM energy per byte, more DRAM energy: the zipped coordinate lines up with the data.
    per_sample = (zipped.energy_dram_j / zipped.batch).isel(replicate=0).values
    check(np.all(np.diff(per_sample) > 0), f"DRAM energy per sample {per_sample}")


def test_training(binary, work):
    """A swept option typed as a number (lr), and /epochs as curves over `epoch`."""
    res = sweep(binary, work, "train",
                ["--model", "mlp:784-16-10", "--train", "--epochs", "2", "--train-subset", "256",
                 "--test-subset", "128", "--lr", "0.02,0.1", "--rule", "bp,dfa"])
    ds = res.to_xarray()
    check(list(ds.dims) == ["rule", "lr", "epoch"], f"training dims {list(ds.dims)}")
    check(ds.lr.dtype == np.float64 and list(ds.lr.values) == [0.02, 0.1], f"lr {ds.lr.values}")
    check(ds.lr.attrs["units"] == "1" and "learning rate" in ds.lr.attrs["description"],
          f"lr attrs {ds.lr.attrs}")
    check(list(ds.epoch.values) == [1, 2], f"epoch {ds.epoch.values}")
    epochs = res.table("epochs")
    flat = res.scenarios()
    for _, e in epochs.iterrows():
        row = flat[flat.scenario_id == e.scenario_id].iloc[0]
        cell = ds.epoch_test_accuracy.sel(rule=row.rule, lr=row.lr, epoch=e.epoch).item()
        check(cell == e.test_accuracy, f"epoch {e.epoch} of scenario {e.scenario_id}")
    # The last epoch's test accuracy is the scenario's accuracy.
    check(np.array_equal(ds.epoch_test_accuracy.isel(epoch=-1).values, ds.accuracy.values),
          "last epoch against accuracy")
    check(ds.attrs["train"] == 1 and ds.attrs["epochs"] == 2, "fixed training settings")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        test_study(binary, work)
        test_training(binary, work)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("cube: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
