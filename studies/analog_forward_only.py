#!/usr/bin/python3
"""Where a forward-only rule beats bp on an analog chip: the table and plot of
studies/analog-forward-only.ini's result file.

    /usr/bin/python3 studies/analog_forward_only.py analog-fo.h5 --plot analog-forward-only.png

For bp under each way of running its backward pass (transposed reads on the same tiles, a
transposed copy on tiles of its own, the digital units) and for dfa, with idle tiles powered or
power-gated: the test accuracy, the training job's energy (5 epochs on the chip), the energy per
step and per point of accuracy, and dfa's energy per point over bp's. Every number comes from the
result file (docs/analog-training.md). Needs Debian's python3-h5py, python3-numpy,
python3-pandas and python3-matplotlib.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "results", "python"))
sys.dont_write_bytecode = True  # no __pycache__ among the sources
import frugal as fr  # noqa: E402


def backward(row):
    """How the row's backward pass ran."""
    if row["rule"] != "bp":
        return "fixed feedback"
    if row["hw_transposed_reads"] == 1:
        return "transposed reads"
    return "transposed copy" if row["hw_backward_copy"] == 1 else "digital units"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="the sweep's HDF5 file")
    parser.add_argument("--plot", help="write the plot (PNG) here")
    args = parser.parse_args(argv)
    df = fr.open_results(args.results).table("scenarios")
    df = df[df["status"] == "ok"].copy()
    df["backward"] = df.apply(backward, axis=1)
    df["gated"] = df["hw_power_gating"].map({0: "powered", 1: "power-gated"})
    df["per_point"] = df["job_energy_j"] / (100 * df["accuracy"])
    print(f"{'rule':<5} {'backward pass':<22} {'idle tiles':<12} {'accuracy':>9}"
          f" {'job energy':>11} {'per step':>10} {'per point':>11} {'pulses':>7}")
    for _, r in df.iterrows():
        print(f"{r['rule']:<5} {r['backward']:<22} {r['gated']:<12} {100 * r['accuracy']:>8.2f}%"
              f" {r['job_energy_j']:>9.3g} J {1e6 * r['energy_j']:>7.3g} uJ"
              f" {1e3 * r['per_point']:>8.3g} mJ {r['update_pulses']:>7.3g}")
    print("\ndfa's energy per point of accuracy over bp's:")
    for gated, g in df.groupby("gated", sort=False):
        dfa = g[g["rule"] == "dfa"]["per_point"]
        if dfa.empty:
            continue
        for _, r in g[g["rule"] == "bp"].iterrows():
            print(f"  idle tiles {gated}, bp with {r['backward']}: "
                  f"{dfa.iloc[0] / r['per_point']:.3f}")
    if args.plot:
        fig, ax = plt.subplots(figsize=(7.5, 4))
        rows = [r for _, g in df.groupby("gated", sort=False) for _, r in g.iterrows()]
        labels = [f"{r['rule']}\n{r['backward']}\n{r['gated']}" for r in rows]
        values = [1e3 * r["per_point"] for r in rows]
        colours = ["tab:blue" if r["rule"] == "bp" else "tab:orange" for r in rows]
        bars = ax.bar(range(len(values)), values, color=colours)
        for bar, r in zip(bars, rows):
            ax.annotate(f"{100 * r['accuracy']:.1f}%", (bar.get_x() + bar.get_width() / 2,
                        bar.get_height()), ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(values)))
        ax.set_xticklabels(labels, fontsize=6)
        ax.set_ylabel("training energy per point of accuracy (mJ)")
        ax.set_title("bp against dfa, trained on analog:pcm (5 epochs; test accuracy on the bars)",
                     fontsize=9)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"\nplot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
