#!/usr/bin/python3
"""frugal's Python API (results/python/frugal/api.py over the pybind11 module frugal._core)
against the command line: the same scenario gives the same /scenarios row to the last bit, the
same bad input the same one-line message (as frugal.InputError), the same sweep the same table;
and the issue's notebook cell, ds = frugal.sweep(...).to_xarray(); ds.job_energy_j.sel(rule="bp").

usage: test_api.py FRUGAL_BINARY   (PYTHONPATH: results/python; FRUGAL_BUILD_DIR: the build)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

import frugal

failures = []


def expect(condition, what):
    if not condition:
        failures.append(what)
        print(f"test_api: FAIL: {what}", file=sys.stderr)


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        # One scenario, trained: the API's row against the command line's file, column by column.
        options = dict(model="mlp:784-32-10", rule="dfa", hw="gpu:a100-80gb", batch=32,
                       train=True, epochs=1, train_subset=256, test_subset=128, lr=0.05,
                       precision="bf16", hw_idle_power="60 W")
        row = frugal.run(out=os.path.join(work, "api.h5"), **options)
        cli = os.path.join(work, "cli.h5")
        subprocess.run([binary, "run", "--model", "mlp:784-32-10", "--rule", "dfa", "--hw",
                        "gpu:a100-80gb", "--batch", "32", "--train", "--epochs", "1",
                        "--train-subset", "256", "--test-subset", "128", "--lr", "0.05",
                        "--precision", "bf16", "--set", "hw.idle_power=60 W", "--quiet",
                        "--out", cli], check=True, capture_output=True)
        flat = frugal.open(cli).scenarios().iloc[0]
        for column, value in row.items():
            expect(column in flat.index, f"the API's {column} is not a /scenarios column")
            if column in flat.index:
                expect(same(value, flat[column].item() if hasattr(flat[column], "item")
                            else flat[column]), f"{column}: API {value!r}, CLI {flat[column]!r}")
        expect(0.1 < row["accuracy"] <= 1 and row["energy_j"] > 0, f"row {row['accuracy']}")
        api_file = frugal.open(os.path.join(work, "api.h5")).scenarios().iloc[0]
        expect(api_file["energy_j"] == flat["energy_j"], "the API's file differs from the CLI's")

        # Bad input: the command line's message, as frugal.InputError (a ValueError).
        for kwargs, args in (({"batch": 0}, ["--batch", "0"]),
                             ({"modle": "mlp:4-2"}, ["--modle", "mlp:4-2"]),
                             ({"hw": "gpu:nope"}, ["--hw", "gpu:nope"])):
            try:
                frugal.run(**kwargs)
                expect(False, f"frugal.run({kwargs}) raised nothing")
            except frugal.InputError as e:
                done = subprocess.run([binary, "run"] + args, capture_output=True, text=True)
                message = done.stderr.strip().removeprefix("frugal: error: ")
                expect(isinstance(e, ValueError), "InputError is a ValueError")
                if "modle" not in kwargs:  # Boost names --modle; the settings path names 'modle'
                    expect(str(e) == message, f"{kwargs}: API {e}, CLI {message}")
                else:
                    expect("did you mean 'model'" in str(e), f"{kwargs}: {e}")

        # A sweep: zipped axes, a preset parameter, seeds; the same table as the command line's.
        out = os.path.join(work, "sweep.h5")
        res = frugal.sweep(out, rule=["bp", "dfa"], batch=[16, 64], lr=[0.1, 0.2],
                           zip=["batch", "lr"], hw_dram_energy_per_byte="10:20:10 pJ/bit",
                           seeds=2, jobs=2)
        cli_out = os.path.join(work, "sweep-cli.h5")
        subprocess.run([binary, "sweep", "--rule", "bp,dfa", "--batch", "16,64", "--lr",
                        "0.1,0.2", "--zip", "batch,lr", "--set",
                        "hw.dram_energy_per_byte=10:20:10 pJ/bit", "--seeds", "2", "--jobs", "2",
                        "--quiet", "--out", cli_out], check=True, capture_output=True)
        a, b = res.scenarios(), frugal.open(cli_out).scenarios()
        expect(a.equals(b), "the API's sweep table differs from the command line's")
        ds = res.to_xarray()
        expect(dict(ds.sizes) == {"rule": 2, "batch": 2, "hw_dram_energy_per_byte": 2,
                                  "replicate": 2}, f"sizes {dict(ds.sizes)}")
        bp = ds.job_energy_j.sel(rule="bp")
        expect(bp.dims == ("batch", "hw_dram_energy_per_byte", "replicate"), f"dims {bp.dims}")
        try:
            frugal.sweep(out, rule=["bp"])
            expect(False, "a sweep over an existing file without force raised nothing")
        except frugal.InputError as e:
            expect("already exists" in str(e), f"existing file: {e}")

        # describe and presets: the command line's JSON and list.
        described = frugal.describe("lenet5", rule="bp", batch=8)
        cli_json = json.loads(subprocess.run([binary, "describe", "lenet5", "--rule", "bp",
                                              "--batch", "8", "--json"], check=True,
                                             capture_output=True, text=True).stdout)
        expect(described == cli_json, "describe differs from the command line's --json")
        names = [p["name"] for p in frugal.presets()]
        listing = subprocess.run([binary, "presets"], check=True, capture_output=True,
                                 text=True).stdout
        expect(all(n in listing for n in names) and "gpu:h200" in names, f"presets {names}")
        h200 = next(p for p in frugal.presets() if p["name"] == "gpu:h200")
        expect(all(p["source"] and p["unit"] for p in h200["params"]), "params lack unit/source")
    if failures:
        print(f"test_api: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("test_api: the Python API gives what the command line gives")
    return 0


if __name__ == "__main__":
    sys.exit(main())
