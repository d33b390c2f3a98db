#!/usr/bin/python3
"""The flagship study's summary table and plots, from its result file (studies/flagship.ini).

    /usr/bin/python3 studies/flagship.py out/flagship.h5 --plots out/flagship

Prints, for each rule and device, the accuracy, what it loses (against the same training in
fp32, and against bp), the training job's energy, the energy per inference, the step's latency,
the training's CO2e in three grids, and the two inefficiency factors (physical: energy per MAC
over the Landauer limit; algorithmic: the step over bp's on the same device); then the model's
life (training against inference) and the large model's carbon by region. Writes five PNG plots
into the --plots directory: accuracy_vs_energy.png (Pareto front marked), energy_by_component.png,
drift.png, timesteps.png and carbon_by_region.png.

Every number comes from the result file. CO2e in a region other than the row's own is the row's
operational CO2e scaled by the ratio of grid intensities (frugal's formula is linear in it, and
tested so), plus its embodied CO2e; the intensities are those frugal wrote for the large-model
part's regions. Needs Debian's python3-h5py, python3-numpy, python3-pandas, python3-matplotlib.
"""
import argparse
import os
import sys

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# The reader, results/python/frugal/, from this file's place in the repository (studies/),
# so that the script runs from any working directory.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "results", "python"))
sys.dont_write_bytecode = True  # no __pycache__ among the sources
import frugal as fr  # noqa: E402

TRAINING_PARTS = ["mlp", "cnn", "analog-train", "spiking-train"]
DEPLOY_PARTS = ["deploy", "deploy-spiking", "deploy-analog"]
REGIONS = ["france", "world", "india"]  # the summary's CO2e columns, when the file has them
DEVICE_MARKERS = {"cpu": "o", "gpu": "s", "analog": "^", "neuro": "D"}
RULE_COLORS = {"bp": "tab:blue", "fa": "tab:orange", "dfa": "tab:green", "pepita": "tab:red",
               "ff": "tab:purple", "inference": "tab:gray"}


