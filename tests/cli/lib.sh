# Shared by the end-to-end scripts: a scratch directory, failure counting, and expectations on
# exit codes, one-line errors and files left behind. Source it after setting frugal and tests.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# expect_ok NAME COMMAND...: exit 0
expect_ok() {
  local name=$1
  shift
  "$@" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  [ $rc -eq 0 ] || fail "$name: exit $rc, stderr: $(cat "$work/stderr")"
}

# expect_input_error NAME KEYWORD COMMAND...: exit 2, one line on stderr containing KEYWORD,
# nothing on stdout, and no file in $work/out.
expect_input_error() {
  local name=$1 keyword=$2
  shift 2
  "$@" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2"
  [ "$(wc -l <"$work/stderr")" -eq 1 ] || fail "$name: stderr is not one line: $(cat "$work/stderr")"
  grep -qF -- "$keyword" "$work/stderr" || fail "$name: stderr lacks '$keyword': $(cat "$work/stderr")"
  [ ! -s "$work/stdout" ] || fail "$name: printed on stdout: $(head -c 200 "$work/stdout")"
  [ -z "$(ls -A "$work/out")" ] || fail "$name: left files behind: $(ls "$work/out")"
}

# wait_for_file FILE [PID]: waits until FILE exists (a state the program announces, e.g. a sweep
# paused by FRUGAL_TEST_PAUSE_AFTER), never for a guessed time. Returns 1 if process PID ends
# first, or after 10 minutes (a hung program).
wait_for_file() {
  local i
  for ((i = 0; i < 30000; i++)); do
    [ -e "$1" ] && return 0
    [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && { [ -e "$1" ]; return; }
    sleep 0.02
  done
  return 1
}

# report_and_exit NAME: the summary line and the exit status of the script.
report_and_exit() {
  if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "all $1 checks passed"
  exit 0
}
