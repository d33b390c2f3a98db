#!/usr/bin/env bash
# Configures and builds frugal in ./build (Release, -O3 -march=native by default). Arguments go to
# the build step, e.g. `scripts/build.sh --target frugal`; configure options come from
# FRUGAL_CMAKE_ARGS, e.g. FRUGAL_CMAKE_ARGS=-DFRUGAL_NATIVE=OFF for a portable build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${FRUGAL_CMAKE_ARGS:-} >/dev/null
cmake --build build -j "$(nproc)" "$@"
