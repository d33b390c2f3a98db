"""PyTorch on the CPU, for `frugal calibrate cpu --measure` (which runs it with Debian's Python):
the eager runtime's time per training step of a tiny MLP (4-4-2, batch 1: dispatch alone) and a
1024^3 fp32 product (the BLAS PyTorch loads), on one thread; and a 256^3 product on one thread
and on THREADS (the cost of splitting a product: the BLAS pool's fork and join). Prints one JSON
object.

usage: python3 cpu_torch_probe.py SECONDS THREADS
"""
import ctypes
import json
import os
import sys
import time

# The most threads the phases use, for PyTorch's own pool and the BLAS's (OpenBLAS keeps its own
# pool, which torch.set_num_threads does not reach; openblas_set_num_threads below does).
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(THREADS)

import torch  # noqa: E402 (after the thread settings)


def timed(call, seconds):
    call()  # warm-up
    start = time.perf_counter()
    iters = 0
    while True:
        call()
        iters += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return {"iters": iters, "s_per_iter": elapsed / iters}


def blas_library():
    """The BLAS shared library this process loaded (from /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "blas" in path.rsplit("/", 1)[-1] or "mkl" in path.rsplit("/", 1)[-1]:
                    return path
    except OSError:
        pass
    return "unknown"


def set_threads(threads):
    """PyTorch's pool and OpenBLAS's (through its C API, where OpenBLAS is the BLAS)."""
    torch.set_num_threads(threads)
    try:
        ctypes.CDLL(blas_library()).openblas_set_num_threads(threads)
    except (OSError, AttributeError):
        pass


def main():
    seconds = float(sys.argv[1])
    set_threads(1)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss = torch.nn.CrossEntropyLoss()
    x = torch.randn(1, 4)
    y = torch.tensor([1])

    def step():
        optimizer.zero_grad()
        loss(net(x), y).backward()
        optimizer.step()

    n = 1024
    a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)

    def product():
        torch.mm(a, b, out=c)

    phases = {"torch_step_tiny": timed(step, seconds),
              "torch_gemm_fp32_1024": timed(product, seconds)}
    phases["torch_gemm_fp32_1024"]["macs"] = n ** 3
    m = 256
    d, e, f = torch.randn(m, m), torch.randn(m, m), torch.empty(m, m)

    def small_product():
        torch.mm(d, e, out=f)

    phases["torch_gemm_fp32_256"] = timed(small_product, seconds)
    phases["torch_gemm_fp32_256"]["macs"] = m ** 3
    if THREADS > 1:
        set_threads(THREADS)
        phases["torch_gemm_fp32_256_all"] = timed(small_product, seconds)
        phases["torch_gemm_fp32_256_all"]["macs"] = m ** 3
        phases["torch_gemm_fp32_256_all"]["threads"] = THREADS
    print(json.dumps({"torch": torch.__version__, "blas": blas_library(), "phases": phases}))


if __name__ == "__main__":
    main()
