#!/usr/bin/env bash
# Quick start, main job: installs what is missing, builds, and runs the flagship study
# (studies/flagship.ini, docs/flagship.md): backpropagation against the forward-only rules on a
# CPU, a GPU, an analog PCM chip and a spiking chip, on Fashion-MNIST, with their energy, time,
# carbon and accuracy. Writes out/flagship.h5 and its report out/flagship.html, prints the
# summary table and draws the plots into out/flagship/ (out/ is git-ignored: nothing generated
# lands among the sources). About 5 minutes of study after the build on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh --target frugal frugal_python  # the command, and the Python API (frugal.run)
mkdir -p out
result=out/flagship.h5
plots=out/flagship
if [ -e "$result" ]; then  # never lose a result: the previous one is kept beside it
  kept="out/flagship-$(date -u -r "$result" +%Y%m%dT%H%M%SZ).h5"
  mv -n "$result" "$kept"
  echo "main: the previous $result is kept as $kept"
fi
./build/frugal sweep --config studies/flagship.ini --jobs "$(nproc)" --out "$result"
echo
/usr/bin/python3 studies/flagship.py "$result" --plots "$plots"
./build/frugal report "$result" --html out/flagship.html --force >/dev/null
cat <<TXT

The study's results are in $result, its plots in $plots/, and what it found in docs/flagship.md.
Its report, one page that opens offline in a browser: out/flagship.html (frugal report).
In Python: import frugal; frugal.open("$result").to_xarray(part="mlp") (docs/python.md), or
the notebook results/python/notebooks/sweep_example.ipynb.
Next: ./build/frugal --help, ./build/frugal validate, or one scenario:
  ./build/frugal run --config scenarios/default.ini
TXT
