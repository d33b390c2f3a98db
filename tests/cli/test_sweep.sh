#!/usr/bin/env bash
# End-to-end checks of frugal sweep, merge and export: ids and results independent of --jobs and
# of MPI ranks; kills (SIGKILL, SIGTERM) then --resume, with no finished scenario recomputed and
# results identical to an uninterrupted run; crashed, hung and failing scenarios recorded while
# the others complete; shards merged or rejected; bad input rejected with exit 2, nothing lost.
# usage: test_sweep.sh FRUGAL TESTS_DIR
set -u
frugal=$1
tests=$2
# shellcheck source=tests/cli/lib.sh
source "$tests/cli/lib.sh"
py=/usr/bin/python3
check=("$py" "$tests/results/check_results.py")
runs=$work/runs
mkdir -p "$runs"
sweep=(--batch 1:12:1 --rule bp,inference --quiet)  # 24 scenarios, ids 0..23

# --- help
for command in sweep merge export; do
  expect_ok "frugal $command --help" "$frugal" "$command" --help
done
grep -q -- "--resume" <("$frugal" sweep --help) || fail "sweep --help lacks --resume"
grep -q "sweep" <("$frugal" --help) || fail "frugal --help lacks sweep"

# --- expansion: counts, order, ranges, zip, seeds
expect_ok "dry run" "$frugal" sweep "${sweep[@]}" --dry-run
[ "$(tail -1 "$work/stdout")" = "24 scenarios" ] || fail "dry run: expected 24 scenarios"
grep -q $'^13\t13\t0\t0\trule=inference batch=2$' "$work/stdout" || fail "dry run: the last axis must vary fastest"
expect_ok "log range" "$frugal" sweep --batch log:1:1024:11 --dry-run
[ "$(grep -v '^#' "$work/stdout" | head -11 | cut -f5 | tr '\n' ' ')" = "batch=1 batch=2 batch=4 batch=8 batch=16 batch=32 batch=64 batch=128 batch=256 batch=512 batch=1024 " ] \
  || fail "log:1:1024:11: $(cut -f5 "$work/stdout" | tr '\n' ' ')"
expect_ok "zip" "$frugal" sweep --batch 16,32 --rule bp,inference --zip batch,rule --dry-run
grep -q "^2 scenarios$" "$work/stdout" || fail "zip: expected 2 scenarios"
expect_ok "seeds" "$frugal" sweep --batch 16,32 --seeds 3 --seed 7 --dry-run
"$py" - "$work/stdout" <<'EOF' || fail "seeds: replicates need distinct seeds, shared across points"
import sys
rows = [l.split("\t") for l in open(sys.argv[1]) if l[0].isdigit() and "\t" in l]
assert len(rows) == 6, rows
seeds = {(int(r[1]), int(r[2])): int(r[3]) for r in rows}
assert len({seeds[(0, k)] for k in range(3)}) == 3
assert all(seeds[(0, k)] == seeds[(1, k)] for k in range(3))
EOF

# --- the reference sweep, then the same with one worker, two workers, a config file
expect_ok "sweep --jobs 2" "$frugal" sweep "${sweep[@]}" --jobs 2 --out "$runs/full.h5"
"${check[@]}" "$runs/full.h5" >/dev/null || fail "full sweep: $("${check[@]}" "$runs/full.h5")"
expect_ok "sweep --jobs 1" "$frugal" sweep "${sweep[@]}" --jobs 1 --out "$runs/j1.h5"
"${check[@]}" "$runs/j1.h5" --same-as "$runs/full.h5" >/dev/null || fail "--jobs 1 and --jobs 2 differ"
printf '# the same sweep as a file\nbatch = 1:12:1\nrule = bp, inference  # two rules\n' >"$work/sweep.ini"
expect_ok "studies/example.ini" "$frugal" sweep --config "$tests/../studies/example.ini" --dry-run
grep -q "^42 scenarios$" "$work/stdout" || fail "studies/example.ini: expected 42 scenarios"
expect_ok "sweep --config" "$frugal" sweep --config "$work/sweep.ini" --quiet --out "$runs/ini.h5"
"${check[@]}" "$runs/ini.h5" --same-as "$runs/full.h5" >/dev/null || fail "INI sweep differs"