def si(value, unit):
    """3 significant digits with an SI prefix: 1.23 mJ."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if value == 0:
        return "0 " + unit
    prefixes = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"),
                (1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")]
    for scale, prefix in prefixes:
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def region_intensities(scen):
    """gCO2e/kWh of each region the file has a row for (the large-model part's)."""
    if "region" not in scen.columns:
        return {}
    rows = scen[scen["region"] != ""]
    return dict(zip(rows["region"], rows["grid_gco2_per_kwh"]))


def co2e_in(row, intensity):
    """The row's job CO2e (kg) with its operational part at another grid intensity."""
    return row["co2e_operational_kg"] * intensity / row["grid_gco2_per_kwh"] + row["co2e_embodied_kg"]


def label_of(row):
    model = "cnn" if row["model"].startswith("cnn") else "mlp"
    return f"{row['rule']} {model} on {row['hw']}"


def summary(scen, out=sys.stdout, drift=None):
    """The per-rule, per-device table, then the model's life and the large model by region."""
    ok = scen[scen["status"] == "ok"]
    intensities = region_intensities(ok)
    regions = [r for r in REGIONS if r in intensities]
    bp_accuracy = {}
    for _, row in ok[(ok["rule"] == "bp") & ok["part"].isin(TRAINING_PARTS)].iterrows():
        bp_accuracy[(row["part"], row["hw"])] = row["accuracy"]
    head = (f"{'part':<14} {'rule':<9} {'model':<5} {'hw':<24} {'prec':<5} {'acc %':>6} "
            f"{'-fp32':>6} {'-bp':>6} {'training':>10} {'/inference':>10} {'step':>9} "
            f"{'sample':>9} ")
    head += "".join(f"{'CO2e ' + r[:6]:>12} " for r in regions)
    head += f"{'E/MAC/kTln2':>11} {'step/bp':>7}"
    print("Per rule and device (accuracy on the test set; -fp32: points lost against the same "
          "training in fp32, or the trained network for a deployment; -bp: points behind bp on the "
          "same device; training: the job's device energy; /inference: facility energy per "
          "request; step: one step's latency; sample: one sample's, from its input to its output (a "
          "spiking chip pipelines a batch's samples); CO2e: the training job in each grid, with embodied; "
          "E/MAC/kTln2: the step's energy per MAC over the Landauer limit; step/bp: the step's "
          "energy over bp's):\n", file=out)
    print(head, file=out)
    for part in TRAINING_PARTS + DEPLOY_PARTS:
        for _, row in ok[ok["part"] == part].iterrows():
            model = "cnn" if row["model"].startswith("cnn") else "mlp"
            behind = bp_accuracy.get((part, row["hw"]))
            behind = 100 * (behind - row["accuracy"]) if behind is not None and part in TRAINING_PARTS else np.nan
            per_inference = (row["inference_energy_j"] / row["inference_requests"]
                             if row["inference_requests"] > 0 else np.nan)
            training = row["job_energy_j"] if row["rule"] != "inference" else np.nan
            hw = row["hw"]
            if row["device"] == "neuro" and "timesteps" in row:
                hw += f" T={int(float(row['timesteps']))} {row['placement']}"
            if row.get("hw_drift_compensation", 0) > 0:
                hw += " comp"
            line = (f"{part:<14} {row['rule']:<9} {model:<5} {hw:<24} {row['precision']:<5} "
                    f"{100 * row['accuracy']:>6.2f} {100 * row['accuracy_loss']:>6.2f} "
                    f"{behind:>6.2f} {si(training, 'J'):>10} {si(per_inference, 'J'):>10} "
                    f"{si(row['latency_s'], 's'):>9} {si(row['sample_latency_s'], 's'):>9} ")
            for r in regions:
                value = co2e_in(row, intensities[r]) * 1e3 if row["rule"] != "inference" else np.nan
                line += f"{si(value, 'g'):>12} "
            ratio = row["rule_to_bp"]
            line += f"{row['landauer_factor']:>11.3g} {ratio:>7.3g}"
            print(line.replace(" nan", " n/a"), file=out)
    # The deployed analog rows differ after programming, not at it: their accuracy a year on.
    if drift is not None and len(drift):
        for _, row in ok[ok["part"] == "deploy-analog"].iterrows():
            points = drift[drift["scenario_id"] == row["scenario_id"]].sort_values("time_s")
            if len(points):
                last = points.iloc[-1]
                comp = "with" if row.get("hw_drift_compensation", 0) > 0 else "without"
                print(f"Drift on {row['hw']}, {comp} compensation: {100 * row['accuracy']:.2f}% "
                      f"after programming, {100 * last['accuracy']:.2f}% after "
                      f"{last['time_s'] / 86400:.4g} days", file=out)
    life = ok[ok["part"] == "lifetime"]
    for _, row in life.iterrows():
        training = row["job_facility_energy_j"]
        inference = row["inference_energy_j"]
        which = "inference" if inference > training else "training"
        print(f"\nThe model's life ({row['model']} on {int(row['devices'] if 'devices' in row else 1)} x "
              f"{row['hw']}): training {si(training, 'J')} ({row['co2e_kg']:.4g} kg CO2e), "
              f"{row['inference_requests']:.3g} inference requests {si(inference, 'J')} "
              f"({row['inference_co2e_kg']:.4g} kg CO2e): {which} dominates, "
              f"x{max(training, inference) / min(training, inference):.3g}.", file=out)
    large = ok[ok["part"] == "large-model"].sort_values("grid_gco2_per_kwh")
    if len(large):
        row = large.iloc[0]
        print(f"\nA large model's training ({row['model']}, {si(row['job_energy_j'] / 3.6e6 * 1e3, 'Wh')} "
              f"on the GPUs, {row['job_time_s'] / 86400:.1f} days), by region:", file=out)
        print(f"{'region':<10} {'gCO2e/kWh':>9} {'operational t':>13} {'embodied t':>10} {'total t':>8}",
              file=out)
        for _, row in large.iterrows():
            print(f"{row['region']:<10} {row['grid_gco2_per_kwh']:>9.1f} "
                  f"{row['co2e_operational_kg'] / 1e3:>13.2f} {row['co2e_embodied_kg'] / 1e3:>10.2f} "
                  f"{row['co2e_kg'] / 1e3:>8.2f}", file=out)
    switches = ok[ok["part"] == "analog-switches"]
    if len(switches):
        print("\nbp against dfa on analog:pcm, by what bp's backward pass runs on and whether idle "
              "tiles are power-gated\n(cost only, each rule's programming pulses as its "
              "training on the chip measured them):", file=out)
        print(f"{'rule':<5} {'backward pass':<19} {'idle tiles':<12} {'step':>10} "
              f"{'static':>10} {'over bp':>8}", file=out)
        for gated, g in switches.groupby("hw_power_gating", sort=True):
            for _, row in g.iterrows():
                where = ("transposed reads" if row["hw_transposed_reads"] == 1 else
                         "transposed copy" if row["hw_backward_copy"] == 1 else "digital units")
                if row["rule"] != "bp":  # no backward pass: against bp's with these switches
                    where = "vs " + where
                same = g[(g["rule"] == "bp") & (g["hw_transposed_reads"] == row["hw_transposed_reads"])
                         & (g["hw_backward_copy"] == row["hw_backward_copy"])]
                over = row["energy_j"] / same["energy_j"].iloc[0] if len(same) else np.nan
                print(f"{row['rule']:<5} {where:<19} {'power-gated' if gated else 'powered':<12} "
                      f"{si(row['energy_j'], 'J'):>10} {si(row['energy_static_j'], 'J'):>10} "
                      f"{over:>8.3g}", file=out)
    failed = scen[scen["status"] != "ok"]
    for _, row in failed.iterrows():
        print(f"\nscenario {row['scenario_id']} ({row['part']}, {row['rule']} on {row['hw']}) "
              f"{row['status']}: {row['error']}", file=out)


def pareto(points):
    """Indices of the points no other beats on both energy (lower) and accuracy (higher)."""
    front = []
    for i, (e, a) in enumerate(points):
        if not any((e2 <= e and a2 >= a) and (e2 < e or a2 > a) for e2, a2 in points):
            front.append(i)
    return sorted(front, key=lambda i: points[i][0])


def plot_accuracy_energy(scen, path):
    rows = scen[(scen["status"] == "ok") & scen["part"].isin(TRAINING_PARTS)]
    fig, ax = plt.subplots(figsize=(9, 6))
    points = list(zip(rows["job_energy_j"], 100 * rows["accuracy"]))
    for (_, row), (e, a) in zip(rows.iterrows(), points):
        ax.scatter(e, a, marker=DEVICE_MARKERS.get(row["device"], "o"),
                   color=RULE_COLORS.get(row["rule"], "black"), s=60 if row["model"].startswith("mlp") else 90,
                   facecolors="none" if row["model"].startswith("cnn") else None, zorder=3)
    front = pareto(points)
    # A front is a staircase: from each run on it, the best accuracy on offer stays the same as
    # the energy rises, until the next run on the front (straight segments would promise runs
    # that do not exist). It is drawn to the right edge of the data.
    xs = [points[i][0] for i in front] + [max(e for e, _ in points) * 1.5]
    ys = [points[i][1] for i in front]
    ax.step(xs, ys + ys[-1:], "k--", where="post", lw=1, zorder=2,
            label="Pareto front (no run is both cheaper and more accurate)")
    for i in front:
        row = rows.iloc[i]
        ax.annotate(label_of(row), points[i], textcoords="offset points", xytext=(8, 4), fontsize=7)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 3.0, 5.0)))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("training job energy of the device, servers not counted [J] (log)")
    ax.set_ylabel("test accuracy [%]")
    ax.set_title("Accuracy against training energy: Fashion-MNIST, each rule on each device")
    handles = [plt.Line2D([], [], ls="", marker="o", color=c, label=r) for r, c in RULE_COLORS.items()
               if r in set(rows["rule"])]
    handles += [plt.Line2D([], [], ls="", marker=m, color="gray", label=d) for d, m in DEVICE_MARKERS.items()
                if d in set(rows["device"])]
    handles += [plt.Line2D([], [], ls="", marker="o", mfc="none", color="gray", label="CNN (hollow)")]
    handles += [plt.Line2D([], [], ls="--", color="k", label="Pareto front")]
    ax.legend(handles=handles, fontsize=8, loc="lower right", ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_components(scen, path):
    ok = scen[scen["status"] == "ok"]
    training = ok[(ok["rule"] == "bp") & ok["part"].isin(["mlp", "analog-train", "spiking-train"])]
    inference = ok[ok["part"].isin(DEPLOY_PARTS)]
    if "hw_drift_compensation" in inference.columns:  # one analog row is enough
        inference = inference[~(inference["hw_drift_compensation"] > 0)]
    spiking = inference[inference["device"] == "neuro"]
    if "placement" in spiking.columns and (spiking["placement"] == "spread").any():
        spiking = spiking[spiking["placement"] == "spread"]
    if len(spiking) > 1:  # one spiking row: the most timesteps, spread over the chip
        longest = spiking["scenario_id"][spiking["timesteps"].astype(float).idxmax()]
        inference = inference[(inference["device"] != "neuro") | (inference["scenario_id"] == longest)]
    shown = pd.concat([training, inference])
    components = [c for c in fr.COMPONENTS if f"energy_{c}_j" in shown.columns and
                  (shown[f"energy_{c}_j"].fillna(0) / shown["energy_j"] > 0.005).any()]
    names_of = {"compute": "compute (MACs; synaptic events on a spiking chip)",
                "static": "static (idle and leakage power over the step)",
                "host": "host (transfers from the host)"}
    palette = dict(zip(fr.COMPONENTS, plt.get_cmap("tab20").colors[::2] + plt.get_cmap("tab20").colors[1::2]))
    colors = [palette[c] for c in components]
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), gridspec_kw={"height_ratios": [1, 1.15]})
    for column, (rows, title) in enumerate(((training, "a bp training step of the MLP"),
                                           (inference, "an inference step of the MLP"))):
        names = list(rows["hw"])
        totals = rows["energy_j"].to_numpy()
        per_sample = rows[[f"energy_{c}_j" for c in components]].fillna(0).to_numpy() / \
            rows["batch"].to_numpy()[:, None]
        # Top: each component's share of the step, stacked to 100%.
        ax = axes[0][column]
        left = np.zeros(len(rows))
        for k, (c, color) in enumerate(zip(components, colors)):
            share = 100 * rows[f"energy_{c}_j"].fillna(0).to_numpy() / totals
            ax.barh(names, share, left=left, color=color, label=names_of.get(c, c))
            left += share
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of the step's device energy [%]")
        ax.set_title(title + ", batch 64")
        # Bottom: the same energies per sample, absolute, on a log axis (the devices differ by
        # orders of magnitude, which shares hide); components are dots, the total a bar.
        ax = axes[1][column]
        y = np.arange(len(rows))
        ax.barh(y, totals / rows["batch"].to_numpy(), color="0.85", label="total")
        for k, (c, color) in enumerate(zip(components, colors)):
            shown_here = per_sample[:, k] > 0
            ax.scatter(per_sample[shown_here, k], y[shown_here], color=color, s=28, zorder=3,
                       edgecolors="k", linewidths=0.4)
        for yy, total in zip(y, totals / rows["batch"].to_numpy()):
            ax.text(total * 1.15, yy, si(total, "J"), va="center", fontsize=8)
        ax.set_yticks(y, names)
        ax.set_xscale("log")
        low = per_sample[per_sample > 0].min() if (per_sample > 0).any() else 1e-9
        ax.set_xlim(low / 3, (totals / rows["batch"].to_numpy()).max() * 8)
        ax.set_xlabel("energy per sample [J] (log): components as dots, the total as a bar")
        ax.grid(True, axis="x", which="major", alpha=0.3)
    fig.text(0.01, 0.005, "Components under 0.5% everywhere are left out; the servers around the "
             "GPUs (host_power) are not a device component.", fontsize=7)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(components), 4), fontsize=8)
    fig.suptitle("Energy by component on each device: shares of the step, and absolute per sample")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_drift(res, scen, path):
    drift = res.table("drift") if "drift" in res.tables() else None
    fig, ax = plt.subplots(figsize=(8, 5))
    rows = scen[(scen["part"] == "deploy-analog") & (scen["status"] == "ok")]
    for _, row in rows.iterrows():
        d = drift[drift["scenario_id"] == row["scenario_id"]] if drift is not None else []
        if len(d) == 0:
            continue
        comp = row.get("hw_drift_compensation", 0)
        ax.plot(d["time_s"], 100 * d["accuracy"], "o-",
                label=f"{row['hw']}, drift compensation {'on' if comp > 0 else 'off'}")
    if len(rows):
        trained = 100 * (rows.iloc[0]["accuracy"] + rows.iloc[0]["accuracy_loss"])
        ax.axhline(trained, color="k", ls="--", lw=1, label="the trained network (fp32)")
        ax.axhline(100 * rows.iloc[0]["accuracy"], color="gray", ls=":", lw=1,
                   label="as programmed, before any drift")
    ax.set_xscale("log")
    times = [1, 60, 3600, 86400, 604800, 2592000, 31536000]
    ax.set_xticks(times)
    ax.set_xticklabels(["1 s", "1 min", "1 h", "1 day", "1 week", "30 days", "1 year"])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("time after programming (log scale); each point one draw of read noise and "
                  "drift on the test set")
    ax.set_ylabel("test accuracy [%]")
    ax.set_title("The MLP on the analog PCM chip: accuracy as the conductances drift")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_timesteps(res, scen, path):
    steps = res.table("timesteps") if "timesteps" in res.tables() else None
    fig, ax = plt.subplots(figsize=(8, 5))
    rows = scen[(scen["device"] == "neuro") & (scen["status"] == "ok")].copy()
    rows["t"] = rows["timesteps"].astype(float) if "timesteps" in rows.columns else np.nan
    rows = rows.sort_values("t")
    handles = []
    energy = None
    if len(rows):
        row = rows.iloc[-1]  # the longest run's accuracy after every power of two
        t = steps[steps["scenario_id"] == row["scenario_id"]] if steps is not None else []
        if len(t):
            handles += ax.plot(t["timesteps"], 100 * t["accuracy"], "o-", color="tab:blue",
                               label=f"accuracy, converted MLP on {row['hw']} (the {int(row['t'])}-"
                                     "timestep run read out after each power of two)")
        trained = 100 * (row["accuracy"] + row["accuracy_loss"])
        handles.append(ax.axhline(trained, color="k", ls="--", lw=1,
                                  label="accuracy of the trained network (fp32, not spiking)"))
        energy = ax.twinx()
        placements = rows["placement"] if "placement" in rows.columns else pd.Series("pack", rows.index)
        for placement, style in (("pack", "s-"), ("spread", "s--")):
            chosen = rows[placements == placement]
            if len(chosen):
                handles += energy.plot(chosen["t"], chosen["energy_per_sample_j"] * 1e6, style,
                                       color="tab:red",
                                       label=f"energy per inference [uJ] (right axis), placement "
                                             f"{placement}")
        energy.set_ylabel("energy per inference on the chip [uJ]")
        energy.set_ylim(0, 1.25 * energy.get_ylim()[1])
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.set_xlabel("timesteps per sample (log2)")
    ax.set_ylabel("test accuracy [%]")
    ax.set_title("The MLP converted to spikes: accuracy and energy against timesteps")
    ax.grid(True, which="both", alpha=0.3)
    fig.legend(handles=handles, fontsize=8, loc="lower center", ncol=1)
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_regions(scen, path):
    rows = scen[(scen["part"] == "large-model") & (scen["status"] == "ok")].sort_values("grid_gco2_per_kwh")
    fig, ax = plt.subplots(figsize=(9, 5))
    names = [f"{r}\n{g:.0f} g/kWh" for r, g in zip(rows.get("region", rows["hw"]), rows["grid_gco2_per_kwh"])]
    ax.bar(names, rows["co2e_operational_kg"] / 1e3, label="operational (GPUs and servers x grid)")
    ax.bar(names, rows["co2e_embodied_kg"] / 1e3, bottom=rows["co2e_operational_kg"] / 1e3,
           label="embodied (manufacture, amortized)")
    model = rows["model"].iloc[0] if len(rows) else ""
    ax.set_ylabel("training emissions [t CO2e]")
    ax.set_xlabel("region (grid carbon intensity)")
    ax.set_title(f"Carbon of one training run of {model} by region (the same energy)")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", help="the study's result file (out/flagship.h5)")
    parser.add_argument("--plots", metavar="DIR", help="write the PNG plots into DIR")
    args = parser.parse_args(argv)
    res = fr.open_results(args.file)
    scen = res.scenarios()
    if "part" not in scen.columns:
        sys.exit(f"{args.file}: not a flagship study (no 'part' column); expected the result of "
                 "frugal sweep --config studies/flagship.ini")
    summary(scen, drift=res.table("drift") if "drift" in res.tables() else None)
    if args.plots:
        os.makedirs(args.plots, exist_ok=True)
        written = []
        for name, draw in (("accuracy_vs_energy.png", lambda p: plot_accuracy_energy(scen, p)),
                           ("energy_by_component.png", lambda p: plot_components(scen, p)),
                           ("drift.png", lambda p: plot_drift(res, scen, p)),
                           ("timesteps.png", lambda p: plot_timesteps(res, scen, p)),
                           ("carbon_by_region.png", lambda p: plot_regions(scen, p))):
            path = os.path.join(args.plots, name)
            draw(path)
            written.append(path)
        print("\nplots: " + ", ".join(written))


if __name__ == "__main__":
    main()
