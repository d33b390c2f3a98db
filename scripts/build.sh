#!/usr/bin/env bash
# Configures and builds frugal in ./build (Release, -O3 -march=native; pass -DFRUGAL_NATIVE=OFF
# as an argument for a portable build).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)"