# --- a swept preset parameter becomes a column in SI units; DRAM energy scales with it
expect_ok "hw parameter sweep" "$frugal" sweep --set 'hw.dram_energy_per_byte=10:30:10 pJ/bit' --quiet --out "$runs/hw.h5"
"$py" - "$runs/hw.h5" <<'EOF' || fail "hw_dram_energy_per_byte column or DRAM energy wrong"
import sys, h5py, numpy as np
s = h5py.File(sys.argv[1])["scenarios"]
c = s["hw_dram_energy_per_byte"]
assert c.attrs["units"] == "J/B", c.attrs["units"]
assert np.allclose(c[()], [80e-12, 160e-12, 240e-12], rtol=1e-12), c[()]  # pJ/bit * 8 bit/B
d = s["energy_dram_j"][()]
assert np.allclose(d / d[0], [1, 2, 3], rtol=1e-12), d
EOF

# --- a scenario that crashes, one that hangs, one that throws: recorded, the others complete
FRUGAL_FAULT_INJECT=crash:2,hang:5,throw:7 "$frugal" sweep "${sweep[@]}" --jobs 2 \
  --timeout-per-scenario 2 --out "$runs/faults.h5" >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc -eq 3 ] || fail "faults: exit $rc, expected 3"
"${check[@]}" --allow-failed "$runs/faults.h5" >/dev/null || fail "faults: $("${check[@]}" --allow-failed "$runs/faults.h5")"
"$py" - "$runs/faults.h5" "$runs/full.h5" <<'EOF' || fail "faults: statuses or surviving results wrong"
import sys, h5py, numpy as np
f, g = h5py.File(sys.argv[1])["scenarios"], h5py.File(sys.argv[2])["scenarios"]
status = list(f["status"].asstr()[()])
assert status[2] == "crashed" and status[5] == "timeout" and status[7] == "failed", status
assert status.count("ok") == 21
assert "signal 11" in f["error"].asstr()[2]
assert np.isnan(f["energy_j"][2]) and f["macs"][2] == -1
ok = np.array(status) == "ok"
assert np.array_equal(f["energy_j"][()][ok], g["energy_j"][()][ok])
EOF

# --- --retry-failed: the failed, crashed and timed-out scenarios run again into the same file, the
# others are kept as they were; the result is that of an uninterrupted run
cp "$runs/faults.h5" "$runs/retry.h5"
expect_ok "retry failed scenarios" env FRUGAL_TEST_LOG="$work/retry-log" "$frugal" sweep "${sweep[@]}" --jobs 2 --out "$runs/retry.h5" --retry-failed
[ "$(sort -n "$work/retry-log" | tr '\n' ' ')" = "2 5 7 " ] || fail "--retry-failed ran $(sort -n "$work/retry-log" | tr '\n' ' '), expected 2 5 7"
"${check[@]}" "$runs/retry.h5" --same-as "$runs/full.h5" >/dev/null || fail "--retry-failed differs from an uninterrupted run"
[ -z "$(ls "$runs"/retry.h5.* 2>/dev/null)" ] || fail "--retry-failed left $(ls "$runs"/retry.h5.*)"
cp "$runs/faults.h5" "$runs/retry-other.h5"
before=$(md5sum <"$runs/retry-other.h5")
expect_input_error "retry, another sweep" "was written by a different sweep or build" "$frugal" sweep --batch 1:13:1 --rule bp,inference --out "$runs/retry-other.h5" --retry-failed
expect_input_error "retry, nothing failed" "nothing to retry: every scenario" "$frugal" sweep "${sweep[@]}" --out "$runs/retry.h5" --retry-failed
expect_input_error "retry, no file" "nothing to retry: '$runs/none.h5' does not exist" "$frugal" sweep "${sweep[@]}" --out "$runs/none.h5" --retry-failed
[ "$before" = "$(md5sum <"$runs/retry-other.h5")" ] && [ -z "$(ls "$runs"/retry-other.h5.* 2>/dev/null)" ] \
  || fail "a refused retry changed the file or left files"

# --- a full disk (a file-size limit): exit 1 naming the cause, no result file, what finished kept
# in the journal; --resume after space is freed finishes. A single run leaves nothing behind.
( ulimit -f 300; trap '' XFSZ; exec "$frugal" sweep --model resnet18 --batch 1:60:1 --jobs 2 --quiet --out "$runs/disk.h5" ) >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc -eq 1 ] || fail "full disk: exit $rc, expected 1"
grep -q "disk full" "$work/stderr" && grep -q -- "--resume" "$work/stderr" || fail "full disk: the error should name the cause and --resume: $(cat "$work/stderr")"
[ ! -e "$runs/disk.h5" ] || fail "full disk: a result file claims to be complete"
[ -s "$runs/disk.h5.journal" ] || fail "full disk: the journal of finished scenarios was not kept"
expect_ok "resume after a full disk" "$frugal" sweep --model resnet18 --batch 1:60:1 --jobs 2 --quiet --out "$runs/disk.h5" --resume
/usr/bin/python3 -c "import sys, h5py; n = len(h5py.File(sys.argv[1])['scenarios/batch']); sys.exit(n != 60)" "$runs/disk.h5" || fail "full disk + resume: not 60 scenarios"
( ulimit -f 40; trap '' XFSZ; exec "$frugal" run --model mlp:784-4096-4096-10 --out "$runs/disk-run.h5" ) >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc -eq 1 ] || fail "full disk (run): exit $rc, expected 1"
[ -z "$(ls "$runs"/disk-run.h5* 2>/dev/null)" ] || fail "full disk (run): left $(ls "$runs"/disk-run.h5*)"

