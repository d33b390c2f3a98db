"""A frugal result file as an xarray Dataset whose dimensions are the sweep's axes.

`Results.to_xarray()` calls `to_xarray` here. The cube is built from what the file records:

- the swept keys come from the sweep specification in /provenance (`sweep_spec`: its [axes],
  [zip] and [part NAME] sections); a key is a dimension where its column takes more than one
  value among the scenarios chosen, and a fixed setting (an attribute) where it takes one;
- zipped keys (`--zip A,B`) make one dimension, named after the first of them whose values are
  all different, with the others as coordinates along it;
- `--seeds N` adds the dimension `replicate`, with each replicate's `seed` as its coordinate
  (the same seeds at every point: common random numbers, docs/sweeps.md);
- dimensions are ordered as the sweep expanded them (the last varies fastest), and the labels of
  each in the order the sweep gave them;
- every other /scenarios column is a variable over all the dimensions, typed as in the file, with
  its `units` and `description` as attributes; a setting that depends on some dimensions only
  (`device` on `hw`) is a coordinate over those; settings held fixed are attributes of the
  Dataset (numbers as numbers);
- /epochs, where scenarios trained, adds `epoch_<column>` variables over the dimension `epoch`.

Cells with no scenario (a sweep still running, a shard) are NaN, or "" for text.
"""
import re

import numpy as np

__all__ = ["to_xarray", "sweep_spec_sections"]

def column_of(key):
    """The /scenarios column of a swept key (schema 0.19.0): '-' and '.' become '_'."""
    return key.replace("-", "_").replace(".", "_")


def sweep_spec_sections(text):
    """The sweep specification's sections as {name: [(key, value), ...]}, in file order."""
    sections, current = {}, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
            continue
        if current is None or "=" not in line:
            continue
        key, value = line.split("=", 1)
        sections[current].append((key.strip(), value.strip()))
    return sections


def _typed(text):
    """A setting's text as a number or a bool where it reads as one ('0.05' -> 0.05)."""
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _attr_value(value):
    """A value netCDF can store as an attribute (numpy scalars to Python, bools to 0/1)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    return value


def _parts(scen, sections):
    names = [name[len("part "):] for name in sections if name.startswith("part ")]
    if not names and "part" in scen.columns:
        names = list(dict.fromkeys(scen["part"]))
    return names


def _axis_groups(sections, part):
    """The swept keys, as groups (a zip group is one), for the whole sweep or one part."""
    keys = [k for k, _ in sections.get("axes", [])]
    zips = [v for k, v in sections.get("zip", []) if k == "zip"]
    if part is not None:
        for key, value in sections.get("part " + part, []):
            if key == "zip":
                zips.append(value)
            elif key not in keys:
                keys.append(key)
    groups, zipped = [], set()
    for z in zips:
        members = [k.strip() for k in z.split(",") if k.strip()]
        groups.append([column_of(k) for k in members])
        zipped.update(members)
    groups += [[column_of(k)] for k in keys if k not in zipped]
    return groups


def _first_run(values):
    """How many consecutive points share the first label: the dimension's stride."""
    first, n = values[0], 0
    for v in values:
        if v != first:
            break
        n += 1
    return n


def _grid(values, where, shape):
    """Scatters one value per row into an array of `shape` at positions `where`. Cells no row
    reaches are NaN ("" for text); integers stay integers (exactly) when every cell is reached."""
    values = np.asarray(values)
    reached = np.zeros(shape, dtype=bool)
    reached[where] = True
    if values.dtype.kind in "iub" and reached.all():
        out = np.zeros(shape, dtype=values.dtype)
    elif values.dtype.kind in "iufb":
        out = np.full(shape, np.nan)
    else:
        out = np.full(shape, "", dtype=object)
    out[where] = values
    return out


