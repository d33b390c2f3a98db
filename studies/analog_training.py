#!/usr/bin/python3
"""Tables of training on the analog chips, from studies/analog-training.ini's result file.

    /usr/bin/python3 studies/analog_training.py analog-training.h5

Prints the range ablation (bp on analog:pcm against train_weight_range and column_scales) and the
accuracy of each rule and preset, each under both update schemes, with the same training in
ideal fp32 and the programming pulses the updates fired per weight and update; then bp with
plain SGD updated per batch and per sample (pulses, row slots, pulse-train slots per sample,
the step's update energy and time), and against the devices' asymmetry. Every number comes
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

    sample_parts = ["per-sample", "per-sample-tt64", "tiki-taka-momentum", "asymmetry",
                    "asymmetry-tt64", "per-sample-devices"]
    rest = df[~df["part"].isin(["range"] + sample_parts)]
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

    # Per batch against per sample: accuracy, pulses, slots, the step's update energy and time.
    for part in sample_parts:
        g = df[df["part"] == part]
        if not len(g):
            continue
        print(f"\n{part}: bp, {g['optimizer'].iloc[0]} at lr {g['lr'].iloc[0]:g},"
              f" per batch (0) and per sample (1)")
        print(f"{'hw':<15} {'up_down':>7} {'scheme':<16} {'tt cols':>7} {'per sample':>10}"
              f" {'accuracy':>9} {'fp32':>8} {'pulses':>8} {'row slots':>9} {'train slots':>11}"
              f" {'update J':>9} {'step':>9}")
        for _, r in g.iterrows():
            tt = r["hw_tt_columns"] if "hw_tt_columns" in r and r["hw_tt_columns"] == r["hw_tt_columns"] else 1
            up_down = (f"{r['hw_up_down']:g}" if "hw_up_down" in r and r["hw_up_down"] == r["hw_up_down"]
                       else "preset")
            per_sample = r["hw_update_per_sample"] if r["hw_update_per_sample"] == r["hw_update_per_sample"] else 0
            print(f"{r['hw']:<15} {up_down:>7} {r['analog_update']:<16} {tt:>7g}"
                  f" {per_sample:>10g} {percent(r['accuracy']):>9} {percent(r['digital']):>8}"
                  f" {r['update_pulses']:>8.3g} {r['update_row_pulses']:>9.3g}"
                  f" {r['update_array_slots'] / r['batch']:>11.3g}"
                  f" {r['energy_update_j']:>9.3g} {1e6 * r['latency_s']:>7.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
