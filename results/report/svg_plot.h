#pragma once
// Plots as inline SVG, for reports that must open offline with nothing but a browser (frugal
// report --html): points, lines, staircases and horizontal bars on linear, logarithmic or
// categorical axes, and parallel coordinates. Every data mark carries the class "mark" and a
// <title> (its tooltip), so that a test can count what a plot drew.

#include <string>
#include <vector>

namespace frugal::results::svg {

struct Axis {
  std::string label;
  bool log = false;
  // Category names for a categorical axis: values are the indices 0..n-1 (drawn top to bottom
  // on a y axis).
  std::vector<std::string> categories;
};

enum class Style { points, lines, line_points, steps, hbars };

struct Series {
  std::string name;  // in the legend ("" for none)
  Style style = Style::points;
  std::vector<double> x, y;
  std::vector<std::string> tips;  // one tooltip per point (optional)
  std::string color;              // "" for the palette's next colour
  bool hollow = false;            // points drawn as rings
};

struct Plot {
  std::string id;  // the <svg> element's id
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  int width = 760;
  int height = 0;  // 0: 420, or from the categories of a categorical y axis
};

// The plot as an <svg> element. Points outside a log axis (≤ 0) and non-finite ones are left
// out, and the caption under the plot says how many.
std::string render(const Plot& plot);

// Parallel coordinates: one vertical axis per column, one polyline per row.
struct ParallelColumn {
  std::string name;
  std::vector<double> values;           // one per row (NaN: missing)
  std::vector<std::string> categories;  // a categorical column: values index these
  bool log = false;
};
struct Parallel {
  std::string id, title;
  std::vector<ParallelColumn> columns;
  std::vector<std::string> tips;    // one per row
  std::vector<std::string> colors;  // one per row ("" for grey)
  std::vector<std::string> legend;  // "name=colour" entries shown above the plot
  int width = 900, height = 420;
};
std::string render(const Parallel& plot);

// The palette (Matplotlib's tab10), and XML escaping of text.
const std::vector<std::string>& palette();
std::string escape(const std::string& text);
// A number with `digits` significant digits, shortest form ("0.05", "1.2e-07").
std::string number(double value, int digits = 3);

}  // namespace frugal::results::svg
