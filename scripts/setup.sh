#!/usr/bin/env bash
# Installs the Debian 12 packages frugal needs: `setup.sh` what building it and running the main
# job take; `setup.sh --test` adds the test stack (PyTorch, Brian2, chromium, clang's sanitizers).
# Idempotent: packages already installed are skipped, and apt-get update runs at most once, only
# when something is missing; while installing it prints how much it downloads and its progress.
# Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git          # toolchain; git records the commit in results
  libsystemc-dev                                # SystemC 2.3.4 (TLM-2.0 included)
  libeigen3-dev                                 # Eigen 3.4
  libboost-program-options-dev                  # CLI and INI parsing
  libhdf5-dev                                   # HDF5 1.10 C library (+ high-level API)
  catch2                                        # Catch2 v2 unit tests (configured with the build)
  libbenchmark-dev                              # Google Benchmark (configured with the build)
  libopenmpi-dev openmpi-bin                    # mpirun -n N frugal sweep (optional at build)
  libonnx-dev libprotobuf-dev                   # ONNX import (--model FILE.onnx)
  pybind11-dev python3-dev                      # the Python API (frugal.run, frugal.sweep)
  python3 python3-h5py python3-numpy            # result files read back as notebooks do:
  python3-xarray python3-h5netcdf               #   h5py, and xarray's h5netcdf engine
  python3-pandas python3-matplotlib             # import frugal, and the study's plots
  dataset-fashion-mnist                         # the data set of the functional face
)
test_packages=(
  python3-nbclient python3-nbformat python3-ipykernel  # the example notebook, executed
  python3-torch python3-torchvision python3-onnx  # counts against PyTorch, ONNX export
  libopenblas0-pthread                          #   and PyTorch's speed on a real BLAS (bench/)
  python3-brian                                 # spiking dynamics against Brian2
  chromium chromium-driver python3-selenium     # frugal report's page in a real browser
  clang libclang-rt-14-dev                      # sanitizers and libFuzzer targets
  llvm-14                                       #   and llvm-symbolizer, for their reports' names
)
case "${1:-}" in
  --test) packages+=("${test_packages[@]}") ;;
  "") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

# `import frugal` from /usr/bin/python3: a .pth file in the site directory for local packages
# names this checkout's results/python (Debian's Python refuses `pip install` into the system,
# PEP 668; a .pth file is what site.py reads at start-up). Rewritten when the checkout moves.
install_python_package() {
  local here site line
  here="$(cd "$(dirname "$0")/.." && pwd)/results/python"
  site="$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null)" || return 0
  line="$here"
  if [ "$(cat "$site/frugal.pth" 2>/dev/null)" = "$line" ]; then return 0; fi
  if { mkdir -p "$site" && printf '%s\n' "$line" > "$site/frugal.pth"; } 2>/dev/null ||
     { [ -n "${sudo:-}" ] && $sudo mkdir -p "$site" &&
       printf '%s\n' "$line" | $sudo tee "$site/frugal.pth" >/dev/null; }; then
    echo "setup: import frugal now reads $here ($site/frugal.pth)" >&2
  else
    echo "setup: could not write $site/frugal.pth; use PYTHONPATH=$here to import frugal" >&2
  fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

sudo=""
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed" >&2
  [ "$(id -u)" -eq 0 ] || ! command -v sudo >/dev/null || sudo="sudo"
  install_python_package
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo (missing: ${missing[*]})" >&2; exit 2; }
  sudo="sudo"
fi
echo "setup: installing ${#missing[@]} packages and what they depend on (a few minutes): ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# apt's own summary (how many packages, how many MB), then a line every 25 packages set up.
$sudo apt-get install -y --no-install-recommends "${missing[@]}" 2>&1 | awk '
  / newly installed, / { total = $3; print "setup: " $0; fflush() }
  /^Need to get |^After this operation/ { print "setup: " $0; fflush() }
  /^Setting up / { n++; if (n % 25 == 0 || n == total) { printf "setup: %d of %d set up\n", n, total; fflush() } }
  /^E: |^W: / { print; fflush() }' >&2
echo "setup: done" >&2
install_python_package
