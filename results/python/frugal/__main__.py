"""python3 -m frugal FILE.h5: a summary of every table of a result file."""
import sys

from .results import main

sys.exit(main(sys.argv))