# --- interruptions land in a known state: FRUGAL_TEST_PAUSE_AFTER=N:FILE pauses the sweep once N
# scenarios are journaled and written, and creates FILE; the test then sends its signal.
# start_paused OUT N [ARGS...]: starts a sweep into OUT in the background (pid in $pid) and waits
# until it has paused.
start_paused() {
  local out=$1 n=$2
  shift 2
  rm -f "$work/paused"
  FRUGAL_TEST_PAUSE_AFTER="$n:$work/paused" FRUGAL_TEST_FLUSH_EVERY=1 "$frugal" sweep "$@" --out "$out" &
  pid=$!
  wait_for_file "$work/paused" $pid || fail "sweep into $out never paused"
}

# --- SIGKILL mid-way, then --resume: nothing finished is recomputed; the result is identical
start_paused "$runs/k.h5" 5 "${sweep[@]}" --jobs 2 2>/dev/null
kill -KILL $pid
wait $pid 2>/dev/null
[ -f "$runs/k.h5.partial" ] && [ -f "$runs/k.h5.journal" ] && [ ! -f "$runs/k.h5" ] \
  || fail "SIGKILL: expected k.h5.partial and k.h5.journal only"
# What had finished before the kill: the scenarios recorded in the journal (results/files/journal.h:
# records of magic, checksum, id, length, bytes; the first is the header).
"$py" - "$runs/k.h5.journal" >"$work/kept" <<'EOF' || fail "SIGKILL: cannot read the journal"
import struct, sys
data, offset = open(sys.argv[1], "rb").read(), 0
while offset + 24 <= len(data):
    magic, _, sid, n = struct.unpack_from("<IIqQ", data, offset)
    if magic != 0x314A5246 or offset + 24 + n > len(data):
        break
    if sid >= 0:
        print(sid)
    offset += 24 + n
EOF
[ "$(wc -l <"$work/kept")" -ge 5 ] || fail "SIGKILL: the journal holds $(wc -l <"$work/kept") scenarios, expected at least 5"
expect_ok "resume after SIGKILL" env FRUGAL_TEST_LOG="$work/log2" "$frugal" sweep "${sweep[@]}" --jobs 2 --out "$runs/k.h5" --resume
[ -z "$(sort -n "$work/kept" "$work/log2" | uniq -d)" ] || fail "resume recomputed finished scenarios: $(sort -n "$work/kept" "$work/log2" | uniq -d | tr '\n' ' ')"
[ "$(sort -nu "$work/kept" "$work/log2" | wc -l)" -eq 24 ] || fail "resume: not every scenario was computed"
"${check[@]}" "$runs/k.h5" --same-as "$runs/full.h5" >/dev/null || fail "SIGKILL + resume differs from an uninterrupted run"
[ ! -e "$runs/k.h5.lock" ] || fail "a finished sweep left its lock file"

# --- SIGTERM: exit 143, a readable partial file, resume to identical results
start_paused "$runs/t.h5" 3 "${sweep[@]}" --jobs 2 2>"$work/stderr"
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 143 ] || fail "SIGTERM: exit $rc, expected 143"
grep -q -- "--resume" "$work/stderr" || fail "SIGTERM: the message should say how to resume"
"$py" -c "import h5py,sys; assert len(h5py.File(sys.argv[1])['scenarios/scenario_id']) >= 3" "$runs/t.h5.partial" \
  || fail "SIGTERM: partial file not readable or missing what had finished"
expect_ok "resume after SIGTERM" "$frugal" sweep "${sweep[@]}" --jobs 1 --out "$runs/t.h5" --resume
"${check[@]}" "$runs/t.h5" --same-as "$runs/full.h5" >/dev/null || fail "SIGTERM + resume differs"

