#!/usr/bin/env bash
# The analog training studies end to end, reduced (one epoch on 600 training and 200 test
# images): frugal sweep over studies/analog-training.ini and studies/analog-forward-only.ini,
# then their scripts. Checks the tables' rows, the measured pulses, the switches' costs (a
# transposed copy adds tiles; power gating saves static energy; dfa is untouched by the backward
# switches) and that the plot was written.
#
# usage: test_analog_studies.sh FRUGAL_EXE SOURCE_DIR
set -euo pipefail

name=test_analog_studies
. "$(dirname "$0")/study_lib.sh"

reduced=(--epochs 1 --train-subset 600 --test-subset 200 --jobs 2 --quiet)
"$frugal" sweep --config "$source_dir/studies/analog-training.ini" "${reduced[@]}" \
  --out "$work/training.h5" || fail "the training sweep failed"
"$py" "$source_dir/studies/analog_training.py" "$work/training.h5" >"$work/training.txt" \
  || fail "analog_training.py failed"
grep -q "bp on analog:pcm: test accuracy against the weight range" "$work/training.txt" \
  || fail "no range table"
[ "$(grep -cE '^ +(2|4|8|16) +[01] ' "$work/training.txt")" -eq 8 ] || fail "range rows"
for part in "bp +bp +analog:neurram" "rram-8-bit-adcs" "forward-only +pepita"; do
  grep -qE "$part" "$work/training.txt" || fail "no row for $part"
done

"$frugal" sweep --config "$source_dir/studies/analog-forward-only.ini" "${reduced[@]}" \
  --out "$work/fo.h5" || fail "the forward-only sweep failed"
"$py" "$source_dir/studies/analog_forward_only.py" "$work/fo.h5" --plot "$work/fo.png" \
  >"$work/fo.txt" || fail "analog_forward_only.py failed"
[ -s "$work/fo.png" ] || fail "no plot"
[ "$(grep -c "dfa's energy per point" "$work/fo.txt")" -eq 1 ] || fail "no ratio lines"
"$py" - "$work/fo.h5" <<'PYEOF' || fail "the switches cost the wrong way"
import sys, h5py
s = h5py.File(sys.argv[1])["scenarios"]
rows = [dict((k, s[k][i]) for k in ("rule", "hw_transposed_reads", "hw_backward_copy",
         "hw_power_gating", "energy_j", "energy_static_j", "update_pulses"))
        for i in range(len(s["rule"]))]
def get(rule, t, c, g):  # dfa's part sets no backward switch
    return [r for r in rows if r["rule"] == rule.encode() and r["hw_power_gating"] == g and
            (rule == "dfa" or (r["hw_transposed_reads"] == t and r["hw_backward_copy"] == c))][0]
assert all(r["update_pulses"] > 0 for r in rows)
# A transposed copy adds tiles: more static energy while idle tiles stay powered.
assert get("bp", 0, 1, 0)["energy_static_j"] > get("bp", 1, 1, 0)["energy_static_j"]
# Power gating saves static energy for both rules.
for rule, t, c in (("bp", 1, 1), ("dfa", 1, 1)):
    assert get(rule, t, c, 1)["energy_static_j"] < get(rule, t, c, 0)["energy_static_j"]
PYEOF
echo "test_analog_studies: ok"
