#!/usr/bin/python3
"""The reader's former name, kept so that scripts written for it still run: `import frugal`
(results/python/frugal/) is the reader now, and `python3 -m frugal FILE.h5` its summary."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from frugal.results import *  # noqa: E402,F401,F403
from frugal.results import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv))
