#!/usr/bin/env bash
# The sanitizer half of the test suite (docs/reliability.md): builds frugal with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer (undefined behaviour aborts) and the libFuzzer
# targets into ./build-sanitize, then runs the quick unit tests under the sanitizers and a short
# fuzz of every parser of outside input (fuzz_smoke). scripts/test.sh runs it after the normal
# build's tests; scripts/fuzz.sh runs the fuzzers for longer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DFRUGAL_SANITIZE=ON -DFRUGAL_FUZZ=ON -DFRUGAL_BUILD_BENCH=OFF \
  ${FRUGAL_CMAKE_ARGS:-} >/dev/null
cmake --build build-sanitize -j "$(nproc)" --target frugal frugal_tests fuzz_model_spec fuzz_sweep_values \
  fuzz_ini fuzz_preset fuzz_onnx fuzz_idx fuzz_json
cd build-sanitize
# SystemC switches coroutine stacks, which ASan's use-after-return detection cannot follow; the
# suppressions file names the one false positive left (docs/reliability.md).
# Reports go to sanitizer-logs/ (the CLI tests check that errors are one line on stderr, and ASan
# warns there about SystemC's stacks); a failing process still exits non-zero, and its report is
# printed below.
rm -rf sanitizer-logs && mkdir sanitizer-logs
logs=$PWD/sanitizer-logs
# llvm-symbolizer (Debian's llvm-14) turns a report's addresses into function names and lines.
symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
[ -x "$symbolizer" ] || { echo "test-sanitize: $symbolizer is missing (scripts/setup.sh --test installs llvm-14)" >&2; exit 1; }
export ASAN_SYMBOLIZER_PATH=$symbolizer UBSAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1:abort_on_error=1:suppressions=$PWD/../tests/sanitizer-suppressions.txt:log_path=$logs/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan
status=0
ctest --output-on-failure -j "$(nproc)" -L "quick|fuzz" || status=$?
if grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error" "$logs"/* 2>/dev/null; then
  grep -h -A40 -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error" "$logs"/* | head -200
  exit 1
fi
exit $status
