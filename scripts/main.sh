#!/usr/bin/env bash
# Quick start, main job: installs what is missing, builds, and runs the default scenario (one BP
# training step of a Fashion-MNIST-sized MLP on a 40-core Xeon), writing out/default-<time>.h5.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh --target frugal
mkdir -p out
result="out/default-$(date -u +%Y%m%dT%H%M%SZ).h5"
./build/frugal run --config scenarios/default.ini --out "$result"
cat <<TXT

Next: ./build/frugal --help, ./build/frugal presets show cpu, a sweep of 42 scenarios:
  ./build/frugal sweep --config studies/example.ini --out out/example.h5
or the results in Python (Debian's /usr/bin/python3; see results/notebooks/ for plots):
  /usr/bin/python3 results/python/frugal_results.py $result
TXT
