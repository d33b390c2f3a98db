#!/usr/bin/python3
"""frugal's trainer against PyTorch, side by side: accuracy and speed of bp on Fashion-MNIST.

usage: /usr/bin/python3 bench/torch_mlp_compare.py FRUGAL [--epochs E] [--lr LR]
                [--lr-schedule constant|cosine] [--seed S] [--threads 1,2]

Both train mlp:784-256-128-10 (ReLU) with softmax cross-entropy, nn.Linear's initialization
scheme (U(±1/√in) for weights and biases; the values differ, each framework drawing its own),
SGD with momentum 0.9 (the learning rate constant or on frugal's per-epoch cosine schedule),
batch 64, over the full training set in the same order: the permutation of each epoch is
frugal's (SplitMix64 Fisher–Yates from the seed, replicated below). frugal trains on one thread;
PyTorch runs in a process of its own for each thread count of --threads (OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS set to it), and says which BLAS it loaded: raced at its best, that is
OpenBLAS (Debian's libopenblas0-pthread, which scripts/setup.sh --test installs), not the
reference BLAS, which it warns of. Prints the test accuracy after each epoch, the time per epoch
and frugal's peak memory; exits 1 if the final accuracies differ by more than one point.
"""
import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore")
parser = argparse.ArgumentParser()
parser.add_argument("frugal")
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
parser.add_argument("--threads", default="1,2", help="PyTorch's thread counts, comma-separated")
parser.add_argument("--torch-child", type=int, help=argparse.SUPPRESS)  # one PyTorch run
args = parser.parse_args()
MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def shuffle(order, state):
    for i in range(len(order) - 1, 0, -1):
        state, r = splitmix64(state)
        j = r % (i + 1)
        order[i], order[j] = order[j], order[i]
    return state


def blas_loaded():
    """The BLAS library this process mapped, and its kind."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.split()[-1].lower()}
    path = sorted(paths)[0] if paths else "none found"
    kind = ("OpenBLAS" if "openblas" in path else "the reference BLAS (slow: install "
            "libopenblas0-pthread)" if "/blas/" in path else "unknown")
    return path, kind


def read(name, offset, shape):
    return np.frombuffer(gzip.open(f"{args.data}/{name}").read(), np.uint8,
                         offset=offset).reshape(shape)


def torch_run(threads):
    """PyTorch's training on `threads` threads: accuracies, seconds per epoch, its BLAS."""
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    x = torch.from_numpy(read("train-images-idx3-ubyte.gz", 16, (-1, 784)).astype(np.float32) / 255)
    y = torch.from_numpy(read("train-labels-idx1-ubyte.gz", 8, (-1,)).astype(np.int64))
    xt = torch.from_numpy(read("t10k-images-idx3-ubyte.gz", 16, (-1, 784)).astype(np.float32) / 255)
    yt = torch.from_numpy(read("t10k-labels-idx1-ubyte.gz", 8, (-1,)).astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    order, state = list(range(len(y))), args.seed
    torch_acc, torch_epoch_s = [], []
    for epoch in range(args.epochs):
        if args.lr_schedule == "cosine":  # frugal's: η·(1 + cos(π·e/E))/2 in epoch e of E
            for group in opt.param_groups:
                group["lr"] = args.lr * 0.5 * (1 + np.cos(np.pi * epoch / args.epochs))
        state = shuffle(order, state)
        perm = torch.tensor(order)
        start = time.time()
        for i in range(0, len(order), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        torch_epoch_s.append(time.time() - start)
        with torch.no_grad():
            torch_acc.append((model(xt).argmax(1) == yt).float().mean().item())

    return {"accuracy": torch_acc, "epoch_s": torch_epoch_s, "blas": blas_loaded()}


if args.torch_child is not None:
    print(json.dumps(torch_run(args.torch_child)))
    sys.exit(0)

# --- frugal: one process, timed, its peak resident memory from the kernel
start = time.time()
run = subprocess.run([args.frugal, "run", "--train", "--dataset", "fashion-mnist", "--data-dir",
                      args.data, "--epochs", str(args.epochs), "--model", "mlp:784-256-128-10",
                      "--rule", "bp", "--batch", "64", "--lr", str(args.lr), "--momentum", "0.9",
                      "--lr-schedule", args.lr_schedule,
                      "--seed", str(args.seed), "--json"], capture_output=True, text=True)
frugal_wall = time.time() - start
if run.returncode != 0:
    sys.exit(f"frugal failed: {run.stderr}")
frugal_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
frugal_acc = [e["test_accuracy"] for e in json.loads(run.stdout)["training"]["epochs"]]

# --- PyTorch, the same order, a process for each thread count
torch_runs = {}
for threads in [int(t) for t in args.threads.split(",")]:
    # At its best: OpenBLAS's own thread pool contends with PyTorch's OpenMP one on few cores, so
    # with several threads the BLAS pool runs at one thread or at as many, the faster kept.
    for blas_threads in sorted({1, threads}):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(blas_threads))
        child = subprocess.run([sys.executable, __file__, args.frugal, "--epochs", str(args.epochs),
                                "--lr", str(args.lr), "--lr-schedule", args.lr_schedule, "--seed",
                                str(args.seed), "--data", args.data, "--torch-child", str(threads)],
                               env=env, capture_output=True, text=True, check=True)
        r = json.loads(child.stdout.strip().splitlines()[-1])
        r["blas_threads"] = blas_threads
        if threads not in torch_runs or (np.median(r["epoch_s"]) <
                                         np.median(torch_runs[threads]["epoch_s"])):
            torch_runs[threads] = r

print(f"{'epoch':>5} {'frugal test acc':>16} {'PyTorch test acc':>17}")
first = next(iter(torch_runs.values()))
torch_acc = first["accuracy"]
for e in range(args.epochs):
    print(f"{e + 1:>5} {100 * frugal_acc[e]:>15.2f}% {100 * torch_acc[e]:>16.2f}%")
print(f"frugal: {frugal_wall:.2f} s for the whole run ({args.epochs} epochs, data loading, "
      f"evaluation, and the cost simulation) on 1 thread, peak memory {frugal_rss_mb:.0f} MB")
path, kind = first["blas"]
print(f"PyTorch {torch.__version__} with {kind} ({path})")
for threads, r in torch_runs.items():
    epoch_s = float(np.median(r["epoch_s"]))
    print(f"PyTorch, {threads} thread{'s' * (threads > 1)} (BLAS pool {r['blas_threads']}): "
          f"{epoch_s:.2f} s per epoch (training only, median); frugal per epoch is at least "
          f"{epoch_s * args.epochs / frugal_wall:.2f}x as fast")
gap = abs(frugal_acc[-1] - torch_acc[-1])
print(f"final accuracy gap: {100 * gap:.2f} points (allowed: 1)")
sys.exit(0 if gap <= 0.01 else 1)
