#!/usr/bin/env bash
# Runs a small sweep, checks the frugal package (results/python/frugal) against the file it writes, and
# executes results/python/notebooks/sweep_example.ipynb on it headless, checking that it saves
# its figures.
#
# usage: test_notebook.sh FRUGAL_EXE SOURCE_DIR
# Needs Debian's /usr/bin/python3 with python3-h5py, -numpy, -pandas, -matplotlib, -nbclient,
# -nbformat and -ipykernel. Exits non-zero with a "test_notebook: FAIL" message on the first failure.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 FRUGAL_EXE SOURCE_DIR" >&2
  exit 2
fi
frugal=$1
source_dir=$(cd "$2" && pwd)
py=/usr/bin/python3   # Debian's interpreter: the one with h5py, pandas, nbclient, ipykernel
notebook=$source_dir/results/python/notebooks/sweep_example.ipynb
module_dir=$source_dir/results/python

fail() {
  echo "test_notebook: FAIL: $*" >&2
  exit 1
}

[ -x "$frugal" ] || fail "$frugal is not an executable"
[ -f "$notebook" ] || fail "$notebook not found"
[ -f "$module_dir/frugal/__init__.py" ] || fail "$module_dir/frugal/__init__.py not found"
export PYTHONPATH=$module_dir   # this tree's package, whichever checkout setup.sh installed
"$py" -c 'import h5py, numpy, pandas, matplotlib, nbclient, nbformat, ipykernel' 2>/dev/null \
  || fail "$py lacks a package (run scripts/setup.sh): needs h5py numpy pandas matplotlib nbclient nbformat ipykernel"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Keep Jupyter and IPython state out of $HOME and bytecode out of the source tree, and silence the
# kernel's debugger warning about frozen modules.
export JUPYTER_RUNTIME_DIR=$tmp/jupyter-runtime IPYTHONDIR=$tmp/ipython
export PYDEVD_DISABLE_FILE_VALIDATION=1
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the source tree

# 1. A sweep of 3 batch sizes x 2 rules = 6 scenarios.
results=$tmp/sweep.h5
"$frugal" sweep --set batch=16,32,64 --set rule=bp,inference --out "$results" --quiet \
  || fail "frugal sweep exited with status $?"
[ -s "$results" ] || fail "frugal sweep did not write $results"

# 2. python3 -m frugal as a script (and the former frugal_results.py, which scripts may still
# call), on the file and on a copy named like a file being written.
"$py" -m frugal "$results" >"$tmp/summary.txt" || fail "python3 -m frugal $results failed"
grep -q '^/scenarios: 6 rows' "$tmp/summary.txt" \
  || fail "python3 -m frugal's summary does not report 6 scenarios: $(cat "$tmp/summary.txt")"
(cd "$tmp" && PYTHONPATH= "$py" "$module_dir/frugal_results.py" "$results") >"$tmp/summary2.txt" \
  || fail "frugal_results.py $results failed"
cmp -s "$tmp/summary.txt" "$tmp/summary2.txt" || fail "frugal_results.py's summary differs"
cp "$results" "$tmp/copy.h5.partial"

# 3. The reader's API against the file's invariants.
"$py" - "$results" "$tmp/copy.h5.partial" "$module_dir" <<'EOF' || fail "frugal package checks failed (see above)"
import sys

import h5py
import numpy as np

path, partial, module_dir = sys.argv[1:4]
import frugal as fr


def check(condition, message):
    if not condition:
        print(f"test_notebook: {message}", file=sys.stderr)
        sys.exit(1)


res = fr.open(path)
check(fr.__file__.startswith(module_dir), f"import frugal read {fr.__file__}, not {module_dir}")
info = res.provenance()
check(info.get("schema") == "frugal-results", f"schema is {info.get('schema')!r}")
check(info.get("schema_version") == "0.20.0", f"schema_version is {info.get('schema_version')!r}")
for key in ["frugal_version", "git_sha", "command_line", "created_utc", "sweep_spec",
            "config_files", "hw_presets", "scenario_count"]:
    check(key in info, f"provenance attribute {key} missing")
tables = res.tables()
for name in ["scenarios", "ops", "epochs", "power", "power_samples"]:
    check(name in tables, f"table /{name} missing (tables: {tables})")

# Every column of every table carries units and description attributes (raw h5py: the reader
# would hide a missing attribute as "").
with h5py.File(path, "r") as f:
    check(len(f["provenance"]) == 0, "/provenance must hold attributes only")
    for name in tables:
        group = f[name]
        check("description" in group.attrs, f"/{name} has no description")
        colnames = [c.decode() if isinstance(c, bytes) else str(c) for c in group.attrs["colnames"]]
        check("row" not in colnames, f"/{name} lists row in colnames")
        scale = "scenario_id" if name in ("scenarios", "power") else "row"
        for column in colnames:
            for attr in ["units", "description"]:
                check(attr in group[column].attrs, f"/{name}/{column} has no {attr} attribute")
            if column != scale:
                scales = group[column].dims[0].keys()
                check(scales == [scale], f"/{name}/{column} has dimension scale {scales}, not {scale}")

