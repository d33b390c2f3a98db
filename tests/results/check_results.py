#!/usr/bin/python3
"""Reads a frugal result file with h5py and xarray, as a notebook would, and checks its contents.

usage: check_results.py FILE.h5                 check the schema, units and invariants
       check_results.py FILE.h5 --same-as B.h5  also check that both hold identical tables (B is
                                                checked with h5py, but not opened with xarray: its
                                                tables hold FILE's values, which xarray has read)
       --allow-failed                           accept scenarios that did not finish
Exits 1 with a message on the first failed check.
"""
import sys

import h5py
import numpy as np
import xarray as xr

COMPONENTS = ["compute", "sram", "dram", "interconnect", "dac", "adc", "cell_read", "cell_write",
              "neuron_update", "spike_route", "static", "host"]
PHASES = ["forward", "second_forward", "backward_data", "backward_weight", "feedback", "local_loss", "update",
          "programming"]
REQUIRED = ["scenario_id", "model", "rule", "hw", "batch", "macs", "energy_j", "latency_s",
            "energy_per_sample_j", "status"] + [f"energy_{c}_j" for c in COMPONENTS]


def fail(message):
    print(f"check_results: {message}")
    sys.exit(1)


def table(f, group):
    g = f[group]
    columns = {}
    for name in g.attrs["colnames"]:
        d = g[name]
        columns[name] = d.asstr()[()] if h5py.check_string_dtype(d.dtype) else d[()]
    return columns


ALLOW_FAILED = "--allow-failed" in sys.argv
if ALLOW_FAILED:
    sys.argv.remove("--allow-failed")


def check(path, with_xarray=True):
    with h5py.File(path, "r") as f:
        for attr in ["schema", "schema_version"]:
            if attr not in f.attrs:
                fail(f"root attribute {attr} missing")
        if "provenance" not in f:
            fail("group /provenance missing")
        prov = f["provenance"].attrs
        for attr in ["frugal_version", "git_sha", "command_line", "created_utc", "sweep_spec",
                     "config_files", "hw_presets", "scenario_count", "shard_index", "shard_count"]:
            if attr not in prov:
                fail(f"/provenance attribute {attr} missing")
        if not isinstance(prov["git_sha"], str):
            fail("string attributes must read back as str (variable-length UTF-8)")
        for group in ["scenarios", "ops", "epochs", "power", "power_samples"]:
            if group not in f:
                fail(f"group /{group} missing")
        s = f["scenarios"]
        for name in REQUIRED:
            if name not in s:
                fail(f"/scenarios/{name} missing")
        for name in s.attrs["colnames"]:
            d = s[name]
            if "units" not in d.attrs:
                fail(f"/scenarios/{name} has no units attribute")
            if "description" not in d.attrs:
                fail(f"/scenarios/{name} has no description")
        if s["energy_j"].attrs["units"] != "J" or s["latency_s"].attrs["units"] != "s":
            fail("energy_j must be in J and latency_s in s")
        # Every column is attached to the scenario_id dimension scale.
        if s["energy_j"].dims[0].keys() != ["scenario_id"]:
            fail(f"energy_j dimension scale is {s['energy_j'].dims[0].keys()}")
        sc, ops = table(f, "scenarios"), table(f, "ops")
        ok = sc["status"] == "ok"
        if not ALLOW_FAILED and not ok.all():
            fail("a scenario did not succeed")
        if len(np.unique(sc["scenario_id"])) != len(sc["scenario_id"]) or \
                not (np.diff(sc["scenario_id"]) > 0).all():
            fail("scenario_id must be unique and sorted")
        # The power trace of each finished scenario integrates to its energy.
        power, samples = table(f, "power"), table(f, "power_samples")["power_w"]
        if list(power["scenario_id"]) != list(sc["scenario_id"]):
            fail("/power must have one row per scenario, in the same order")
        for sid, energy, good, t, off, n in zip(sc["scenario_id"], sc["energy_j"], ok,
                                                power["dt_s"], power["offset"], power["count"]):
            if good and not np.isclose(samples[off:off + n].sum() * t, energy, rtol=1e-9):
                fail(f"power trace of scenario {sid} does not integrate to its energy")
        all_sc = sc
        sc = {k: v[ok] for k, v in sc.items()}
        parts = sum(sc[f"energy_{c}_j"] for c in COMPONENTS)
        if not np.allclose(parts, sc["energy_j"], rtol=1e-12, atol=0):
            fail("component energies do not sum to energy_j")
        phases = sum(sc[f"energy_{p}_j"] for p in PHASES)
        if not np.allclose(phases, sc["energy_j"], rtol=1e-12, atol=0):
            fail("phase energies do not sum to energy_j")
        if not np.allclose(sc["energy_per_sample_j"], sc["energy_j"] / sc["batch"], rtol=1e-12):
            fail("energy_per_sample_j != energy_j / batch")
        for sid, energy, macs in zip(sc["scenario_id"], sc["energy_j"], sc["macs"]):
            mine = ops["scenario_id"] == sid
            if not np.isclose(ops["energy_j"][mine].sum(), energy, rtol=1e-12, atol=0):
                fail(f"ops of scenario {sid} do not sum to its energy")
            if ops["macs"][mine].sum() != macs:
                fail(f"ops of scenario {sid} do not sum to its MACs")
        if (sc["energy_j"] <= 0).any() or (sc["latency_s"] <= 0).any():
            fail("energy and latency must be positive")
    sc = all_sc
    if not with_xarray:
        return sc, ops
    # xarray sees each table as a Dataset on its dimension scale, units intact (h5netcdf takes
    # about 2 s a table to open these files).
    for group, dim, rows in [("scenarios", "scenario_id", len(sc["scenario_id"])),
                             ("ops", "row", len(ops["scenario_id"]))]:
        with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
            if dict(ds.sizes) != {dim: rows} or ds["energy_j"].attrs.get("units") != "J":
                fail(f"xarray reads /{group} as {dict(ds.sizes)}")
            if not np.array_equal(ds["energy_j"].values,
                                  (sc if group == "scenarios" else ops)["energy_j"], equal_nan=True):
                fail(f"xarray and h5py disagree on /{group}/energy_j")
    return sc, ops


def same_tables(a, b):
    """Every table of both files holds the same columns and values (NaN equal to NaN)."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        groups_a = sorted(g for g in fa if "colnames" in fa[g].attrs)
        groups_b = sorted(g for g in fb if "colnames" in fb[g].attrs)
        if groups_a != groups_b:
            fail(f"tables differ: {groups_a} against {groups_b}")
        for group in groups_a:
            ta, tb = table(fa, group), table(fb, group)
            if list(ta) != list(tb):
                fail(f"/{group} has other columns")
            for column in ta:
                x, y = ta[column], tb[column]
                same = (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f"
                        else np.array_equal(x, y))
                if not same:
                    fail(f"/{group}/{column} differs between the two files")


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--same-as"):
        fail(__doc__)
    check(sys.argv[1])
    if len(sys.argv) == 4:
        check(sys.argv[3], with_xarray=False)
        same_tables(sys.argv[1], sys.argv[3])
    print(f"check_results: {sys.argv[1]} ok")


if __name__ == "__main__":
    main()