# --- SIGINT (Ctrl-C): exit 130, resumable
start_paused "$runs/i.h5" 3 "${sweep[@]}" --jobs 2 2>/dev/null
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "SIGINT: exit $rc, expected 130"
expect_ok "resume after SIGINT" "$frugal" sweep "${sweep[@]}" --out "$runs/i.h5" --resume
"${check[@]}" "$runs/i.h5" --same-as "$runs/full.h5" >/dev/null || fail "SIGINT + resume differs"

# --- a sweep killed before it finished any scenario resumes (the journal is created first); a
# partial file with no journal (a killed single run) is cleared by the next writer
FRUGAL_TEST_DELAY_S=600 "$frugal" sweep "${sweep[@]}" --jobs 1 --out "$runs/e.h5" 2>"$work/stderr" &
pid=$!
wait_for_file "$runs/e.h5.partial" $pid || fail "early kill: no partial file: $(cat "$work/stderr")"
kill -KILL $pid
wait $pid 2>/dev/null
[ -f "$runs/e.h5.journal" ] || fail "early kill: the partial file exists but the journal does not"
expect_ok "resume a sweep killed before any result" "$frugal" sweep "${sweep[@]}" --out "$runs/e.h5" --resume
"${check[@]}" "$runs/e.h5" --same-as "$runs/full.h5" >/dev/null || fail "early kill + resume differs"
: >"$runs/o.h5.partial"
expect_input_error "resume of a run that never journaled" "run without --resume" "$frugal" sweep "${sweep[@]}" --out "$runs/o.h5" --resume
expect_ok "an orphan partial file is cleared" "$frugal" sweep "${sweep[@]}" --out "$runs/o.h5"
"${check[@]}" "$runs/o.h5" --same-as "$runs/full.h5" >/dev/null || fail "sweep over an orphan partial differs"

# --- a live sweep owns its output: another sweep, a resume or a run into it is refused, naming
# the process; even with its files deleted by hand, it renames only the file it created
start_paused "$runs/l.h5" 3 "${sweep[@]}" --jobs 2 2>"$work/first-stderr"
expect_input_error "sweep into a file in use" "'$runs/l.h5' is in use by process $pid" "$frugal" sweep "${sweep[@]}" --out "$runs/l.h5"
expect_input_error "resume a sweep in use" "is in use by process $pid" "$frugal" sweep "${sweep[@]}" --out "$runs/l.h5" --resume
expect_input_error "run into a file in use" "is in use by process $pid" "$frugal" run --out "$runs/l.h5"
[ -f "$runs/l.h5.partial" ] && [ -f "$runs/l.h5.journal" ] || fail "refused writers touched the live sweep's files"
rm "$runs/l.h5.partial" "$runs/l.h5.journal" "$runs/l.h5.lock"  # a user clearing up by hand
expect_ok "a second sweep once the files are gone" "$frugal" sweep "${sweep[@]}" --out "$runs/l.h5"
rm "$work/paused"  # the first sweep goes on
wait $pid
rc=$?
[ $rc -eq 1 ] && grep -q "deleted or replaced by another process" "$work/first-stderr" \
  || fail "a sweep whose files were replaced: exit $rc, $(cat "$work/first-stderr")"
"${check[@]}" "$runs/l.h5" --same-as "$runs/full.h5" >/dev/null || fail "the second sweep's result was damaged by the first"

# --- resume against another specification: exit 2, the partial file untouched
start_paused "$runs/r.h5" 3 "${sweep[@]}" --jobs 2 2>/dev/null
kill -TERM $pid
wait $pid
before=$(cat "$runs/r.h5.partial" "$runs/r.h5.journal" | md5sum)
"$frugal" sweep --batch 1:13:1 --rule bp,inference --quiet --out "$runs/r.h5" --resume >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc -eq 2 ] && grep -q "different sweep" "$work/stderr" && [ "$(wc -l <"$work/stderr")" -eq 1 ] \
  || fail "resume, other spec: exit $rc, $(cat "$work/stderr")"
[ "$before" = "$(cat "$runs/r.h5.partial" "$runs/r.h5.journal" | md5sum)" ] || fail "resume, other spec: the partial file or journal changed"

# --- a resume that replaces an older result needs --force; a stale .sorting file is cleared
start_paused "$runs/full-copy.h5" 3 "${sweep[@]}" --jobs 2 --force 2>/dev/null
kill -TERM $pid
wait $pid
cp "$runs/full.h5" "$runs/full-copy.h5"  # an older result the interrupted sweep was replacing
touch "$runs/full-copy.h5.sorting"       # as if a kill had hit the final sort
"$frugal" sweep "${sweep[@]}" --out "$runs/full-copy.h5" --resume >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc -eq 2 ] && grep -q "add --force" "$work/stderr" && [ -f "$runs/full-copy.h5.partial" ] \
  || fail "resume onto an existing result without --force: exit $rc, $(cat "$work/stderr")"
