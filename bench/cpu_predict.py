#!/usr/bin/python3
"""Out-of-sample CPU predictions on the machine this runs on (issue 20).

1. `frugal calibrate cpu --measure` fits a preset of this machine to microbenchmarks only
   (products, streams, tiny 4-4-2 training steps; nothing of the networks below).
2. frugal predicts, from that preset, the epoch time (Fashion-MNIST, 60,000 images, batch 64,
   bp with momentum) of
   - its own trainer (--runtime graph --threads 1) on mlp:784-256-128-10 and cnn-fmnist;
   - PyTorch eager (--runtime eager --threads 1 and 2) on the same MLP.
3. Each is measured: frugal's trainer as the difference of --train runs of 2 and 1 epochs (so
   data loading, set-up and evaluation cancel), PyTorch as the sum of its steps.
Prints one row per case: predicted, measured, ratio.

usage: /usr/bin/python3 bench/cpu_predict.py [--frugal build/frugal] [--preset FILE.ini]
       [--seconds S]
PyTorch runs at its best: with OpenBLAS as the BLAS (apt install libopenblas0-pthread, and
libopenblas0-openmp for the variant that shares PyTorch's OpenMP pool).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

EPOCH_IMAGES = 60000
BATCH = 64
STEPS = -(-EPOCH_IMAGES // BATCH)  # the last batch is partial: 938 steps


def frugal_json(frugal, *args):
    out = subprocess.run([frugal, "run", "--json", *args], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def predicted_epoch(frugal, preset, model, runtime, threads):
    d = frugal_json(frugal, "--hw", preset, "--model", model, "--batch", str(BATCH), "--rule",
                    "bp", "--runtime", runtime, "--threads", str(threads))
    return d["latency_s"] * STEPS


def measured_trainer_epoch(frugal, model, subset):
    """One epoch of frugal's trainer: the difference of 2 and 1 epochs on the same `subset` of
    images (loading, set-up and the cost simulation cancel; the 64 test images' evaluation is
    noise), scaled to 60,000 images; each run the fastest of three."""
    def run(epochs):
        start = time.perf_counter()
        subprocess.run([frugal, "run", "--train", "--epochs", str(epochs), "--model", model,
                        "--batch", str(BATCH), "--rule", "bp", "--dataset", "fashion-mnist",
                        "--train-subset", str(subset), "--test-subset", "64"],
                       check=True, capture_output=True)
        return time.perf_counter() - start
    one = min(run(1) for _ in range(3))
    two = min(run(2) for _ in range(3))
    per_step = (two - one) / -(-subset // BATCH)
    return per_step * STEPS


TORCH_EPOCH = r"""
import gzip, os, sys, time
import numpy as np
import torch
torch.set_num_threads(int(sys.argv[2]))
with gzip.open(os.path.join(sys.argv[1], "train-images-idx3-ubyte.gz")) as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
with gzip.open(os.path.join(sys.argv[1], "train-labels-idx1-ubyte.gz")) as f:
    y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
x, y = torch.from_numpy(x), torch.from_numpy(y)
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                          torch.nn.ReLU(), torch.nn.Linear(128, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
loss = torch.nn.CrossEntropyLoss()
def epoch():
    order = torch.randperm(x.shape[0])
    start = time.perf_counter()
    for i in range(0, x.shape[0], 64):
        index = order[i:i + 64]
        opt.zero_grad()
        loss(net(x[index]), y[index]).backward()
        opt.step()
    return time.perf_counter() - start
epoch()  # warm-up
print(min(epoch() for _ in range(2)))
"""


OPENMP_BLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"


def measured_torch_epoch(threads, data_dir):
    """PyTorch at its best on `threads` threads: the fastest of its BLAS pool at one thread or at
    as many, with the installed BLAS and, where libopenblas0-openmp is installed, with OpenBLAS
    on OpenMP (one pool with PyTorch's: OpenBLAS's pthread pool contends with it on few cores)."""
    best = float("inf")
    libraries = [None] + ([OPENMP_BLAS] if os.path.isdir(OPENMP_BLAS) else [])
    for library in libraries:
        for blas_threads in sorted({1, threads}):
            env = dict(os.environ)
            env["OMP_NUM_THREADS"] = str(threads)
            for v in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
                env[v] = str(blas_threads)
            if library:
                env["LD_LIBRARY_PATH"] = library
            out = subprocess.run([sys.executable, "-c", TORCH_EPOCH, data_dir, str(threads)],
                                 env=env, check=True, capture_output=True, text=True).stdout
            best = min(best, float(out.strip().splitlines()[-1]))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frugal", default="build/frugal")
    parser.add_argument("--preset", help="a calibrated preset (default: calibrate now)")
    parser.add_argument("--seconds", type=float, default=1.0, help="calibration s per phase")
    parser.add_argument("--data", default=os.environ.get("FRUGAL_DATA_DIR",
                                                         "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()
    preset = args.preset
    if not preset:
        tmp = tempfile.mkdtemp(prefix="frugal-cpu-predict-")
        preset = os.path.join(tmp, "this-machine.ini")
        subprocess.run([args.frugal, "calibrate", "cpu", "--measure",
                        os.path.join(tmp, "measurements.json"), "--seconds", str(args.seconds),
                        "--out", preset], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    rows = []
    for model, subset in (("mlp:784-256-128-10", 60000), ("cnn-fmnist", 6400)):
        rows.append((f"frugal trainer, {model}, 1 thread",
                     predicted_epoch(args.frugal, preset, model, "graph", 1),
                     measured_trainer_epoch(args.frugal, model, subset)))
    for threads in (1, 2):
        rows.append((f"PyTorch eager, mlp:784-256-128-10, {threads} thread{'s' * (threads > 1)}",
                     predicted_epoch(args.frugal, preset, "mlp:784-256-128-10", "eager", threads),
                     measured_torch_epoch(threads, args.data)))
    print(f"{'epoch of Fashion-MNIST, batch 64, bp':<52} {'predicted':>10} {'measured':>10} "
          f"{'ratio':>6}")
    for name, predicted, measured in rows:
        print(f"{name:<52} {predicted:>9.3f}s {measured:>9.3f}s {predicted / measured:>6.2f}")
    print(f"preset: {preset}")


if __name__ == "__main__":
    main()
