#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each from its seed corpus (tests/fuzz/corpus/NAME),
# new inputs going to a scratch directory. Exits non-zero on the first target that finds a crash,
# a leak, a sanitizer report or a timeout; the reproducer is kept and named.
#
# usage: run_fuzz.sh FUZZ_BIN_DIR CORPUS_DIR SECONDS [TARGET...]
set -euo pipefail
bin=$1 corpus=$2 seconds=$3
shift 3
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model_spec sweep_values ini preset onnx idx json)
work=${FRUGAL_FUZZ_WORK:-$(mktemp -d)}
mkdir -p "$work"
for name in "${targets[@]}"; do
  mkdir -p "$work/$name" "$work/$name-crashes"
  log=$work/$name.log
  if ! "$bin/fuzz_$name" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
      -artifact_prefix="$work/$name-crashes/" -print_final_stats=1 \
      "$work/$name" "$corpus/$name" >"$log" 2>&1; then
    echo "run_fuzz: fuzz_$name FAILED; reproducer in $work/$name-crashes/:"
    ls "$work/$name-crashes/"
    tail -40 "$log"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
  echo "run_fuzz: fuzz_$name clean: $runs inputs in ${seconds} s, coverage $cov edges, corpus $(ls "$work/$name" | wc -l) new"
done
