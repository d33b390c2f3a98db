"""frugal's results in Python: `import frugal` (docs/python.md).

    import frugal

    res = frugal.open("out/sweep.h5")      # a result file (also FILE.h5.partial, while it runs)
    ds = res.to_xarray()                   # xarray Dataset: the swept axes as dimensions
    ds.job_energy_j.sel(rule="bp")         # typed numbers, units and descriptions as attributes
    res.scenarios()                        # the flat /scenarios table as a pandas DataFrame

A study made of parts (a sweep file with [sections]) gives one cube per part:
`res.to_xarray(part="mlp")`; `res.parts()` lists them.

The C++ core runs from Python too (frugal/api.py): frugal.run(...), frugal.sweep(...),
frugal.describe(...), frugal.presets().
"""
from .api import InputError, IoError, describe, presets, run, sweep
from .results import (COMPONENTS, PHASES, Results, energy_by_component, energy_by_phase, label,
                      open_results)

__all__ = ["COMPONENTS", "PHASES", "Results", "open", "open_results", "energy_by_component",
           "energy_by_phase", "label", "run", "sweep", "describe", "presets", "InputError",
           "IoError"]


def open(path):  # noqa: A001 - frugal.open reads as the file it opens
    """Opens a frugal result file (FILE.h5 or FILE.h5.partial). See `Results`."""
    return Results(path)
