"""Reads frugal result files (HDF5, schema 0.19.0, see docs/results-schema.md) into pandas and
xarray.

Needs h5py, numpy and pandas (Debian: python3-h5py python3-numpy python3-pandas), and xarray
(python3-xarray) for to_xarray().

    import frugal as fr

    res = fr.open("out/sweep.h5")                 # also reads FILE.h5.partial (a sweep in progress)
    ds = res.to_xarray()                          # the swept axes as dimensions (frugal/cube.py)
    res.tables()                                  # ['drift', 'epochs', 'ops', 'power', 'power_samples', 'scenarios']
    res.table("drift")                            # accuracy against time after programming (--drift-times)
    scen = res.scenarios()                        # pandas DataFrame, one row per scenario
    scen.attrs["units"]["energy_j"]               # 'J'
    res.provenance()["command_line"]              # root and /provenance attributes, as a dict
    res.power(0)                                  # time_s, power_w of scenario 0
    fr.energy_by_component(scen)                  # nonzero energy_<component>_j columns, as 'compute', ...
    fr.label("energy_j", scen.attrs["units"])     # 'energy_j [J]'

As a script, prints a summary of every table:

    /usr/bin/python3 -m frugal FILE.h5

The file is opened only for the duration of each call (never held open), so a notebook can keep a
`Results` object around while frugal writes or renames the file.
"""
import sys

import h5py
import numpy as np
import pandas as pd

__all__ = ["COMPONENTS", "PHASES", "Results", "open_results", "energy_by_component",
           "energy_by_phase", "label"]

# Ledger components and phases, in the order frugal writes their energy_<name>_j columns.
COMPONENTS = ["compute", "sram", "dram", "interconnect", "dac", "adc", "cell_read", "cell_write",
              "neuron_update", "spike_route", "static", "host"]
PHASES = ["forward", "second_forward", "backward_data", "backward_weight", "feedback", "local_loss", "update",
          "programming"]


