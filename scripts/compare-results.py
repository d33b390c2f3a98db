#!/usr/bin/python3
"""Compares frugal outputs written by two builds: no number may change.

    /usr/bin/python3 scripts/compare-results.py [--sources-may-differ] OLD NEW

OLD and NEW are two result files, or two directories (scripts/regression-outputs.sh writes
them) whose files are compared by name:
  - *.h5: every group, every dataset (dtype, shape, values bit for bit, NaN equal to NaN) and
    every attribute must be equal. Only these may differ: /provenance `created_utc`,
    `command_line`, `git_sha`, `frugal_version` and `merged_utc`; `hw_presets` may differ in
    the sources of its parameters but not in their values; `config_files` in the temporary
    paths it names.
  - *.json: every key of OLD must be in NEW with the same value (NEW may add keys), except
    `frugal_version`.
  - other files (text): equal line by line. With --sources-may-differ, the lines that only
    cite a source (`    source: ...` in `frugal presets show`, the indented source line under
    each `frugal validate` check) are left out: a change of citations changes no number.
Prints one line per file and exits 1 when anything differs.
"""

import json
import math
import os
import re
import sys

import h5py
import numpy as np

FREE_PROVENANCE = {"created_utc", "command_line", "git_sha", "frugal_version", "merged_utc"}


def preset_values(text):
    """The `key = value` part of each parameter line of a preset text, without its source."""
    values = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        values.append(line.split("|")[0].rstrip())
    return values


def same_value(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "f":
            return np.array_equal(a, b, equal_nan=True)
        return np.array_equal(a, b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def resolve_references(value, file):
    """Object references (dimension scales) as the names of the objects they point to."""
    if isinstance(value, h5py.Reference):
        return file[value].name if value else None
    if isinstance(value, (np.ndarray, list, tuple, np.void)):
        return [resolve_references(v, file) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def compare_attrs(path, old, new, problems):
    for key in sorted(set(old.attrs) | set(new.attrs)):
        where = f"{path}@{key}"
        if key not in old.attrs or key not in new.attrs:
            problems.append(f"{where}: only in {'new' if key in new.attrs else 'old'}")
            continue
        a, b = old.attrs[key], new.attrs[key]
        if key in ("DIMENSION_LIST", "REFERENCE_LIST"):
            a, b = resolve_references(a, old.file), resolve_references(b, new.file)
            if a != b:
                problems.append(f"{where}: dimension scales {a!r} != {b!r}")
            continue
        if path == "/provenance":
            if key in FREE_PROVENANCE:
                continue
            if key == "hw_presets":
                if preset_values(str(a)) != preset_values(str(b)):
                    problems.append(f"{where}: preset values differ")
                continue
            if key == "config_files":
                continue  # the texts of temporary files, compared by the sweep_spec attribute
        if not same_value(a, b):
            problems.append(f"{where}: {a!r} != {b!r}")


def compare_h5(old_path, new_path):
    problems, datasets = [], 0
    with h5py.File(old_path, "r") as old, h5py.File(new_path, "r") as new:
        names_old, names_new = [], []
        old.visit(names_old.append)
        new.visit(names_new.append)
        for name in sorted(set(names_old) - set(names_new)):
            problems.append(f"/{name}: missing in new")
        for name in sorted(set(names_new) - set(names_old)):
            problems.append(f"/{name}: only in new")
        compare_attrs("/", old, new, problems)
        for name in sorted(set(names_old) & set(names_new)):
            a, b = old[name], new[name]
            path = "/" + name
            compare_attrs(path, a, b, problems)
            if isinstance(a, h5py.Dataset) != isinstance(b, h5py.Dataset):
                problems.append(f"{path}: a dataset in one file, a group in the other")
                continue
            if not isinstance(a, h5py.Dataset):
                continue
            datasets += 1
            if a.dtype != b.dtype or a.shape != b.shape:
                problems.append(f"{path}: {a.dtype}{a.shape} != {b.dtype}{b.shape}")
                continue
            if not same_value(a[()], b[()]):
                x, y = np.atleast_1d(a[()]), np.atleast_1d(b[()])
                differ = [i for i in range(len(x)) if not same_value(x[i:i + 1], y[i:i + 1])]
                problems.append(f"{path}: {len(differ)} of {len(x)} values differ, first at row "
                                f"{differ[0]}: {x[differ[0]]!r} != {y[differ[0]]!r}")
    return problems, f"{datasets} datasets"


def compare_json(old_path, new_path):
    with open(old_path) as f:
        old = json.load(f)
    with open(new_path) as f:
        new = json.load(f)
    problems = []

    def walk(a, b, path):
        if isinstance(a, dict):
            if not isinstance(b, dict):
                problems.append(f"{path}: an object in old only")
                return
            for key, value in a.items():
                if key == "frugal_version":
                    continue
                if key not in b:
                    problems.append(f"{path}.{key}: missing in new")
                else:
                    walk(value, b[key], f"{path}.{key}")
        elif isinstance(a, list):
            if not isinstance(b, list) or len(a) != len(b):
                problems.append(f"{path}: lists differ in length")
                return
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{path}[{i}]")
        elif not (a == b or (a is None and b is None)):
            problems.append(f"{path}: {a!r} != {b!r}")

    walk(old, new, "")
    return problems, "json"


SOURCE_LINE = re.compile(r"^(    source: |       \S)")
IGNORE_SOURCES = False


def compare_text(old_path, new_path):
    with open(old_path) as f:
        old = f.read().splitlines()
    with open(new_path) as f:
        new = f.read().splitlines()
    if IGNORE_SOURCES:
        old = [line for line in old if not SOURCE_LINE.match(line)]
        new = [line for line in new if not SOURCE_LINE.match(line)]
    problems = []
    for i, (a, b) in enumerate(zip(old, new)):
        if a != b:
            problems.append(f"line {i + 1}: {a!r} != {b!r}")
            break
    if len(old) != len(new):
        problems.append(f"{len(old)} lines != {len(new)} lines")
    return problems, f"{len(old)} lines"


def compare(old_path, new_path):
    if old_path.endswith(".h5"):
        return compare_h5(old_path, new_path)
    if old_path.endswith(".json"):
        return compare_json(old_path, new_path)
    return compare_text(old_path, new_path)


def main():
    global IGNORE_SOURCES
    args = sys.argv[1:]
    if args and args[0] == "--sources-may-differ":
        IGNORE_SOURCES = True
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    old, new = args
    if os.path.isdir(old):
        names = sorted(set(os.listdir(old)) | set(os.listdir(new)))
        pairs = [(os.path.join(old, n), os.path.join(new, n), n) for n in names]
    else:
        pairs = [(old, new, os.path.basename(new))]
    failed = 0
    for a, b, name in pairs:
        if not os.path.exists(a) or not os.path.exists(b):
            print(f"DIFF  {name}: only in {'new' if os.path.exists(b) else 'old'}")
            failed += 1
            continue
        problems, what = compare(a, b)
        print(f"{'same' if not problems else 'DIFF'}  {name} ({what})")
        for p in problems[:20]:
            print(f"        {p}")
        failed += bool(problems)
    print(f"{len(pairs) - failed} of {len(pairs)} files identical")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
