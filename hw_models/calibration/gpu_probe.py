#!/usr/bin/python3
"""frugal's GPU probe: measures the kernel phases that `frugal calibrate gpu --fit` fits a preset
to, on the first CUDA device, and writes them as a measurement file (the format of
hw_models/calibration/h200-kernels-2026-12-04.json).

usage: python3 gpu_probe.py --out FILE.json [--seconds S] [--device cuda|cpu] [--quick]

`frugal calibrate gpu --measure FILE.json` runs this script (it is built into frugal; `frugal
calibrate gpu --probe-script` prints it, to run on a machine without frugal). Needs PyTorch 2 with
CUDA. Board energy comes from NVML's total-energy counter (pynvml, Debian's python3-pynvml)
where the card has one; otherwise from nvidia-smi's power readings every 100 ms, integrated.
Each phase runs for S seconds (default 2) after warm-up: about 2 minutes in all. --device cpu
--quick runs every phase small on the CPU, without energy: a smoke test of this script, whose
file frugal refuses to fit.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import threading
import time

import torch
import torch.nn.functional as F

GIB = 1 << 30


class Energy:
    """Board energy in joules: NVML's counter, or nvidia-smi's power samples integrated."""

    def __init__(self, device):
        self.source, self._nvml, self._smi = "none", None, None
        if device.type != "cuda":
            return
        try:
            import pynvml

            pynvml.nvmlInit()
            handle = pynvml.nvmlDeviceGetHandleByIndex(device.index or 0)
            pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            self._nvml, self._handle = pynvml, handle
            self.source = "NVML total-energy counter"
            return
        except Exception:  # no pynvml, or a card without the counter
            pass
        self._samples, self._lock = [], threading.Lock()
        self._smi = subprocess.Popen(
            ["nvidia-smi", "--query-gpu=power.draw", "--format=csv,noheader,nounits", "-lms",
             "100", "-i", str(device.index or 0)], stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.source = "nvidia-smi power every 100 ms, integrated"

    def _read(self):
        for line in self._smi.stdout:
            try:
                watts = float(line.strip())
            except ValueError:
                continue
            with self._lock:
                self._samples.append((time.time(), watts))

    def start(self):
        self._t0 = time.time()
        if self._nvml:
            self._e0 = self._nvml.nvmlDeviceGetTotalEnergyConsumption(self._handle)

    def stop(self):
        """Joules since start(), or None without a source."""
        t1 = time.time()
        if self._nvml:
            return (self._nvml.nvmlDeviceGetTotalEnergyConsumption(self._handle) - self._e0) / 1e3
        if self._smi:
            time.sleep(0.15)  # the last sample of the interval
            with self._lock:
                inside = [w for t, w in self._samples if self._t0 <= t <= t1]
            return sum(inside) / len(inside) * (t1 - self._t0) if inside else None
        return None

    def close(self):
        if self._smi:
            self._smi.terminate()


def nbytes(tensor):
    return tensor.numel() * tensor.element_size()


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(name, body, seconds, device, energy, graph=False, flops=None, nbytes=None):
    """Runs body() for `seconds` after warm-up (replayed from a CUDA graph with graph=True) and
    returns the phase's record."""
    run = body
    if graph and device.type == "cuda":
        stream = torch.cuda.Stream(device)
        stream.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(stream):
            for _ in range(3):
                body()
        torch.cuda.current_stream(device).wait_stream(stream)
        captured = torch.cuda.CUDAGraph()
        with torch.cuda.graph(captured):
            body()
        run = captured.replay
    else:
        graph = False
        for _ in range(3):
            body()
    sync(device)
    # Calls per timing check: enough that the check costs nothing, few enough to stop in time.
    start = time.time()
    run()
    sync(device)
    per_check = max(1, min(1000, int(0.05 / max(time.time() - start, 1e-7))))
    energy.start()
    start, iters = time.time(), 0
    while time.time() - start < seconds:
        for _ in range(per_check):
            run()
        iters += per_check
        sync(device)
    wall = time.time() - start
    joules = energy.stop()
    record = {"iters": iters, "s_per_iter": wall / iters, "graph": graph}
    if joules is not None:
        record["j_per_iter"] = joules / iters
        record["mean_power_w"] = joules / wall
    if flops:
        record["tflops"] = flops / record["s_per_iter"] / 1e12
    if nbytes:
        record["tb_per_s"] = nbytes / record["s_per_iter"] / 1e12
    summary = f"{record['s_per_iter'] * 1e6:12.2f} us"
    if "mean_power_w" in record:
        summary += f"  {record['mean_power_w']:7.1f} W"
    print(f"{name:40s}{summary}", flush=True)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="the measurement file to write (JSON)")
    parser.add_argument("--seconds", type=float, default=2.0, help="per phase, after warm-up")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--quick", action="store_true",
                        help="every phase small: a smoke test (frugal refuses to fit the file)")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("gpu_probe: no CUDA device visible to PyTorch (is this a GPU machine with a CUDA "
                 "build of PyTorch?)")
    if not args.quick and args.device == "cpu":
        sys.exit("gpu_probe: --device cpu is a smoke test: give --quick")
    device = torch.device("cuda:0" if args.device == "cuda" else "cpu")
    # Sizes: the phases' own, or small ones (--quick), scaled down by `s` in each dimension.
    s = 16 if args.quick else 1
    gib = GIB // (s * s * s)
    energy = Energy(device)
    phases = {}

    def phase(name, body, **kwargs):
        phases[name] = measure(name, body, args.seconds, device, energy, **kwargs)

    bf16 = torch.bfloat16
    rand = lambda *shape, dtype=bf16: torch.randn(*shape, device=device, dtype=dtype)

    # The idle board, a context held.
    energy.start()
    time.sleep(max(args.seconds, 0.05))
    joules = energy.stop()
    phases["idle"] = {"iters": 1, "s_per_iter": max(args.seconds, 0.05), "graph": False}
    if joules is not None:
        phases["idle"].update(j_per_iter=joules, mean_power_w=joules / phases["idle"]["s_per_iter"])

    one, other = rand(1), rand(1)
    phase("eager_tiny_add", lambda: one + other)

    # Square products, eager and replayed from a CUDA graph; fp32 on the CUDA cores, tf32.
    for n in (256, 512, 1024, 2048, 4096, 8192, 16384):
        m = max(n // s, 16)
        a, b = rand(m, m), rand(m, m)
        if n <= 8192:
            phase(f"eager_gemm_bf16_{n}", lambda: a @ b, flops=2 * m ** 3)
        phase(f"gemm_bf16_{n}_graph", lambda: a @ b, graph=True, flops=2 * m ** 3)
        del a, b
    m = 8192 // s
    a, b = rand(m, m, dtype=torch.float32), rand(m, m, dtype=torch.float32)
    torch.backends.cuda.matmul.allow_tf32 = False
    phase("eager_gemm_fp32_8192", lambda: a @ b, flops=2 * m ** 3)
    torch.backends.cuda.matmul.allow_tf32 = True
    phase("eager_gemm_tf32_8192", lambda: a @ b, flops=2 * m ** 3)
    torch.backends.cuda.matmul.allow_tf32 = False
    del a, b

    # GPT-2 small's products at 8 x 1024 tokens; ResNet-50's 3x3 convolution as im2col.
    tokens = 8192 // s
    for name, k, n in (("lmhead_50257", 768, 50257), ("lmhead_50304", 768, 50304),
                       ("qkv", 768, 2304), ("mlp_down", 3072, 768)):
        x, w = rand(tokens, k), rand(k, n // s if s > 1 else n)
        phase(f"gemm_bf16_gpt2_{name}_graph", lambda: x @ w, graph=True,
              flops=2 * tokens * k * w.shape[1])
        del x, w
    x, w = rand(64 * 56 * 56 // s, 64 * 9), rand(64 * 9, 64)
    phase("gemm_bf16_resnet_3x3_im2col_graph", lambda: x @ w, graph=True,
          flops=2 * x.shape[0] * 576 * 64)
    del x, w
    batch = 1 if args.quick else 256
    x = rand(batch, 256, 56, 56).to(memory_format=torch.channels_last)
    conv = torch.nn.Conv2d(256, 256, 3, padding=1, bias=False).to(device, bf16)
    conv = conv.to(memory_format=torch.channels_last)
    with torch.no_grad():
        phase("conv3x3_256to256_56x56_bs256_fwd", lambda: conv(x), graph=True,
              flops=2 * batch * 56 * 56 * 256 * 256 * 9)
    del x, conv

    # Elementwise kernels over 1 GiB of bf16, and an eager copy of 4 GiB.
    x = rand(gib // 2)
    y, z = torch.empty_like(x), rand(gib // 2)
    phase("copy_bf16_1gib_graph", lambda: y.copy_(x), graph=True, nbytes=2 * gib)
    phase("add_bf16_1gib_graph", lambda: torch.add(x, z, out=y), graph=True, nbytes=3 * gib)
    phase("relu_bf16_1gib_graph", lambda: torch.relu(x), graph=True, nbytes=2 * gib)
    phase("gelu_tanh_bf16_1gib_graph", lambda: F.gelu(x, approximate="tanh"), graph=True,
          nbytes=2 * gib)
    phase("dropout_bf16_1gib_graph", lambda: F.dropout(x, 0.1, training=True), graph=True,
          nbytes=2 * gib)
    del x, y, z
    src = torch.empty(4 * gib, dtype=torch.uint8, device=device)
    dst = torch.empty_like(src)
    phase("eager_copy_4gib", lambda: dst.copy_(src), nbytes=8 * gib)
    del src, dst
    host = torch.empty(gib, dtype=torch.uint8, pin_memory=device.type == "cuda")
    target = torch.empty(gib, dtype=torch.uint8, device=device)
    phase("h2d_pinned_1gib", lambda: target.copy_(host, non_blocking=True), nbytes=gib)
    del host, target

    # Normalization, pooling, softmax, attention, in channels-last bf16.
    x = rand(batch, 256, 56, 56).to(memory_format=torch.channels_last)
    bn = torch.nn.BatchNorm2d(256).to(device, bf16)
    with torch.no_grad():
        phase("batchnorm_fwd_256x256x56x56_cl", lambda: bn(x), graph=True, nbytes=2 * nbytes(x))
    xg = x.detach().requires_grad_()
    phase("batchnorm_fwd_bwd_256x256x56x56_cl", lambda: bn(xg).sum().backward(),
          nbytes=5 * nbytes(x))
    del x, xg, bn
    x = rand(batch, 64, 112, 112).to(memory_format=torch.channels_last)
    phase("maxpool3x3s2_fwd_256x64x112x112_cl", lambda: F.max_pool2d(x, 3, 2, 1), graph=True,
          nbytes=nbytes(x) * 5 // 4)
    del x
    x = rand(max(96 // s, 1), 1024, 1024)
    phase("softmax_bf16_96x1024x1024", lambda: torch.softmax(x, -1), graph=True,
          nbytes=2 * nbytes(x))
    del x
    x = rand(tokens, 768)
    ln = torch.nn.LayerNorm(768).to(device, bf16)
    with torch.no_grad():
        phase("layernorm_bf16_8192x768", lambda: ln(x), graph=True, nbytes=2 * nbytes(x))
    del x, ln
    if hasattr(F, "scaled_dot_product_attention"):
        q, k, v = (rand(max(8 // s, 1), 12, 1024, 64) for _ in range(3))
        phase("sdpa_causal_bf16_8x12x1024x64_fwd",
              lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True), graph=True,
              flops=2 * q.shape[0] * 12 * 1024 * 1024 * 64)
        del q, k, v

    # An AdamW step over GPT-2 small's 124M parameters in fp32 (foreach kernels).
    count = 124_000_000 // (s ** 3)
    params = [torch.nn.Parameter(torch.randn(count // 100, device=device)) for _ in range(100)]
    for p in params:
        p.grad = torch.randn_like(p)
    optimizer = torch.optim.AdamW(params, lr=1e-4)
    phase("adamw_step_124M_fp32", optimizer.step, nbytes=count * 4 * 7)
    energy.close()

    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        card = (f"{props.name} ({props.total_memory / 1e9:.0f} GB, "
                f"{props.multi_processor_count} SMs)")
        software = f"PyTorch {torch.__version__} (CUDA {torch.version.cuda})"
    else:
        card, software = "the CPU (a smoke test)", f"PyTorch {torch.__version__}"
    report = {
        "device": card,
        "software": software,
        "date": datetime.date.today().isoformat(),
        "method": ("frugal's gpu_probe.py: each phase repeated for %g s after warm-up; s_per_iter "
                   "is wall time per call with the device synchronized; j_per_iter is board "
                   "energy (%s) over the same interval divided by calls; 'graph': replayed from "
                   "a CUDA graph, otherwise eager PyTorch" % (args.seconds, energy.source)),
        "energy": energy.source,
        "quick": args.quick,
        "phases": phases,
    }
    partial = args.out + ".partial"
    with open(partial, "w") as f:
        json.dump(report, f, indent=1)
    os.replace(partial, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
