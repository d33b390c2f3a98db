#!/usr/bin/python3
"""Measures a real NVIDIA GPU for frugal's GPU presets: bf16 GEMM throughput, HBM copy
bandwidth, and board power (nvidia-smi, sampled every 100 ms) during each and at idle.

usage: /usr/bin/python3 scripts/gpu_calibrate.py [--seconds S] [--out FILE.json]

Needs PyTorch with CUDA and nvidia-smi. Prints one line per measurement and writes them as JSON
(docs/gpu-calibration.md says how each maps to a preset parameter). About 1 minute.
"""
import argparse
import json
import subprocess
import sys
import threading
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measurement")
parser.add_argument("--out", default="gpu-calibration.json")
args = parser.parse_args()
if not torch.cuda.is_available():
    sys.exit("gpu_calibrate: no CUDA device visible to PyTorch")


class PowerSampler:
    """Board power from nvidia-smi every 100 ms while active."""

    def __init__(self):
        self.samples, self._stop = [], threading.Event()
        self._proc = subprocess.Popen(
            ["nvidia-smi", "--query-gpu=power.draw", "--format=csv,noheader,nounits", "-lms", "100",
             "-i", "0"], stdout=subprocess.PIPE, text=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        self.active = False

    def _read(self):
        for line in self._proc.stdout:
            if self.active:
                try:
                    self.samples.append(float(line.strip()))
                except ValueError:
                    pass

    def measure(self, work):
        self.samples.clear()
        self.active = True
        result = work()
        self.active = False
        watts = sorted(self.samples)
        return result, (watts[len(watts) // 2] if watts else float("nan")), len(watts)

    def close(self):
        self._proc.terminate()


def timed_loop(body, seconds):
    torch.cuda.synchronize()
    start, n = time.time(), 0
    while time.time() - start < seconds:
        body()
        n += 1
        if n % 10 == 0:
            torch.cuda.synchronize()
    torch.cuda.synchronize()
    return n, time.time() - start


dev = torch.device("cuda:0")
props = torch.cuda.get_device_properties(dev)
report = {"device": props.name, "sm_count": props.multi_processor_count,
          "memory_bytes": props.total_memory, "torch": torch.__version__}
sampler = PowerSampler()
time.sleep(1.0)

# Idle, with a CUDA context and memory allocated (what frugal's idle_power means).
hold = torch.empty(1 << 30, dtype=torch.uint8, device=dev)
_, idle_w, k = sampler.measure(lambda: time.sleep(args.seconds / 2))
report["idle_power_w"] = idle_w
print(f"idle (context, 1 GiB allocated): {idle_w:.1f} W median of {k} samples")

# bf16 GEMM, 8192^3, random data.
n = 8192
a = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
b = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
for _ in range(3):
    a @ b
(count, wall), gemm_w, k = sampler.measure(lambda: timed_loop(lambda: a @ b, args.seconds))
tflops = 2 * n ** 3 * count / wall / 1e12
report.update(gemm_bf16_tflops=tflops, gemm_power_w=gemm_w,
              gemm_energy_per_flop_pj=gemm_w / (tflops * 1e12) * 1e12)
print(f"bf16 GEMM {n}^3: {tflops:.1f} TFLOP/s at {gemm_w:.1f} W "
      f"({report['gemm_energy_per_flop_pj']:.3f} pJ/FLOP) median of {k} samples")

# Device-to-device copy of 2 GiB: bytes read plus bytes written.
src = torch.empty(1 << 31, dtype=torch.uint8, device=dev)
dst = torch.empty_like(src)
dst.copy_(src)
(count, wall), copy_w, k = sampler.measure(lambda: timed_loop(lambda: dst.copy_(src), args.seconds))
tbps = 2 * src.numel() * count / wall / 1e12
report.update(copy_tb_per_s=tbps, copy_power_w=copy_w,
              copy_energy_per_byte_pj=(copy_w - idle_w) / (tbps * 1e12) * 1e12)
print(f"HBM copy 2 GiB: {tbps:.2f} TB/s (read + written) at {copy_w:.1f} W; "
      f"{report['copy_energy_per_byte_pj']:.1f} pJ/B above idle")

sampler.close()
with open(args.out, "w") as f:
    json.dump(report, f, indent=2)
print(f"written {args.out}")