expect_ok "resume --force" "$frugal" sweep "${sweep[@]}" --jobs 2 --out "$runs/full-copy.h5" --resume --force
"${check[@]}" "$runs/full-copy.h5" --same-as "$runs/full.h5" >/dev/null || fail "resume --force differs"
[ ! -e "$runs/full-copy.h5.sorting" ] && [ ! -e "$runs/full-copy.h5.journal" ] || fail "resume --force left files behind"

# --- a worker whose SystemC clock runs long is replaced: results do not depend on --jobs
long=(--model mlp:8192-8192-8192-8192-10 --batch 3000000000 --set 'hw.dram_capacity=1000 TB' --seed 1:40:1 --quiet)
expect_ok "long-lived worker" "$frugal" sweep "${long[@]}" --jobs 1 --out "$runs/long1.h5"
expect_ok "long-lived workers" "$frugal" sweep "${long[@]}" --jobs 2 --out "$runs/long2.h5"
"${check[@]}" "$runs/long1.h5" --same-as "$runs/long2.h5" >/dev/null || fail "long steps: --jobs 1 and 2 differ"

# --- shards and merge
for i in 0 1 2; do
  expect_ok "shard $i/3" "$frugal" sweep "${sweep[@]}" --shard $i/3 --out "$runs/shard$i.h5"
done
expect_ok "merge" "$frugal" merge "$runs/merged.h5" "$runs/shard2.h5" "$runs/shard0.h5" "$runs/shard1.h5"
"${check[@]}" "$runs/merged.h5" --same-as "$runs/full.h5" >/dev/null || fail "merged shards differ from one sweep"
expect_input_error "merge, missing shard" "8 of 24 scenarios are missing" "$frugal" merge "$work/out/m.h5" "$runs/shard0.h5" "$runs/shard1.h5"
expect_input_error "merge, shard twice" "appears twice" "$frugal" merge "$work/out/m.h5" "$runs/shard0.h5" "$runs/shard1.h5" "$runs/shard1.h5" "$runs/shard2.h5"
expect_input_error "merge, other sweep" "different sweep specification" "$frugal" merge "$work/out/m.h5" "$runs/shard0.h5" "$runs/hw.h5"

# --- MPI: rank 0 farms out to 2 ranks; identical to the serial sweep
if command -v mpirun >/dev/null; then
  mpirun --allow-run-as-root --oversubscribe -n 3 "$frugal" sweep "${sweep[@]}" --out "$runs/mpi.h5" \
    >"$work/stdout" 2>"$work/stderr" || fail "mpirun -n 3: $(cat "$work/stderr")"
  "${check[@]}" "$runs/mpi.h5" --same-as "$runs/j1.h5" >/dev/null || fail "MPI sweep differs from --jobs 1"
  FRUGAL_FAULT_INJECT=crash:2,hang:5,throw:7 timeout 120 mpirun --allow-run-as-root --oversubscribe -n 3 \
    "$frugal" sweep "${sweep[@]}" --timeout-per-scenario 2 --out "$runs/mpi-faults.h5" >/dev/null 2>&1
  rc=$?
  [ $rc -eq 3 ] || fail "MPI with failing scenarios: exit $rc, expected 3"
  "$py" -c "import h5py,sys; s=list(h5py.File(sys.argv[1])['scenarios/status'].asstr()[()]); assert (s[2],s[5],s[7])==('crashed','timeout','failed') and s.count('ok')==21, s" \
    "$runs/mpi-faults.h5" || fail "MPI: failed scenarios not recorded"
  timeout 60 mpirun --allow-run-as-root --oversubscribe -n 3 "$frugal" sweep "${sweep[@]}" --out "$runs/mpi.h5" >/dev/null 2>&1
  rc=$?
  [ $rc -eq 2 ] || fail "MPI onto an existing file: exit $rc, expected 2 (124: the ranks hung)"
else
  fail "mpirun not found (scripts/setup.sh installs openmpi-bin)"
fi

