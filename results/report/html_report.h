#pragma once
// `frugal report FILE.h5 --html OUT.html`: a result file as one self-contained HTML page that
// opens offline (inline CSS and SVG, no script, nothing fetched): provenance, a table of every
// scenario with the columns' meanings, and the plots the file has data for: accuracy against
// training energy with its Pareto front as a staircase, energy per sample by component on a log
// axis, accuracy by epoch, accuracy after programming (drift) and against timesteps, and
// parallel coordinates over a sweep's axes. docs/report.md describes it.

#include <string>

#include "results/files/hdf5_file.h"

namespace frugal::results {

// The page for `file`, read from `source` (the path shown on the page). Rows beyond
// kReportRows in the table, and beyond each plot's own limit, are left out and counted.
inline constexpr size_t kReportRows = 1000;
std::string html_report(const ResultsFile& file, const std::string& source);

}  // namespace frugal::results