def _python_value(value):
    """An HDF5 attribute value as plain Python: str, int, float, bool or a list of them."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        return [_python_value(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return _python_value(value.item())
    return value


def _open(path):
    """Opens read-only without taking the HDF5 file lock where h5py allows it, so that reading a
    file frugal is still writing (FILE.h5.partial) is not refused."""
    try:
        return h5py.File(path, "r", locking=False)
    except (TypeError, ValueError):  # h5py < 3.5 or an HDF5 library without the option
        return h5py.File(path, "r")


def _is_table(obj):
    return isinstance(obj, h5py.Group) and "colnames" in obj.attrs


def _read_column(dataset):
    if h5py.check_string_dtype(dataset.dtype) is not None:
        return np.asarray(dataset.asstr()[()], dtype=object)
    return dataset[()]


class Results:
    """A frugal result file. Every method reopens the file, so the object stays valid (and cheap)
    while the file changes on disk."""

    def __init__(self, path):
        self.path = str(path)
        with _open(self.path):  # fail now, with h5py's message, if the file cannot be read
            pass

    def __repr__(self):
        return f"Results({self.path!r})"

    def tables(self):
        """Names of the table groups (groups with a `colnames` attribute), sorted."""
        with _open(self.path) as f:
            return sorted(name for name, obj in f.items() if _is_table(obj))

    def table(self, name):
        """Table `name` as a DataFrame: columns in `colnames` order, strings decoded to str.

        df.attrs["units"] and df.attrs["descriptions"] map each column to its `units` and
        `description` attributes ("" where absent); df.attrs["table"] and df.attrs["description"]
        name and describe the table. A table with 0 rows gives an empty DataFrame with its columns.
        Columns of unequal length (a partial file caught mid-write) are cut to the shortest.
        """
        with _open(self.path) as f:
            if name not in f or not _is_table(f[name]):
                raise KeyError(f"{self.path}: no table {name!r} (tables: {self.tables()})")
            group = f[name]
            colnames = [str(c) for c in _python_value(group.attrs["colnames"])]
            columns, units, descriptions = {}, {}, {}
            for column in colnames:
                if column not in group:
                    raise KeyError(f"{self.path}: /{name} lists column {column!r} but has no such dataset")
                dataset = group[column]
                columns[column] = _read_column(dataset)
                units[column] = str(_python_value(dataset.attrs.get("units", "")))
                descriptions[column] = str(_python_value(dataset.attrs.get("description", "")))
            description = str(_python_value(group.attrs.get("description", "")))
        rows = min((len(v) for v in columns.values()), default=0)
        df = pd.DataFrame({c: v[:rows] for c, v in columns.items()}, columns=colnames)
        df.attrs["table"] = name
        df.attrs["description"] = description
        df.attrs["units"] = units
        df.attrs["descriptions"] = descriptions
        return df

    def scenarios(self):
        """The /scenarios table (one row per scenario; failed scenarios have NaN results)."""
        return self.table("scenarios")

    def provenance(self):
        """Root attributes (schema, schema_version, ...) merged with the /provenance attributes
        (frugal_version, git_sha, command_line, sweep_spec, ...), as plain Python values."""
        with _open(self.path) as f:
            info = {k: _python_value(v) for k, v in f.attrs.items()}
            if "provenance" in f:
                info.update((k, _python_value(v)) for k, v in f["provenance"].attrs.items())
        return info

    def parts(self):
        """The names of the study's parts (a sweep file's [sections]), in order; [] for none."""
        from .cube import _parts, sweep_spec_sections
        return _parts(self.scenarios(), sweep_spec_sections(self.provenance().get("sweep_spec", "")))

    def to_xarray(self, part=None, epochs=True):
        """The scenarios as an xarray.Dataset whose dimensions are the swept axes (rule, hw,
        batch, ..., replicate), numbers typed, units and descriptions as attributes, fixed
        settings as the Dataset's attributes, and /epochs as epoch_<column> variables over
        `epoch` (unless epochs=False). A file of several parts needs `part` (see parts()).
        The rules are in frugal/cube.py's docstring."""
        from .cube import to_xarray
        return to_xarray(self, part=part, epochs=epochs)

    def power(self, scenario_id):
        """The power trace of one scenario: columns time_s (start of each sample) and power_w
        (mean power over [time_s, time_s + dt_s)). df.attrs["dt_s"] holds the sample length.
        Empty when the scenario has no samples (e.g. it failed)."""
        with _open(self.path) as f:
            index = f["power"]
            ids = index["scenario_id"][()]
            hits = np.flatnonzero(ids == scenario_id)
            if len(hits) == 0:
                raise KeyError(f"{self.path}: no power trace for scenario {scenario_id}")
            i = int(hits[0])
            t0, dt = float(index["t0_s"][i]), float(index["dt_s"][i])
            offset, count = int(index["offset"][i]), int(index["count"][i])
            power_w = f["power_samples"]["power_w"][offset:offset + count] if count > 0 else np.zeros(0)
        df = pd.DataFrame({"time_s": t0 + dt * np.arange(len(power_w)), "power_w": power_w})
        df.attrs["units"] = {"time_s": "s", "power_w": "W"}
        df.attrs["descriptions"] = {"time_s": "start of the sample",
                                    "power_w": "mean power over the sample"}
        df.attrs["dt_s"] = dt
        df.attrs["scenario_id"] = scenario_id
        return df

    def summary(self):
        """A text summary: schema, scenario count, and rows and columns (with units) of each table."""
        info = self.provenance()
        lines = [f"{self.path}: {info.get('schema', '?')} {info.get('schema_version', '?')}"]
        for key in ["frugal_version", "git_sha", "created_utc", "scenario_count", "command_line"]:
            if key in info:
                lines.append(f"  {key}: {info[key]}")
        with _open(self.path) as f:  # metadata only: a large /ops is not read
            groups = [(name, obj) for name, obj in sorted(f.items()) if _is_table(obj)]
            shapes = []
            for name, group in groups:
                colnames = [str(c) for c in _python_value(group.attrs["colnames"])]
                present = [c for c in colnames if c in group]
                rows = min((group[c].shape[0] if group[c].shape else 1 for c in present), default=0)
                cols = [label(c, str(_python_value(group[c].attrs.get("units", ""))))
                        if c in group else f"{c} (missing)" for c in colnames]
                shapes.append((name, rows, cols))
        for name, rows, cols in shapes:
            lines.append(f"/{name}: {rows} rows, {len(cols)} columns")
            line = "   "
            for col in cols:  # wrapped at 100 characters, never inside a "name [units]"
                if len(line) + len(col) + 2 > 100 and line.strip():
                    lines.append(line)
                    line = "   "
                line += f" {col},"
            lines.append(line.rstrip(","))
        return "\n".join(lines)


def open_results(path):
    """Opens a frugal result file (FILE.h5 or FILE.h5.partial). See `Results`."""
    return Results(path)


def _energy_columns(df, names, nonzero):
    out = pd.DataFrame(index=df.index)
    for name in names:
        column = f"energy_{name}_j"
        if column in df.columns and (not nonzero or (df[column].fillna(0) != 0).any()):
            out[name] = df[column]
    units = df.attrs.get("units", {})
    out.attrs["units"] = {n: units.get(f"energy_{n}_j", "J") for n in out.columns}
    return out


def energy_by_component(df, nonzero=True):
    """The energy_<component>_j columns of `df` (scenarios or ops), renamed to the component names
    (compute, sram, dram, ...), in ledger order, keeping `df`'s index. Components that are zero
    (or NaN) in every row are dropped unless nonzero=False. Use df.set_index("scenario_id") first
    to index the result by scenario."""
    return _energy_columns(df, COMPONENTS, nonzero)


def energy_by_phase(df, nonzero=True):
    """Like energy_by_component, for the energy_<phase>_j columns (forward, backward_data, ...)."""
    return _energy_columns(df, PHASES, nonzero)


def label(column, units=""):
    """An axis label: label("energy_j", "J") -> "energy_j [J]". `units` is a units string or a
    mapping column -> units (such as df.attrs["units"]). Label columns ("") and dimensionless
    ones ("1") get no brackets: label("batch", "1") -> "batch"."""
    if not isinstance(units, str):
        units = units.get(column, "") if units is not None else ""
    return column if units in ("", "1") else f"{column} [{units}]"


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.split("\n\n")[0] + "\n\nusage: python3 -m frugal FILE.h5", file=sys.stderr)
        return 2
    try:
        print(open_results(argv[1]).summary())
    except (OSError, KeyError) as e:
        print(f"frugal: {e}", file=sys.stderr)
        return 1
    return 0
