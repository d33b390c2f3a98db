"""frugal's C++ core from Python, without the command line: run, sweep, describe, presets.

    import frugal

    row = frugal.run(model="mlp:784-256-128-10", rule="dfa", hw="gpu:a100-80gb", batch=64)
    row["energy_j"]                          # the /scenarios row as a dict: every metric

    res = frugal.sweep("out/study.h5", rule=["bp", "dfa"], hw=["cpu", "gpu:a100-80gb"],
                       batch="16:256:16", seeds=2)
    ds = res.to_xarray()
    ds.job_energy_j.sel(rule="bp")

    frugal.describe("resnet50", rule="bp")   # layers, parameters, MACs (a dict)
    frugal.presets()                         # every preset, its parameters with unit and source

Options are `frugal run --help`'s, with '_' for '-' (train_subset=1000); a preset parameter is
hw_NAME (hw_dram_energy_per_byte="10 pJ/bit"). Values are Python values: True, 0.05, 64, or text
as the command line takes it ("10 pJ/bit", "log:1:1024:11"). A bad option or value raises
frugal.InputError (a ValueError) with the command line's one-line message; a file that cannot be
read or written raises frugal.IoError (an OSError).

The core is the extension module frugal._core, built with frugal (build/python/frugal/, or the
folder FRUGAL_BUILD_DIR names): `./scripts/build.sh` makes it when pybind11-dev is installed.
"""
import json
import os
import warnings
from pathlib import Path

__all__ = ["run", "sweep", "describe", "presets", "InputError", "IoError", "core"]


class InputError(ValueError):
    """Bad input: an unknown option, a value out of range, a file that is not what it should be."""


class IoError(OSError):
    """A file frugal could not read or write."""


_core = None


def core():
    """The extension module frugal._core, found in the build folder (FRUGAL_BUILD_DIR, else
    build/ of this checkout)."""
    global _core
    if _core is None:
        import frugal
        root = Path(__file__).resolve().parents[3]
        build = Path(os.environ.get("FRUGAL_BUILD_DIR", root / "build"))
        folder = str(build / "python" / "frugal")
        if folder not in frugal.__path__:
            frugal.__path__.append(folder)
        try:
            from frugal import _core as module
        except ImportError as e:
            raise ImportError(f"frugal's core is not built in {folder} ({e}): run "
                              "./scripts/build.sh (it needs pybind11-dev: scripts/setup.sh "
                              "installs it), or set FRUGAL_BUILD_DIR to your build folder") from None
        _core = module
    return _core


def _call(name, *args):
    """Calls the core's function `name`, raising its errors as frugal.InputError or IoError."""
    module = core()
    try:
        return getattr(module, name)(*args)
    except module.InputError as e:
        raise InputError(str(e)) from None
    except module.IoError as e:
        raise IoError(str(e)) from None


def _key(name):
    """A keyword as the option or preset parameter it names: train_subset -> train-subset,
    hw_clock -> hw.clock."""
    if name.startswith("hw_"):
        return "hw." + name[3:]
    return name.replace("_", "-")


def _text(value):
    """One value as the command line writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _values(value):
    """A sweep axis: a list, tuple or range of values (an item with a comma is quoted), or text
    in the sweep syntax ("16:256:16", "log:1:1024:11", "bp,dfa")."""
    if isinstance(value, (list, tuple, range)):
        items = [_text(v) for v in value]
        return ",".join(f'"{v}"' if "," in v else v for v in items)
    return _text(value)


def run(out=None, force=False, **options):
    """One scenario, as `frugal run` runs it; returns its /scenarios row as a dict (energy_j,
    latency_s, accuracy, ...). With `out`, also writes the result file."""
    settings = [(_key(k), _text(v)) for k, v in options.items()]
    return _call("run", settings, out or "", force)


def sweep(out, jobs=None, seeds=None, zip=None, config=None, force=False, quiet=True,
          **axes):
    """Many scenarios, as `frugal sweep` runs them (forked workers, the same file), into `out`;
    returns frugal.open(out). An axis takes a list (rule=["bp", "dfa"]) or sweep text
    (batch="16:256:16"); zip names axes that vary together (zip=["batch", "lr"], or a list of
    such lists); config is a sweep file or a list of them. Scenarios that fail are in the file
    with their status and error, and a warning says how many."""
    import frugal
    args = ["--out", str(out)]
    for key, value in axes.items():
        if key.startswith("hw_"):  # a preset parameter: --set hw.NAME=VALUES
            args += ["--set", f"{_key(key)}={_values(value)}"]
        else:
            args += [f"--{_key(key)}", _values(value)]
    if zip:
        groups = [zip] if all(isinstance(z, str) for z in zip) else zip
        for group in groups:
            args += ["--zip", ",".join(_key(k) for k in group)]
    for path in [config] if isinstance(config, (str, os.PathLike)) else (config or []):
        args += ["--config", str(path)]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    if seeds is not None:
        args += ["--seeds", str(seeds)]
    if force:
        args.append("--force")
    if quiet:
        args.append("--quiet")
    code = _call("sweep", args)
    if code == 130:
        raise KeyboardInterrupt("frugal.sweep was interrupted; rerun with the same arguments "
                                "on the command line plus --resume to finish it")
    result = frugal.open(out)
    if code != 0:
        failed = (result.scenarios()["status"] != "ok").sum()
        warnings.warn(f"frugal.sweep: {failed} scenario(s) did not finish (see their status "
                      "and error columns)", stacklevel=2)
    return result


def describe(model, rule=None, batch=1, optimizer=None):
    """A model's layers, parameters, MACs and activation memory (and with `rule`, the rule's
    training step), as `frugal describe --json` gives them."""
    return json.loads(_call("describe", model, rule or "", int(batch), optimizer or ""))


def presets():
    """Every built-in preset: name, device, description, whether it is its device's default,
    and its parameters (name, text, value in SI, unit, description, source)."""
    return _call("presets")
