#!/usr/bin/env bash
# Quick start, tests: installs what is missing, builds, and runs the whole test suite: the normal
# build's tests, then the quick tests and a short fuzz of every input parser under AddressSanitizer
# and UndefinedBehaviorSanitizer (scripts/test-sanitize.sh, docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
(cd build && ctest --output-on-failure -j "$(nproc)")
./scripts/test-sanitize.sh
