# Shared by the scripts that run a study end to end (test_flagship.sh, test_analog_studies.sh):
# their arguments FRUGAL_EXE SOURCE_DIR, Debian's Python, a scratch directory removed on exit,
# and fail(). Source it after `set -euo pipefail` with `name` set to the script's name.
if [ $# -ne 2 ]; then
  echo "usage: $0 FRUGAL_EXE SOURCE_DIR" >&2
  exit 2
fi
frugal=$1
source_dir=$(cd "$2" && pwd)
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree

fail() {
  echo "$name: FAIL: $*" >&2
  exit 1
}