scen = res.scenarios()
units = scen.attrs["units"]
check(len(scen) == 6 and info["scenario_count"] == 6,
      f"{len(scen)} scenarios, scenario_count {info['scenario_count']}: expected 6")
check(list(scen["scenario_id"]) == list(range(6)), f"scenario_id is {list(scen['scenario_id'])}")
check(sorted(zip(scen["batch"], scen["rule"])) ==
      sorted((b, r) for b in [16, 32, 64] for r in ["bp", "inference"]),
      f"(batch, rule) pairs are {sorted(zip(scen['batch'], scen['rule']))}")
check(all(isinstance(v, str) for v in scen["rule"]), "strings are not decoded to str")
check(set(scen["status"]) <= {"ok", "failed", "crashed", "timeout"}, f"status {set(scen['status'])}")
check((scen["status"] == "ok").all(), f"scenarios failed: {scen[scen['status'] != 'ok'][['scenario_id', 'error']].values.tolist()}")
for column, unit in [("energy_j", "J"), ("latency_s", "s"), ("average_power_w", "W"),
                     ("memory_bytes", "B"), ("batch", "1"), ("rule", "")]:
    check(units.get(column) == unit, f"/scenarios/{column} units {units.get(column)!r}, expected {unit!r}")
check(all(scen.attrs["descriptions"][c] for c in scen.columns), "a /scenarios column has an empty description")
check(fr.label("energy_j", units) == "energy_j [J]", f"label gives {fr.label('energy_j', units)!r}")

ok = scen[scen["status"] == "ok"]
components = fr.energy_by_component(ok)
check(len(components.columns) > 0 and set(components.columns) <= set(fr.COMPONENTS),
      f"energy_by_component columns {list(components.columns)}")
check(((components != 0).any()).all(), "energy_by_component kept an all-zero component")
every = sum(ok[f"energy_{c}_j"] for c in fr.COMPONENTS)
check(np.allclose(every, ok["energy_j"], rtol=1e-9, atol=0), "components do not sum to energy_j")
check(np.allclose(components.sum(axis=1), ok["energy_j"], rtol=1e-9, atol=0),
      "nonzero components do not sum to energy_j")
phases = sum(ok[f"energy_{p}_j"] for p in fr.PHASES)
check(np.allclose(phases, ok["energy_j"], rtol=1e-9, atol=0), "phases do not sum to energy_j")

ops = res.table("ops")
for sid, energy in zip(ok["scenario_id"], ok["energy_j"]):
    mine = ops[ops["scenario_id"] == sid]
    check(len(mine) > 0, f"scenario {sid} has no ops")
    check(np.isclose(mine["energy_j"].sum(), energy, rtol=1e-9, atol=0),
          f"ops of scenario {sid} sum to {mine['energy_j'].sum()} J, not {energy} J")

epochs = res.table("epochs")  # may have 0 rows: the columns are there all the same
for column in ["scenario_id", "epoch", "train_loss", "energy_j", "time_s"]:
    check(column in epochs.columns, f"/epochs has no column {column}")

power_index = res.table("power")
check(sorted(power_index["scenario_id"]) == sorted(scen["scenario_id"]),
      "/power does not have one row per scenario")
for sid, energy in zip(ok["scenario_id"], ok["energy_j"]):
    trace = res.power(sid)
    check(len(trace) > 0, f"scenario {sid} has no power samples")
    integral = trace["power_w"].sum() * trace.attrs["dt_s"]
    check(abs(integral - energy) <= 0.01 * energy,
          f"power of scenario {sid} integrates to {integral} J, energy_j is {energy} J")
    check(np.allclose(np.diff(trace["time_s"]), trace.attrs["dt_s"], rtol=1e-9), "time_s steps are not dt_s")

copy = fr.open_results(partial).scenarios()
check(copy.equals(scen), "reading the .h5.partial copy gives a different /scenarios")
print(f"test_notebook: frugal_results checks ok ({len(scen)} scenarios, {len(ops)} ops)")
EOF

# 4. The notebook, executed headless on the file, showing every scenario.
"$py" "$source_dir/tests/python/execute_notebook.py" "$notebook" "$results" "$tmp/figures" \
  "$tmp/executed.ipynb" || fail "executing $notebook failed (see above)"
FRUGAL_FIGURES=$tmp/figures
for figure in energy_by_component energy_latency_vs_parameter power_trace; do
  png=$FRUGAL_FIGURES/$figure.png
  [ -s "$png" ] || fail "the notebook did not write $figure.png into FRUGAL_FIGURES"
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    || fail "$figure.png is not a PNG file"
done
echo "test_notebook: ok"