def to_xarray(results, part=None, epochs=True):
    """The file's scenarios as an xarray.Dataset (see the module's docstring). A file made of
    several parts (a sweep file with [sections]) needs `part`: the parts' axes differ."""
    import xarray as xr

    scen = results.scenarios()
    info = results.provenance()
    sections = sweep_spec_sections(info.get("sweep_spec", ""))
    parts = _parts(scen, sections)
    if part is not None and part not in parts:
        raise KeyError(f"{results.path}: no part {part!r} (parts: {', '.join(parts) or 'none'})")
    if part is None and len(parts) > 1:
        raise ValueError(f"{results.path} holds {len(parts)} parts ({', '.join(parts)}), each a "
                         "sweep of its own axes: choose one with to_xarray(part=NAME)")
    if part is None and len(parts) == 1:
        part = parts[0]
    rows = scen if part is None or "part" not in scen.columns else scen[scen["part"] == part]
    rows = rows.sort_values("scenario_id").reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"{results.path}: no scenarios" + (f" in part {part!r}" if part else ""))
    units, descriptions = scen.attrs["units"], scen.attrs["descriptions"]

    # The settings: every option of the specification's base, the device, the swept keys.
    settings = {column_of(k): _typed(v) for k, v in sections.get("base", [])}
    for key, value in sections.get("part " + part, []) if part else []:
        if key != "zip":
            settings[column_of(key)] = _typed(value)
    groups = [[c for c in g if c in rows.columns] for g in _axis_groups(sections, part)]
    setting_columns = set(settings) | {"device"} | {c for g in groups for c in g}
    setting_columns |= {c for c in rows.columns if c.startswith("hw_")}

    # Dimensions: the swept groups that vary, labelled at each point by its first row.
    by_point = rows.drop_duplicates("point").reset_index(drop=True)
    dims = []  # (name, labels, point -> position, {coordinate column: labels})
    for group in groups:
        if not group or all(by_point[c].nunique(dropna=False) <= 1 for c in group):
            continue
        tuples = list(zip(*(by_point[c].tolist() for c in group)))
        distinct = list(dict.fromkeys(tuples))
        name = next((c for c in group if by_point[c].nunique(dropna=False) == len(distinct)),
                    None)
        position = {t: i for i, t in enumerate(distinct)}
        at_point = [position[t] for t in tuples]
        coords = {c: [t[j] for t in distinct] for j, c in enumerate(group)}
        if name is None:  # no member tells the group's points apart: number them
            name = "_".join(group)
            coords[name] = list(range(len(distinct)))
        dims.append((name, coords[name], dict(zip(by_point["point"], at_point)), coords))
    dims.sort(key=lambda d: -_first_run([d[2][p] for p in by_point["point"]]))
    replicates = rows["replicate"].nunique() > 1
    shape = tuple(len(d[1]) for d in dims) + ((rows["replicate"].max() + 1,) if replicates else ())
    names = [d[0] for d in dims] + (["replicate"] if replicates else [])
    where = tuple(np.array([d[2][p] for p in rows["point"]]) for d in dims)
    if replicates:
        where += (rows["replicate"].to_numpy(),)
    cell = np.ravel_multi_index(where, shape) if names else np.zeros(len(rows), dtype=int)
    if len(set(cell.tolist())) != len(rows):
        raise ValueError(f"{results.path}: two scenarios fall in one cell of the dimensions "
                         f"{names}: the axes' columns do not tell them apart")

    def column_attrs(column):
        return {"units": units.get(column, ""), "description": descriptions.get(column, "")}

    coords = {}
    for name, _, _, group_coords in dims:
        for column, values in group_coords.items():
            coords[column] = ((name,), _array(values), column_attrs(column))
    if replicates:
        coords["replicate"] = (("replicate",), np.arange(shape[-1]),
                               {"units": "1", "description": "replicate of a point (--seeds)"})

    def depends_on(values):
        """The dimensions a column varies along (per-cell values given as a full grid)."""
        grid = _grid(values, where, shape) if names else np.asarray(values)
        varying = []
        for axis, name in enumerate(names):
            first = np.take(grid, [0], axis=axis)
            same = (grid == first) | (_isnan(grid) & _isnan(first))
            if not same.all():
                varying.append(name)
        return grid, varying

    data_vars, attrs = {}, {}
    for column in rows.columns:
        if column in coords or column in ("point", "replicate", "part"):
            continue
        grid, varying = depends_on(rows[column].to_numpy())
        if column in setting_columns or column == "seed":
            if not varying:
                attrs[column] = _attr_value(grid.flat[0] if names else grid[0])
                continue
            if len(varying) < len(names):  # a coordinate over the dimensions it depends on
                index = tuple(slice(None) if n in varying else 0 for n in names)
                coords[column] = (tuple(varying), grid[index], column_attrs(column))
                continue
        data_vars[column] = (tuple(names), grid if names else grid[0], column_attrs(column))

    if epochs and "epochs" in results.tables():
        epoch_vars = _epoch_vars(results, rows, where, shape, names)
        if epoch_vars:
            data_vars.update(epoch_vars)
            count = next(iter(epoch_vars.values()))[1].shape[-1]
            coords["epoch"] = (("epoch",), np.arange(1, count + 1),
                               {"units": "1", "description": "epoch, from 1"})
    for key, value in settings.items():  # fixed settings that have no column
        if key not in attrs and key not in coords and key not in data_vars:
            attrs[key] = _attr_value(value)
    for key in ("schema_version", "frugal_version", "git_sha", "created_utc", "command_line"):
        if key in info:
            attrs[key] = info[key]
    attrs["source"] = results.path
    if part is not None:
        attrs["part"] = part
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _array(values):
    """Labels as an array: object for text (so that numpy keeps Python strings), else numeric."""
    if any(isinstance(v, str) for v in values):
        return np.asarray(values, dtype=object)
    return np.asarray(values)


def _isnan(grid):
    if grid.dtype.kind == "f":
        return np.isnan(grid)
    return np.zeros(grid.shape, dtype=bool)


def _epoch_vars(results, rows, where, shape, names):
    """/epochs as `epoch_<column>` variables over the dimensions and `epoch`."""
    table = results.table("epochs")
    cell_of = {}
    for i, sid in enumerate(rows["scenario_id"]):
        cell_of[sid] = tuple(w[i] for w in where)
    table = table[table["scenario_id"].isin(cell_of)]
    if table.empty:
        return {}
    count = int(table["epoch"].max())
    full = shape + (count,)
    index = tuple(np.array([cell_of[s][k] for s in table["scenario_id"]]) for k in range(len(names)))
    index += (table["epoch"].to_numpy() - 1,)
    units, descriptions = table.attrs["units"], table.attrs["descriptions"]
    out = {}
    for column in table.columns:
        if column in ("scenario_id", "epoch"):
            continue
        grid = _grid(table[column].to_numpy(), index, full)
        out["epoch_" + column] = (tuple(names) + ("epoch",), grid,
                                  {"units": units.get(column, ""),
                                   "description": descriptions.get(column, "")})
    return out
