#!/usr/bin/python3
"""Executes a notebook headless on a result file, as a user would open it, and checks that it
showed every scenario of the file.

usage: execute_notebook.py NOTEBOOK RESULTS.h5 FIGURES_DIR EXECUTED.ipynb

The kernel is pinned to /usr/bin/python3 through a kernelspec of our own (in a temporary
JUPYTER_PATH), so that a user's or a virtualenv's "python3" kernelspec cannot substitute another
interpreter. FRUGAL_RESULTS and FRUGAL_FIGURES are set for the notebook. Exits 1 naming the
cell that raised, or a count of scenarios shown that is not the file's.
"""
import json
import os
import re
import sys
import tempfile

import h5py
import nbclient
import nbformat


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    source, results, figures, executed = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as tmp:
        kernel = os.path.join(tmp, "jupyter", "kernels", "frugal-python3")
        os.makedirs(kernel)
        with open(os.path.join(kernel, "kernel.json"), "w") as f:
            json.dump({"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f",
                                "{connection_file}"],
                       "display_name": "Python 3 (Debian)", "language": "python"}, f)
        os.environ["JUPYTER_PATH"] = os.path.join(tmp, "jupyter") + (
            ":" + os.environ["JUPYTER_PATH"] if os.environ.get("JUPYTER_PATH") else "")
        os.environ.setdefault("JUPYTER_RUNTIME_DIR", os.path.join(tmp, "runtime"))
        os.environ.setdefault("IPYTHONDIR", os.path.join(tmp, "ipython"))
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        os.environ["FRUGAL_RESULTS"] = os.path.abspath(results)
        os.environ["FRUGAL_FIGURES"] = os.path.abspath(figures)
        nb = nbformat.read(source, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=300, kernel_name="frugal-python3",
                                         resources={"metadata": {"path": os.path.dirname(source)}})
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as e:
            plain = re.sub(r"\x1b\[[0-9;]*m", "", str(e))  # IPython colours its tracebacks
            print(f"execute_notebook: a notebook cell raised:\n{plain}", file=sys.stderr)
            return 1
        finally:
            nbformat.write(nb, executed)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    with h5py.File(results, "r") as f:
        count = len(f["scenarios"]["scenario_id"])
    shown = re.search(r"shown: (\d+) of (\d+) scenarios", text)
    if not shown or int(shown.group(1)) != count or int(shown.group(2)) != count:
        print(f"execute_notebook: the notebook did not show all {count} scenarios "
              f"({shown.group(0) if shown else 'no count printed'})", file=sys.stderr)
        return 1
    print(f"execute_notebook: executed, {count} scenarios shown")
    return 0


if __name__ == "__main__":
    sys.exit(main())
