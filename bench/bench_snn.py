#!/usr/bin/python3
"""frugal's spiking simulation against a warm Brian2, on the same network and the same images.

The network is 784-256-128-10 (a rate-coding encoder, two integrate-and-fire layers, an
integrating output) with seeded weights, multiples of 1/256, and seeded images whose intensities
are multiples of 1/64, so that both sides add exactly and must count the same spikes (checked,
neuron by neuron). Brian2 runs its default code generation target (Cython where it compiles) and
is timed warm: its objects keep the same names from network to network, so the code it compiled
for the first run is reused, and every timed run follows an untimed one of the same network.
frugal runs hw::neuro::run_spiking (through build/tests/frugal_spiking_check), timed in the
process around the call alone: the fastest of three.

Three races, each reported with its time on both sides:
  single image: one image, T timesteps; Brian2 runs the network it built (state restored).
  images one after another: N images; Brian2 restores its network and sets the next image's
      intensities before each run (its usual way to run many inputs through one network).
  images at once: N images; Brian2 runs N copies of the network as one (its groups N times
      larger, the synapses block-diagonal), frugal a batch of N: each side at its best.
frugal's synaptic input is computed both ways (a dense product and event by event), and the
automatic choice between them.

Usage: bench/bench_snn.py build/tests/frugal_spiking_check [T] [N]
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

SIZES = [784, 256, 128, 10]


def timed_run(net, timesteps):
    """Seconds of a warm net.run of `timesteps`: the same run once before, state restored."""
    net.store("start")
    net.run(timesteps * b2.ms)
    net.restore("start")
    start = time.perf_counter()
    net.run(timesteps * b2.ms)
    return time.perf_counter() - start


def brian2_sequential(layers, images, timesteps):
    """Brian2, one network, the images one after another; counts summed, seconds for all."""
    net, monitors = lif.build_brian2(layers, images[0], 0.0, 1.0, 0)
    encoder = net["encoder"]
    net.store("start")
    net.run(timesteps * b2.ms)  # warm: compiled and prepared
    totals = [np.zeros(n) for n in SIZES[:-1]]
    seconds = 0.0
    for image in images:
        net.restore("start")
        encoder.x = image
        start = time.perf_counter()
        net.run(timesteps * b2.ms)
        seconds += time.perf_counter() - start
        for total, count in zip(totals, lif.counts_of(monitors)):
            total += count
    return totals, seconds


def events(counts):
    return sum(float(c.sum()) * fan_out for c, fan_out in zip(counts, SIZES[1:]))


def race(name, brian_counts, brian_s, tool, layers, images, timesteps):
    print(f"\n{name}: Brian2 {brian_s:.4f} s, {events(brian_counts) / brian_s:.3g} events/s")
    for path in ("dense", "events", "automatic"):
        counts, seconds = lif.run_frugal(tool, layers, images, timesteps, 0.0, 1.0, 0, path)
        assert all(np.array_equal(a, b) for a, b in zip(brian_counts, counts)), \
            f"{name}: frugal's {path} path counts other spikes than Brian2"
        print(f"  frugal {path:9s} {seconds:.6f} s, {events(counts) / seconds:.3g} events/s, "
              f"{brian_s / seconds:.0f}x Brian2")


def main(argv):
    tool = argv[1]
    timesteps = int(argv[2]) if len(argv) > 2 else 32
    n = int(argv[3]) if len(argv) > 3 else 100
    rng = np.random.default_rng(0)
    layers = [(rng.integers(-6, 8, size=(o, i)) / 256.0, rng.integers(-2, 3, size=o) / 256.0)
              for i, o in zip(SIZES[:-1], SIZES[1:])]
    images = rng.integers(0, 65, size=(n, SIZES[0])) / 64.0
    b2.prefs.codegen.target = "auto"  # Brian2's default: Cython where it compiles
    b2.BrianLogger.log_level_warn()
    # The first build compiles; everything timed after it is warm.
    lif.run_brian2(layers, images[0], 2, 0.0, 1.0, 0)

    net, monitors = lif.build_brian2(layers, images[0], 0.0, 1.0, 0)
    single_s = timed_run(net, timesteps)
    single = lif.counts_of(monitors)
    sequential, sequential_s = brian2_sequential(layers, images, timesteps)
    net, monitors = lif.build_brian2(layers, images, 0.0, 1.0, 0)
    batched_s = timed_run(net, timesteps)
    batched = lif.counts_of(monitors, n)
    assert all(np.array_equal(a, b) for a, b in zip(sequential, batched))

    cells = sum(SIZES[:-1]) * n * timesteps
    rate = sum(float(c.sum()) for c in batched) / cells
    print(f"network 784-256-128-10, T = {timesteps}, N = {n} images, spike rate {rate:.3f} "
          f"(spikes per neuron and timestep over the encoder and hidden layers); "
          f"Brian2 {b2.__version__} ({b2.prefs.codegen.target}, warm)")
    race("single image", single, single_s, tool, layers, images[:1], timesteps)
    race(f"{n} images, Brian2 one after another", sequential, sequential_s, tool, layers, images,
         timesteps)
    race(f"{n} images at once (Brian2: {n} copies as one network)", batched, batched_s, tool,
         layers, images, timesteps)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
