#!/usr/bin/python3
"""Checks that frugal's layers hold: a source file includes headers of its own layer or of the
layers below it, never above (docs/architecture.md).

    /usr/bin/python3 scripts/check-layers.py [REPOSITORY]

The layers, bottom first; inside results/ and sim/, their parts are layers too:
    results/core, results/files, results/report, workloads, algorithms, hw_models,
    sim/scenario, sim/metrics, sim/sweep, sim/reproductions, sim/app
Tests, benchmarks and tools may include any layer. Prints each upward include and exits 1 if
there is one.
"""

import os
import re
import sys

LAYERS = [
    "results/core", "results/files", "results/report", "workloads", "algorithms", "hw_models",
    "sim/scenario", "sim/metrics", "sim/sweep", "sim/reproductions", "sim/app",
]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    """The index of the layer a repository path belongs to, or None outside the layers."""
    for i in reversed(range(len(LAYERS))):
        if path == LAYERS[i] or path.startswith(LAYERS[i] + "/"):
            return i
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    root = os.path.abspath(root)
    upward, files = [], 0
    top_levels = sorted({layer.split("/")[0] for layer in LAYERS})
    for top in top_levels:
        for folder, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".h", ".cpp")):
                    continue
                path = os.path.relpath(os.path.join(folder, name), root)
                own = layer_of(path)
                if own is None:
                    upward.append(f"{path}: outside every layer (add it to one)")
                    continue
                files += 1
                with open(os.path.join(root, path), encoding="utf-8") as f:
                    for included in INCLUDE.findall(f.read()):
                        other = layer_of(included)
                        if other is not None and other > own:
                            upward.append(f"{path} ({LAYERS[own]}) includes {included} "
                                          f"({LAYERS[other]}, a layer above)")
    for line in upward:
        print(line)
    print(f"{files} files in {len(LAYERS)} layers: "
          f"{'no upward include' if not upward else f'{len(upward)} upward includes'}")
    sys.exit(1 if upward else 0)


if __name__ == "__main__":
    main()
