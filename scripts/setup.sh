#!/usr/bin/env bash
# Installs the Debian 12 packages frugal needs to build, test and read its results.
# Idempotent: packages already installed are skipped, and apt-get update runs at most once, only
# when something is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git          # toolchain; git records the commit in results
  libsystemc-dev                                # SystemC 2.3.4 (TLM-2.0 included)
  libeigen3-dev                                 # Eigen 3.4
  libboost-program-options-dev                  # CLI and INI parsing
  libhdf5-dev                                   # HDF5 1.10 C library (+ high-level API)
  catch2                                        # Catch2 v2 unit tests
  libbenchmark-dev                              # Google Benchmark
  python3 python3-h5py python3-numpy            # result files read back as notebooks do:
  python3-xarray python3-h5netcdf               #   h5py, and xarray's h5netcdf engine
  python3-pandas python3-matplotlib             # results/python and the example notebook,
  python3-nbclient python3-nbformat python3-ipykernel  # executed by the tests
  libopenmpi-dev openmpi-bin                    # mpirun -n N frugal sweep (optional at build)
  libonnx-dev libprotobuf-dev                   # ONNX import (--model FILE.onnx)
  pybind11-dev python3-dev                      # the Python API (frugal.run, frugal.sweep)
  python3-torch python3-torchvision python3-onnx  # tests: counts against PyTorch, ONNX export
  python3-brian                                 # tests: spiking dynamics against Brian2
  chromium chromium-driver python3-selenium     # tests: frugal report's page in a real browser
  dataset-fashion-mnist                         # the data set of the functional face
  clang libclang-rt-14-dev                      # tests: sanitizers and libFuzzer targets
  llvm-14                                       #   and llvm-symbolizer, for their reports' names
)

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
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
install_python_package
