#!/usr/bin/python3
"""Synaptic events per second: frugal's spiking simulation against Brian2's default runtime.

The same network (mlp 784-256-128-10 shape: a rate-coding encoder, two integrate-and-fire
layers, an integrating output; seeded random weights) and the same input (seeded intensities)
run for T timesteps in Brian2 (its default code generation target, after a first run compiled
what it needs) and in frugal's hw::neuro::run_spiking (through build/tests/frugal_spiking_check,
the process's start included). Both count the same spikes (checked); events = spikes x fan-out.

Usage: bench/bench_snn.py build/tests/frugal_spiking_check [T]
"""
import importlib.util
import os
import sys
import time

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "lif", os.path.join(here, "..", "tests", "python", "test_brian2_lif.py"))
lif = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lif)
import brian2 as b2  # noqa: E402  (after the module set numpy as the target)


def main(argv):
    tool = argv[1]
    timesteps = int(argv[2]) if len(argv) > 2 else 2000
    rng = np.random.default_rng(0)
    sizes = [784, 256, 128, 10]
    layers = [(rng.integers(-6, 8, size=(o, i)) / 256.0, rng.integers(-2, 3, size=o) / 256.0)
              for i, o in zip(sizes[:-1], sizes[1:])]
    x = rng.integers(0, 65, size=sizes[0]) / 64.0
    b2.prefs.codegen.target = "auto"  # Brian2's default
    lif.run_brian2(layers, x, 10, 0.0, 1.0, 0)  # compile once
    start = time.perf_counter()
    brian = lif.run_brian2(layers, x, timesteps, 0.0, 1.0, 0)
    brian_s = time.perf_counter() - start
    start = time.perf_counter()
    frugal = lif.run_frugal(tool, layers, x, timesteps, 0.0, 1.0, 0)
    frugal_s = time.perf_counter() - start
    assert all(np.array_equal(a, b) for a, b in zip(brian, frugal)), "spike counts differ"
    events = sum(float(c.sum()) * fan_out for c, fan_out in zip(brian, sizes[1:]))
    print(f"network 784-256-128-10, {timesteps} timesteps, {events:.3g} synaptic events "
          f"(identical spikes on both sides)")
    print(f"Brian2 ({b2.prefs.codegen.target}, {b2.__version__}): {brian_s:.3f} s, "
          f"{events / brian_s:.3g} events/s")
    print(f"frugal run_spiking:       {frugal_s:.3f} s, {events / frugal_s:.3g} events/s")
    print(f"frugal / Brian2: {brian_s / frugal_s:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