# --- export --csv
expect_ok "export --csv" "$frugal" export --csv "$runs/full.h5" --prefix "$runs/full"
[ "$(($(wc -l <"$runs/full-scenarios.csv") - 1))" -eq 24 ] || fail "export: 24 scenario rows expected"
grep -q '^scenarios,energy_j,J,' "$runs/full-columns.csv" || fail "export: columns.csv lacks units"
"$py" -c "
import sys, pandas as pd, h5py, numpy as np
d = pd.read_csv(sys.argv[1], float_precision='round_trip'); f = h5py.File(sys.argv[2])['scenarios']
assert np.array_equal(d['energy_j'].to_numpy(), f['energy_j'][()])
" "$runs/full-scenarios.csv" "$runs/full.h5" || fail "export: CSV values differ from the HDF5 file"
# A full disk midway: exit 1 and no CSV file at all (all or nothing), so the retry succeeds.
(ulimit -f 8; trap '' XFSZ; exec "$frugal" export --csv "$runs/full.h5" --prefix "$work/out/x") >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc -eq 1 ] && grep -q "disk full" "$work/stderr" || fail "export on a full disk: exit $rc, $(cat "$work/stderr")"
[ -z "$(ls -A "$work/out")" ] || fail "export on a full disk left $(ls "$work/out")"
expect_ok "export after a full disk" "$frugal" export --csv "$runs/full.h5" --prefix "$work/out/x"
rm -f "$work/out"/*
"$py" -c "import h5py, sys; f = h5py.File(sys.argv[1], 'w'); f['scenarios/energy_j'] = [1.0]" "$work/foreign.h5"
expect_input_error "export of a file frugal did not write" "is not a frugal result file" "$frugal" export --csv "$work/foreign.h5" --prefix "$work/out/f"
expect_input_error "export of a missing file" "'$work/none.h5': No such file or directory" "$frugal" export --csv "$work/none.h5" --prefix "$work/out/f"

# --- bad input: one line, exit 2, no file
o=$work/out/s.h5
expect_input_error "unknown sweep key" "unknown key 'bacth' (did you mean 'batch'?)" "$frugal" sweep --set bacth=1,2 --out "$o"
expect_input_error "unknown preset parameter" "unknown preset parameter 'hw.adc_bit'" "$frugal" sweep --set hw.adc_bit=4,6 --out "$o"
expect_input_error "malformed range" "malformed range '1:10'" "$frugal" sweep --batch 1:10 --out "$o"
expect_input_error "malformed log range" "malformed range 'log:0:10:3'" "$frugal" sweep --batch log:0:10:3 --out "$o"
expect_input_error "range going the wrong way" "STEP must be nonzero" "$frugal" sweep --batch 10:1:1 --out "$o"
expect_input_error "empty axis" "empty value" "$frugal" sweep --set batch= --out "$o"
expect_input_error "empty item" "empty value" "$frugal" sweep --batch 1,,2 --out "$o"
expect_input_error "zip lengths" "same number of values" "$frugal" sweep --batch 1,2,3 --rule bp,inference --zip batch,rule --out "$o"
expect_input_error "zip of an unswept key" "not a swept key" "$frugal" sweep --batch 1,2 --zip batch,rule --out "$o"
expect_input_error "key given twice" "given twice" "$frugal" sweep --batch 1,2 --set batch=3 --out "$o"
expect_input_error "bad value in a scenario" "scenario 1 (batch=0)" "$frugal" sweep --batch 1,0 --out "$o"
expect_input_error "unit missing" "hw.dram_energy_per_byte" "$frugal" sweep --set hw.dram_energy_per_byte=10,20 --out "$o"
expect_input_error "bad shard" "0 <= I < N" "$frugal" sweep --shard 3/3 --out "$o"
expect_input_error "shard with a sign" "expected I/N" "$frugal" sweep --shard +0/2 --out "$o"
expect_input_error "too many seeds" "--seeds must be an integer from 1" "$frugal" sweep --seeds 99999999999 --out "$o"
expect_input_error "points beyond memory" "the sweep expands to 10000000 scenarios, which need about" env FRUGAL_TEST_MEMORY_LIMIT=2e9 "$frugal" sweep --seed 1:1000000:1 --batch 1:10:1 --dry-run
FRUGAL_TEST_MEMORY_LIMIT=2e9 "$frugal" sweep --seeds 10000000 --dry-run >"$work/stdout" 2>"$work/stderr" && [ "$(tail -1 "$work/stdout")" = "10000000 scenarios" ] \
  || fail "ten million replicates of one point should fit in 2 GB: $(cat "$work/stderr")"
expect_input_error "a step that run refuses" "scenario 0 (batch=1): the step needs" "$frugal" sweep --model mlp:100000000-100000000 --batch 1,2 --out "$o"
expect_input_error "an analog step too long to simulate" "scenario 0 (batch=1000000000000): a step of 1000000000000 samples" timeout 60 "$frugal" sweep --hw analog:pcm --batch 1000000000000,1 --out "$o"
expect_input_error "a spiking chip without activity" "scenario 0 (batch=1): neuro:loihi costs the spikes" "$frugal" sweep --hw neuro:loihi --rule bp --batch 1,2 --out "$o"
expect_input_error "no output" "sweep needs --out" "$frugal" sweep --batch 1,2
expect_input_error "timeout not a number" "--timeout-per-scenario must be a finite number" "$frugal" sweep --timeout-per-scenario nan --batch 1,2 --out "$o"
expect_input_error "learning rate not finite" "scenario 1 (lr=inf): --lr must be a finite number" "$frugal" sweep --lr 0.1,inf --train --out "$o"
expect_ok "more jobs than cores" "$frugal" sweep --jobs 100000 --batch 1:40:1 --out "$runs/jobs.h5"
grep -q -- "--jobs 100000 capped at " "$work/stderr" || fail "--jobs 100000: no note of the cap: $(cat "$work/stderr")"
"${check[@]}" "$runs/jobs.h5" >/dev/null || fail "--jobs 100000: $("${check[@]}" "$runs/jobs.h5")"
expect_input_error "training data missing" "scenario 0" "$frugal" sweep --train --data-dir "$work/nowhere" --rule bp,fa --out "$o"
expect_input_error "resume without a partial" "nothing to resume" "$frugal" sweep --batch 1,2 --out "$o" --resume
printf 'batch = 1,2\nbatchh = 3\n' >"$work/bad.ini"
expect_input_error "sweep file typo" "bad.ini:2: unknown key 'batchh'" "$frugal" sweep --config "$work/bad.ini" --out "$o"
# --- sections: parts of one study; the command line wins over them
printf 'batch = 8\n[a]\nrule = bp, inference\n[b]\nhw = gpu\nbatch = 16, 32\n' >"$work/parts.ini"
expect_ok "sweep file with sections" "$frugal" sweep --config "$work/parts.ini" --quiet --out "$runs/parts.h5"
/usr/bin/python3 - "$runs/parts.h5" <<'EOF' || fail "sections: wrong scenarios or columns"
import sys, h5py
s = h5py.File(sys.argv[1])["scenarios"]
parts = [p.decode() for p in s["part"][:]]
assert parts == ["a", "a", "b", "b"], parts
assert list(s["batch"][:]) == [8, 8, 16, 32], list(s["batch"][:])
assert [h.decode() for h in s["hw"][:]][2:] == ["gpu:a100-80gb"] * 2
assert [r.decode() for r in s["rule"][:]] == ["bp", "inference", "bp", "bp"]
EOF
expect_ok "one part of a study" "$frugal" sweep --config "$work/parts.ini" --part b --dry-run
[ "$(tail -1 "$work/stdout")" = "2 scenarios" ] && ! grep -q "part=a" "$work/stdout" \
  || fail "--part b: expected b's 2 scenarios alone: $(cat "$work/stdout")"
expect_input_error "an unknown part" "--part c: no section [c] in the sweep files (sections: a, b)" "$frugal" sweep --config "$work/parts.ini" --part c --dry-run
expect_ok "the command line wins over sections" "$frugal" sweep --config "$work/parts.ini" --batch 4 --dry-run
[ "$(grep -c 'batch=' "$work/stdout")" -eq 0 ] && [ "$(tail -1 "$work/stdout")" = "3 scenarios" ] || fail "--batch 4 should replace [b]'s batch: $(cat "$work/stdout")"
printf '[a]\nrule = bp\n[b]\nrule = fa\n[a]\nbatch = 2\n' >"$work/twice.ini"
expect_input_error "a section twice" "twice.ini:6: section [a] is given twice (" "$frugal" sweep --config "$work/twice.ini" --out "$o"
printf '[a]\nseeds = 2\n' >"$work/seeds.ini"
expect_input_error "seeds in a section" "seeds applies to the whole sweep" "$frugal" sweep --config "$work/seeds.ini" --out "$o"
printf '[a b]\nrule = bp\n' >"$work/name.ini"
expect_input_error "a bad section name" "expected a section '[NAME]'" "$frugal" sweep --config "$work/name.ini" --out "$o"
printf 'hw = cpu, gpu\nprecision = fp32, bf16\nzip = hw, precision\n[a]\nhw = cpu\n' >"$work/zipped.ini"
expect_input_error "a section replacing a zipped key" "is zipped before the sections" "$frugal" sweep --config "$work/zipped.ini" --out "$o"
expect_input_error "existing result" "already exists" "$frugal" sweep "${sweep[@]}" --out "$runs/full.h5"

# --- frugal run --set: wins over the config file, like the other options
printf 'batch = 8\n' >"$work/b.ini"
expect_ok "run --config --set" "$frugal" run --config "$work/b.ini" --set batch=32 --set 'hw.dram_energy_per_byte=10 pJ/bit' --json
"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['scenario']['batch'] == 32" "$work/stdout" \
  || fail "run --set batch=32 should win over the config file"
expect_input_error "run --batch and --set batch" "given twice" "$frugal" run --batch 4 --set batch=32

# --- trainings shared between workers: each distinct training computed once, the same results
printf 'model = mlp:784-16-10\ntrain = true\nepochs = 1\ntrain-subset = 300\ntest-subset = 100\nrule = bp, dfa\n[fp32]\nhw = cpu, gpu:a100-80gb\n[bf16]\nhw = gpu:a100-80gb\nprecision = bf16\n' >"$work/shared.ini"
mkdir -p "$work/tmp"  # the sweep's shared-trainings folder goes there, and must not stay
expect_ok "shared trainings" env TMPDIR="$work/tmp" FRUGAL_TEST_TRAINING_LOG="$work/shared.log" "$frugal" sweep --config "$work/shared.ini" --jobs 2 --quiet --out "$runs/shared.h5"
expect_ok "trainings not shared" env FRUGAL_NO_SHARED_TRAINING=1 "$frugal" sweep --config "$work/shared.ini" --jobs 2 --quiet --out "$runs/unshared.h5"
# bp and dfa in fp32 (the CPU's, the A100's, and the bf16 runs' reference) and in bf16: 4.
[ "$(sort -u "$work/shared.log" | wc -l)" -eq 4 ] && [ "$(wc -l <"$work/shared.log")" -eq 4 ] \
  || fail "shared trainings: $(wc -l <"$work/shared.log") computed, expected each of the 4 once"
"$py" - "$runs/shared.h5" "$runs/unshared.h5" <<'EOF' || fail "shared trainings changed the results"
import sys
import h5py
a, b = (h5py.File(p, "r")["scenarios"] for p in sys.argv[1:3])
assert list(a.keys()) == list(b.keys())
for k in a:
    x, y = a[k][()], b[k][()]
    same = (x == y) | ((x != x) & (y != y)) if x.dtype.kind == "f" else x == y
    assert same.all(), k
EOF
[ -z "$(ls -A "$work/tmp")" ] || fail "the sweep left its shared-trainings folder: $(ls -A "$work/tmp")"
# Deployments of one network (rule inference with --train) on a CPU, a GPU, a spiking chip at two
# timesteps and two placements, and a drifting analog chip with and without compensation: one
# training, and every table the same as training each.
printf 'model = mlp:784-16-10\ntrain = true\nepochs = 1\ntrain-subset = 300\ntest-subset = 100\nrule = inference\n[dig]\nhw = cpu, gpu:a100-80gb\n[spk]\nhw = neuro:loihi\ntimesteps = 8, 16\nplacement = pack, spread\n[ana]\nhw = analog:pcm\ndrift-times = 1, 86400\nhw.drift_compensation = 0, 1\n' >"$work/deploy.ini"
expect_ok "shared deployed network" env TMPDIR="$work/tmp" FRUGAL_TEST_TRAINING_LOG="$work/deploy.log" "$frugal" sweep --config "$work/deploy.ini" --jobs 2 --quiet --out "$runs/deploy.h5"
expect_ok "deployed network not shared" env FRUGAL_NO_SHARED_TRAINING=1 "$frugal" sweep --config "$work/deploy.ini" --jobs 2 --quiet --out "$runs/deploy-unshared.h5"
[ "$(wc -l <"$work/deploy.log")" -eq 1 ] || fail "deployments: $(wc -l <"$work/deploy.log") trainings computed for 10 deployments of one network, expected 1"
"$py" - "$runs/deploy.h5" "$runs/deploy-unshared.h5" <<'EOF' || fail "sharing the deployed network changed the results"
import sys
import h5py
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
for table in ("scenarios", "epochs", "drift", "timesteps", "spikes"):
    for k in a[table].attrs["colnames"]:
        x, y = a[table][k][()], b[table][k][()]
        same = (x == y) | ((x != x) & (y != y)) if x.dtype.kind == "f" else x == y
        assert same.all(), (table, k)
EOF
[ -z "$(ls -A "$work/tmp")" ] || fail "the deployments' sweep left its folder: $(ls -A "$work/tmp")"

report_and_exit sweep
