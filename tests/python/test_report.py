#!/usr/bin/python3
"""`frugal report FILE.h5 --html OUT.html` end to end: a small study of two parts (one that
trains, one a cost-only sweep with seeds) becomes a page that check_report.py opens in headless
chromium (no console message, every plot rendered, marks matching the file); bad input gets a
one-line error with exit code 2 and leaves no page behind, and an existing page is kept unless
--force.

usage: test_report.py FRUGAL_BINARY
"""
import os
import subprocess
import sys
import tempfile

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_report import check  # noqa: E402

STUDY = """\
model = mlp:784-16-10
[train]
train = true
epochs = 2
train-subset = 256
test-subset = 128
rule = bp, dfa
hw = cpu, gpu:a100-80gb
[cost]
rule = bp, inference
batch = 16, 64, 256
"""

failures = []


def expect(condition, what):
    if not condition:
        failures.append(what)
        print(f"test_report: FAIL: {what}", file=sys.stderr)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    frugal = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        study = os.path.join(work, "study.ini")
        with open(study, "w") as f:
            f.write(STUDY)
        results = os.path.join(work, "study.h5")
        subprocess.run([frugal, "sweep", "--config", study, "--seeds", "2", "--jobs", "1",
                        "--quiet", "--out", results], check=True)
        page = os.path.join(work, "study.html")
        done = subprocess.run([frugal, "report", results, "--html", page], capture_output=True,
                              text=True)
        expect(done.returncode == 0 and done.stdout.strip() == page,
               f"report exited {done.returncode}: {done.stderr}")
        failures.extend(check(results, page))
        text = open(page, encoding="utf-8").read()
        for needle in ('id="accuracy-energy"', 'id="epochs"', 'id="components"',
                       'id="parallel-cost"', "swept:"):
            expect(needle in text, f"the page lacks {needle}")

        # Bad input: exit 2, one line naming the problem, no page written.
        plain = os.path.join(work, "plain.h5")
        with h5py.File(plain, "w") as f:
            f.create_dataset("x", data=[1])
        out = os.path.join(work, "bad.html")
        for args, message in (
                ([results], "report needs an output: --html OUT.html"),
                ([os.path.join(work, "missing.h5"), "--html", out], "No such file or directory"),
                ([plain, "--html", out], "is not a frugal result file"),
                ([study, "--html", out], "not an HDF5 file"),
                ([results, results, "--html", out], "exactly one result file"),
                ([results, "--html", os.path.join(work, "no", "dir.html")], "does not exist"),
                ([results, "--html", page], "already exists")):
            bad = subprocess.run([frugal, "report"] + args, capture_output=True, text=True)
            lines = bad.stderr.strip().splitlines()
            expect(bad.returncode == 2 and len(lines) == 1 and message in lines[0],
                   f"report {args[1:]}: exit {bad.returncode}, {bad.stderr!r}; expected {message}")
            expect(not os.path.exists(out), f"report {args} left {out}")
        expect(open(page, encoding="utf-8").read() == text, "a refused report changed the page")
        forced = subprocess.run([frugal, "report", results, "--html", page, "--force"],
                                capture_output=True, text=True)
        expect(forced.returncode == 0, f"--force exited {forced.returncode}")
        leftovers = [n for n in os.listdir(work) if n.startswith("study.html") and n != "study.html"]
        expect(not leftovers, f"temporary files left beside the page: {leftovers}")
    if failures:
        print(f"test_report: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("test_report: the page renders in chromium and bad input is refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
