#!/usr/bin/python3
"""frugal's leaky integrate-and-fire dynamics against Brian2 (Debian's python3-brian).

The same network (a rate-coding encoder of 40 inputs, two LIF layers of 30 and 20 neurons, an
integrating output of 10) with identical weights, biases, inputs and parameters runs in Brian2,
built from its own mechanisms (NeuronGroup thresholds and resets, Synapses on_pre), and in
frugal's hw::neuro::run_spiking (through tests/tools/spiking_check.cpp), its synaptic input as a
dense product and event by event. Every neuron's spike count must be identical, for
integrate-and-fire, a leak and a refractory period.

Discrete time as frugal steps it, one timestep = one Brian2 dt: the encoder adds its intensity
and spikes on reaching 1 (subtracting 1); a layer's awake neurons leak (v <- (1 - leak) v), add
their bias and the synaptic input of this timestep's spikes, spike at v >= theta and subtract
theta; a neuron that spiked stays silent `refractory` timesteps. Weights, biases and intensities
are multiples of 1/64 so that both sides add exactly.

Usage: test_brian2_lif.py FRUGAL_SPIKING_CHECK
"""
import subprocess
import sys

import numpy as np

import brian2 as b2

b2.prefs.codegen.target = "numpy"
b2.BrianLogger.log_level_warn()


def network(seed):
    rng = np.random.default_rng(seed)
    sizes = [40, 30, 20, 10]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = rng.integers(-20, 22, size=(n_out, n_in)) / 64.0
        b = rng.integers(-8, 8, size=n_out) / 64.0
        layers.append((w, b))
    x = rng.integers(0, 65, size=sizes[0]) / 64.0
    return layers, x


def build_brian2(layers, intensities, leak, theta, refractory):
    """The network in Brian2, as many independent copies as rows of `intensities` (copies x
    inputs; one copy for a vector), each copy's neurons a block of each group. Objects are named,
    so that a second network built alike reuses the code Brian2 compiled for the first. Returns
    the Network and its spike monitors, the encoder's first."""
    b2.start_scope()
    b2.defaultclock.dt = 1 * b2.ms
    x = np.atleast_2d(intensities)
    copies = x.shape[0]
    keep = 1.0 - leak
    enc = b2.NeuronGroup(x.size, "enc : 1\nx : 1", threshold="enc >= 1", reset="enc -= 1",
                         name="encoder")
    enc.x = x.ravel()
    enc.run_regularly("enc += x", when="start", name="encoder_input")
    groups, monitors, objects = [enc], [b2.SpikeMonitor(enc, name="encoder_spikes")], []
    order = 0
    enc.thresholder["spike"].when, enc.thresholder["spike"].order = "thresholds", order
    enc.resetter["spike"].when, enc.resetter["spike"].order = "thresholds", order + 1
    order += 2
    for k, (weights, biases) in enumerate(layers):
        last = k == len(layers) - 1
        g = b2.NeuronGroup(
            weights.shape[0] * copies, "v : 1\nbias : 1\nsilent : 1",
            threshold=None if last else f"v >= {theta} and silent <= 0",
            reset=None if last else f"v -= {theta}\nsilent = {refractory} + 1",
            name=f"layer{k}")
        g.bias = np.tile(biases, copies)
        awake = "int(silent <= 0)"
        g.run_regularly(
            f"v = v * ({keep} * {awake} + (1 - {awake})) + bias * {awake}" if not last
            else "v = v + bias", when="start", order=1, name=f"layer{k}_leak")
        g.run_regularly("silent -= 1", when="end", name=f"layer{k}_silent")
        s = b2.Synapses(groups[-1], g, "w : 1",
                        on_pre="v_post += w * int(silent_post <= 0)" if not last
                        else "v_post += w", name=f"synapses{k}")
        # weights are out x in: the synapse from input i to neuron j has weights[j, i]
        pre, post = np.nonzero(weights.T != 0)
        n_in, n_out = weights.shape[1], weights.shape[0]
        offsets = np.arange(copies)[:, None]
        s.connect(i=(pre + offsets * n_in).ravel(), j=(post + offsets * n_out).ravel())
        s.w = np.tile(weights.T[pre, post], copies)
        s.pre.when, s.pre.order = "thresholds", order
        order += 1
        if not last:
            g.thresholder["spike"].when, g.thresholder["spike"].order = "thresholds", order
            g.resetter["spike"].when, g.resetter["spike"].order = "thresholds", order + 1
            order += 2
            monitors.append(b2.SpikeMonitor(g, name=f"layer{k}_spikes"))
        groups.append(g)
        objects.append(s)
    net = b2.Network()
    net.add(groups, objects, monitors)
    return net, monitors


def counts_of(monitors, copies=1):
    """Each neuron's spikes, summed over the copies."""
    return [np.asarray(m.count[:]).reshape(copies, -1).sum(axis=0) for m in monitors]


def run_brian2(layers, intensities, timesteps, leak, theta, refractory):
    net, monitors = build_brian2(layers, intensities, leak, theta, refractory)
    net.run(timesteps * b2.ms)
    return counts_of(monitors)


def run_frugal(tool, layers, x, timesteps, leak, theta, refractory, path="automatic"):
    """Spike counts per layer from frugal (summed over the samples: x is one sample's intensities,
    or samples x inputs), and the seconds run_spiking took (the fastest of three runs)."""
    samples = np.atleast_2d(x)
    lines = [f"{timesteps} {leak!r} {theta!r} {refractory}", str(len(layers))]
    for w, b in layers:
        lines.append(f"{w.shape[0]} {w.shape[1]}")
        lines.append(" ".join(repr(v) for v in w.ravel()))
        lines.append(" ".join(repr(v) for v in b))
    lines.append(f"{samples.shape[1]} {samples.shape[0]}")
    lines.append(" ".join(repr(v) for v in samples.ravel()))
    lines.append(path)
    run = subprocess.run([tool], input="\n".join(lines), capture_output=True, text=True,
                         check=True)
    counts = [np.array([float(v) for v in line.split()]) for line in run.stdout.strip().splitlines()]
    seconds = float(run.stderr.split("seconds")[-1].split()[0])
    return counts[:-1], seconds  # the output layer integrates: no spikes to compare


def main(argv):
    tool = argv[1]
    failures = 0
    cases = [(0.0, 1.0, 0), (0.5, 1.0, 0), (0.25, 0.75, 2)]
    for seed in range(3):
        layers, x = network(seed)
        for leak, theta, refractory in cases:
            expected = run_brian2(layers, x, 50, leak, theta, refractory)
            for path in ("dense", "events"):
                got, _ = run_frugal(tool, layers, x, 50, leak, theta, refractory, path)
                same = all(np.array_equal(e, g) for e, g in zip(expected, got))
                total = [int(e.sum()) for e in expected]
                print(f"seed {seed} leak {leak} theta {theta} refractory {refractory}, "
                      f"frugal's {path} path: spikes per layer {total} "
                      f"{'identical' if same else 'DIFFER'}")
                if not same:
                    failures += 1
                    for k, (e, g) in enumerate(zip(expected, got)):
                        if not np.array_equal(e, g):
                            print(f"  layer {k}: brian2 {e.astype(int).tolist()}")
                            print(f"  layer {k}: frugal {g.astype(int).tolist()}")
    if failures:
        print(f"test_brian2_lif: FAIL ({failures} cases differ)")
        return 1
    print("test_brian2_lif: ok, identical spike counts per neuron")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
