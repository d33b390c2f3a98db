#!/usr/bin/python3
"""Opens a `frugal report` page in a real headless browser (Debian's chromium, driven by
python3-selenium through chromium-driver) and checks it against the result file it came from:

- the page loads from the file with no console message at all (errors or warnings), and asks
  nothing of the network (no script, stylesheet, image or frame from anywhere);
- every plot the file has data for is there, and every plot renders: its <svg> has a size on
  the page, and each of its marks (points, lines, bars) has a size in the browser's layout;
- the marks are the data: one point per trained scenario in the accuracy plot, one bar per
  finished scenario in the component plot, one line per scenario in each curve plot;
- the table lists every scenario.

usage: check_report.py RESULTS.h5 REPORT.html    (exits 1 naming each failed check)
"""
import os
import re
import sys

import h5py
import numpy as np
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common import utils
from selenium.webdriver.common.by import By


class LoopbackService(Service):
    """chromedriver reached at 127.0.0.1, not at the name "localhost", which a machine without an
    /etc/hosts (a fresh debootstrap root) may not resolve."""

    @property
    def service_url(self):
        return f"http://127.0.0.1:{self.port}"

    def is_connectable(self):
        return utils.is_connectable(self.port, host="127.0.0.1")


def expected_plots(path):
    """The plots the report must draw, with their mark counts, from the file alone."""
    with h5py.File(path, "r") as f:
        s = f["scenarios"]
        status = [v.decode() for v in s["status"][:]]
        ok = np.array([v == "ok" for v in status])
        accuracy, epochs = s["accuracy"][:], s["epochs"][:]
        job = s["job_energy_j"][:]
        per_sample = s["energy_per_sample_j"][:]
        count = len(status)
        shown = np.flatnonzero(ok & (per_sample > 0))[:60]
        describe = {c: str(s[c].attrs.get("description", "")) for c in s}
        components = [c for c, d in describe.items()
                      if d.startswith("energy of one step spent in ") and "phase " not in d]
        dots = sum(int((s[c][:][shown] > 0).sum()) for c in components)
        plots = {"components": [("bar", len(shown)), ("point", dots)]}
        trained = ok & np.isfinite(accuracy) & (job > 0) & (epochs > 0)
        if trained.any():
            plots["accuracy-energy"] = [("point", min(2000, int(trained.sum())))]
        # Curves: a point per row of the table's first 40 scenarios (x on a log axis: x > 0).
        for table, x, log in (("epochs", "epoch", False), ("drift", "time_s", True),
                              ("timesteps", "timesteps", True)):
            if table not in f or len(f[table]["scenario_id"]) == 0:
                continue
            ids = f[table]["scenario_id"][:]
            first = list(dict.fromkeys(ids.tolist()))[:40]
            xs = f[table][x][:].astype(float)
            y = f[table]["test_accuracy" if table == "epochs" else "accuracy"][:]
            keep = np.isin(ids, first) & np.isfinite(y) & (xs > 0 if log else np.isfinite(xs))
            plots[table] = [("point", int(keep.sum()))]
    return plots, count


def check(results, report):
    failures = []

    def fail(message):
        failures.append(message)
        print(f"check_report: FAIL: {message}", file=sys.stderr)

    html = open(report, encoding="utf-8").read()
    # Offline: nothing to fetch. The SVG namespace is a name, not a request.
    fetched = re.findall(r'<(?:script|link|img|iframe|object|embed)\b|\b(?:src|href)\s*=|url\(', html)
    if fetched:
        fail(f"the page asks for resources: {sorted(set(fetched))}")
    plots, count = expected_plots(results)

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # --remote-debugging-pipe: chromedriver talks to chromium over a pipe, not a localhost port.
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--remote-debugging-pipe", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=LoopbackService("/usr/bin/chromedriver"), options=options)
    try:
        driver.get("file://" + os.path.abspath(report))
        if driver.execute_script("return document.readyState") != "complete":
            fail("the page did not finish loading")
        messages = [m for m in driver.get_log("browser") if m.get("level") in ("SEVERE", "WARNING")]
        if messages:
            fail(f"console messages: {messages}")
        rows = driver.find_elements(By.CSS_SELECTOR, "table#scenarios tbody tr")
        if len(rows) != min(count, 1000):
            fail(f"the table lists {len(rows)} scenarios, the file has {count}")
        drawn = {}
        for svg in driver.find_elements(By.CSS_SELECTOR, "svg.plot"):
            name = svg.get_attribute("id")
            size = svg.size
            if size["width"] < 100 or size["height"] < 100:
                fail(f"plot {name} is {size['width']}x{size['height']} px on the page")
            # Each mark's own box in the layout: a mark with no size did not render.
            boxes = driver.execute_script(
                "return Array.from(arguments[0].querySelectorAll('.mark')).map(m => {"
                " const b = m.getBBox(); return [m.getAttribute('class'), b.width, b.height]; })",
                svg)
            empty = [b for b in boxes if b[1] <= 0 and b[2] <= 0]
            if not boxes:
                fail(f"plot {name} has no marks")
            if empty:
                fail(f"plot {name}: {len(empty)} of {len(boxes)} marks have no size")
            drawn[name] = boxes
        for name, counts in plots.items():
            if name not in drawn:
                fail(f"the file has data for plot {name}, the page does not draw it "
                     f"(plots: {sorted(drawn)})")
                continue
            for kind, expected in counts:
                marks = [b for b in drawn[name] if kind in b[0].split()]
                if len(marks) != expected:
                    fail(f"plot {name} has {len(marks)} {kind} marks, the file gives {expected}")
        if not any(n.startswith("parallel") for n in drawn) and count >= 3:
            print("check_report: note: no parallel coordinates (no part with an axis and 3 "
                  "finished scenarios)")
    finally:
        driver.quit()
    if not failures:
        print(f"check_report: {report}: {len(drawn)} plots render, {count} scenarios listed, "
              "no console message")
    return failures


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if check(sys.argv[1], sys.argv[2]) else 0


if __name__ == "__main__":
    sys.exit(main())
