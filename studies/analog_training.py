#!/usr/bin/python3
"""Tables of training on the analog chips, from studies/analog-training.ini's result file.

    /usr/bin/python3 studies/analog_training.py analog-training.h5

Prints the range ablation (bp on analog:pcm against train_weight_range and column_scales) and the
accuracy of each rule and preset, each under both update schemes, with the same training in
ideal fp32 and the programming pulses the updates fired per weight and update. Every number comes
from the result file (docs/analog-training.md). Needs Debian's python3-h5py, python3-numpy and
python3-pandas.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "results", "python"))
sys.dont_write_bytecode = True  # no __pycache__ among the sources
import frugal as fr  # noqa: E402


def percent(x):
    return f"{100 * x:.2f}%"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="the sweep's HDF5 file")
    args = parser.parse_args(argv)
    df = fr.open_results(args.results).table("scenarios")
    df = df[df["status"] == "ok"] if "status" in df else df
    df = df.assign(digital=df["accuracy"] + df["accuracy_loss"])

    ranges = df[df["part"] == "range"]
    if len(ranges):
        print("bp on analog:pcm: test accuracy against the weight range")
        print(f"{'range':>6} {'column scales':>14} {'sgd':>8} {'mixed-precision':>16}"
              f" {'pulses (sgd)':>13} {'rereads (sgd)':>14}")
        for (r, c), g in ranges.groupby(["hw_train_weight_range", "hw_column_scales"]):
            by = g.set_index("analog_update")
            print(f"{r:>6g} {c:>14g} {percent(by.loc['sgd', 'accuracy']):>8}"
                  f" {percent(by.loc['mixed-precision', 'accuracy']):>16}"
                  f" {by.loc['sgd', 'update_pulses']:>13.3g}"
                  f" {percent(by.loc['sgd', 'reread_fraction']):>14}")
        print(f"ideal fp32: {percent(ranges['digital'].iloc[0])}\n")

    rest = df[df["part"] != "range"]
    if len(rest):
        print("Each rule and preset")
        print(f"{'part':<16} {'rule':<7} {'hw':<15} {'sgd':>8} {'mixed-precision':>16}"
              f" {'fp32':>8} {'pulses (sgd)':>13}")
        for (part, rule, hw), g in rest.groupby(["part", "rule", "hw"], sort=False):
            by = g.set_index("analog_update")
            print(f"{part:<16} {rule:<7} {hw:<15} {percent(by.loc['sgd', 'accuracy']):>8}"
                  f" {percent(by.loc['mixed-precision', 'accuracy']):>16}"
                  f" {percent(by.loc['sgd', 'digital']):>8}"
                  f" {by.loc['sgd', 'update_pulses']:>13.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
