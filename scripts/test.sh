#!/usr/bin/env bash
# Quick start, tests: installs what is missing, builds, and runs the whole test suite: the normal
# build's tests, then the quick tests and a short fuzz of every input parser under AddressSanitizer
# and UndefinedBehaviorSanitizer (scripts/test-sanitize.sh, docs/reliability.md). Both halves run
# whatever the first gives; each one's outcome is reported at the end, and the exit status is 0
# only if both passed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
./scripts/build.sh
normal=0
(cd build && ctest --output-on-failure -j "$(nproc)") || normal=$?
sanitized=0
./scripts/test-sanitize.sh || sanitized=$?
outcome() { [ "$1" -eq 0 ] && echo "passed" || echo "FAILED (exit $1)"; }
echo "test.sh: normal build's tests $(outcome $normal); sanitizer and fuzz tests $(outcome $sanitized)"
[ $normal -eq 0 ] && [ $sanitized -eq 0 ]
