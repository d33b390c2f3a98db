#!/usr/bin/env bash
# Fuzzes every parser of outside input for SECONDS each (default 600), with the sanitizer build of
# scripts/test-sanitize.sh (built here if missing), from the seed corpora in tests/fuzz/corpus.
# New inputs and any reproducer go to FRUGAL_FUZZ_WORK (default out/fuzz); docs/reliability.md
# records the runs.
#
# usage: scripts/fuzz.sh [SECONDS [TARGET...]]   e.g. scripts/fuzz.sh 600 ini onnx
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
if [ ! -x build-sanitize/tests/fuzz/fuzz_ini ]; then
  ./scripts/setup.sh
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DFRUGAL_SANITIZE=ON -DFRUGAL_FUZZ=ON -DFRUGAL_BUILD_BENCH=OFF >/dev/null
  cmake --build build-sanitize -j "$(nproc)" --target fuzz_model_spec fuzz_sweep_values fuzz_ini \
    fuzz_preset fuzz_onnx fuzz_idx fuzz_json
fi
export ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1:suppressions=$PWD/tests/sanitizer-suppressions.txt
export FRUGAL_FUZZ_WORK=${FRUGAL_FUZZ_WORK:-out/fuzz}
exec tests/fuzz/run_fuzz.sh build-sanitize/tests/fuzz tests/fuzz/corpus "$seconds" "$@"
