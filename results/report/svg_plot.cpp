#include "results/report/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace frugal::results::svg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string px(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

// A tick of a log axis: plain from 0.001 to 10000 ("0.01", "100"), else "1e-7", "5e6".
std::string log_tick(double v) {
  if (v >= 1e-3 && v < 1e5) return number(v, 6);
  char text[32];
  std::snprintf(text, sizeof text, "%.0e", v);
  std::string out = text;  // "1e-07", "5e+06"
  const size_t e = out.find('e');
  std::string exponent = out.substr(e + 1);
  const bool negative = exponent[0] == '-';
  exponent = exponent.substr(1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return out.substr(0, e) + "e" + (negative ? "-" : "") + exponent;
}

// A value's place on one axis, in pixels, from `lo_px` (the axis minimum) to `hi_px`.
class Scale {
 public:
  Scale(const Axis& axis, std::vector<double> values, double lo_px, double hi_px)
      : m_axis(axis), m_lo_px(lo_px), m_hi_px(hi_px) {
    if (!axis.categories.empty()) {
      m_lo = -0.5;
      m_hi = static_cast<double>(axis.categories.size()) - 0.5;
      return;
    }
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
      if (usable(v)) {
        const double t = axis.log ? std::log10(v) : v;
        lo = std::min(lo, t);
        hi = std::max(hi, t);
      }
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) {
      const double pad = axis.log ? 0.5 : (lo == 0 ? 1 : std::abs(lo) * 0.1);
      lo -= pad;
      hi += pad;
    } else {
      const double pad = (hi - lo) * 0.06;
      lo -= pad;
      hi += pad;
    }
    m_lo = lo;
    m_hi = hi;
  }
  bool usable(double v) const { return std::isfinite(v) && (!m_axis.log || v > 0); }
  double operator()(double v) const {
    const double t = m_axis.categories.empty() && m_axis.log ? std::log10(v) : v;
    return m_lo_px + (t - m_lo) / (m_hi - m_lo) * (m_hi_px - m_lo_px);
  }
  double lo_px() const { return m_lo_px; }
  // Ticks as (value, label).
  std::vector<std::pair<double, std::string>> ticks() const {
    std::vector<std::pair<double, std::string>> out;
    if (!m_axis.categories.empty()) {
      for (size_t i = 0; i < m_axis.categories.size(); ++i)
        out.emplace_back(static_cast<double>(i), m_axis.categories[i]);
      return out;
    }
    if (m_axis.log) {
      const int first = static_cast<int>(std::ceil(m_lo - 1e-9)),
                last = static_cast<int>(std::floor(m_hi + 1e-9));
      const int step = std::max(1, (last - first + 7) / 7);  // at most about 7 labels
      const bool fine = last - first < 2;
      for (int e = first - 1; e <= last; ++e)
        for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
          if ((e - first) % step != 0 && m == 1) continue;
          const double v = m * std::pow(10.0, e);
          const double t = std::log10(v);
          if (t >= m_lo && t <= m_hi) out.emplace_back(v, log_tick(v));
        }
      return out;
    }
    const double span = m_hi - m_lo, raw = span / 6;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (m * mag >= raw) {
        step = m * mag;
        break;
      }
    for (double v = std::ceil(m_lo / step) * step; v <= m_hi + step * 1e-9; v += step)
      out.emplace_back(std::abs(v) < step * 1e-9 ? 0.0 : v,
                       number(std::abs(v) < step * 1e-9 ? 0 : v, 3));
    return out;
  }

 private:
  Axis m_axis;
  double m_lo_px, m_hi_px, m_lo = 0, m_hi = 1;
};

std::string text(double x, double y, const std::string& s, const std::string& attrs = {}) {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\"" + (attrs.empty() ? "" : " " + attrs) +
         ">" + escape(s) + "</text>";
}

std::string tip(const std::string& s) { return "<title>" + escape(s) + "</title>"; }

// `s` cut to `chars` characters (UTF-8 aware), keeping its head and tail around an ellipsis.
std::string shorten(const std::string& s, size_t chars) {
  std::vector<size_t> starts;  // byte offset of each character
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= chars || chars < 5) return s;
  const size_t head = chars / 3, tail = chars - head - 1;
  return s.substr(0, starts[head]) + "…" + s.substr(starts[starts.size() - tail]);
}

}  // namespace

const std::vector<std::string>& palette() {
  static const std::vector<std::string> colors = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                  "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                  "#bcbd22", "#17becf"};
  return colors;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  return out;
}

std::string number(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
  char text[40];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

std::string render(const Plot& plot) {
  const bool categorical_y = !plot.y.categories.empty();
  size_t longest = 0;
  for (const std::string& c : plot.y.categories) longest = std::max(longest, c.size());
  bool legend = false;
  for (const Series& s : plot.series) legend = legend || !s.name.empty();
  const size_t label_chars = std::min<size_t>(longest, 64);
  const double left = categorical_y ? 16.0 + 6.0 * static_cast<double>(label_chars) : 78.0;
  const double right = legend ? 220.0 : 20.0, top = 34.0, bottom = 62.0;
  const int height =
      plot.height > 0 ? plot.height
      : categorical_y ? static_cast<int>(top + bottom +
                                         18.0 * static_cast<double>(plot.y.categories.size()) + 10)
                      : 420;
  const double x0 = left, x1 = plot.width - right, y0 = height - bottom, y1 = top;

  std::vector<double> xs, ys;
  for (const Series& s : plot.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  const Scale sx(plot.x, xs, x0, x1);
  // A categorical y axis runs from the top down.
  const Scale sy(plot.y, ys, categorical_y ? y1 : y0, categorical_y ? y0 : y1);

  std::ostringstream o;
  o << "<svg id=\"" << escape(plot.id) << "\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
    << "width=\"" << plot.width << "\" height=\"" << height << "\" viewBox=\"0 0 " << plot.width
    << " " << height << "\" role=\"img\" aria-label=\"" << escape(plot.title) << "\">";
  o << text(plot.width / 2.0, 20, plot.title, "class=\"title\" text-anchor=\"middle\"");
  o << "<rect x=\"" << px(x0) << "\" y=\"" << px(y1) << "\" width=\"" << px(x1 - x0)
    << "\" height=\"" << px(y0 - y1) << "\" class=\"frame\"/>";
  for (const auto& [v, label] : sx.ticks()) {
    const double x = sx(v);
    o << "<line x1=\"" << px(x) << "\" y1=\"" << px(y1) << "\" x2=\"" << px(x) << "\" y2=\""
      << px(y0) << "\" class=\"grid\"/>";
    o << text(x, y0 + 16, label, "text-anchor=\"middle\"");
  }
  for (const auto& [v, label] : sy.ticks()) {
    const double y = sy(v);
    if (!categorical_y)
      o << "<line x1=\"" << px(x0) << "\" y1=\"" << px(y) << "\" x2=\"" << px(x1) << "\" y2=\""
        << px(y) << "\" class=\"grid\"/>";
    if (categorical_y)  // a long name shortened, whole in its tooltip
      o << "<text x=\"" << px(x0 - 6) << "\" y=\"" << px(y + 4)
        << "\" text-anchor=\"end\" class=\"small\">" << tip(label)
        << escape(shorten(label, label_chars)) << "</text>";
    else
      o << text(x0 - 6, y + 4, label, "text-anchor=\"end\"");
  }
  o << text((x0 + x1) / 2, y0 + 38, plot.x.label + (plot.x.log ? " (log)" : ""),
            "text-anchor=\"middle\"");
  if (!categorical_y)
    o << text(16, (y0 + y1) / 2, plot.y.label + (plot.y.log ? " (log)" : ""),
              "text-anchor=\"middle\" transform=\"rotate(-90 16 " + px((y0 + y1) / 2) + ")\"");

  size_t next_color = 0, left_out = 0;
  std::vector<std::pair<std::string, std::string>> entries;  // legend: name, colour
  for (const Series& s : plot.series) {
    const std::string color =
        s.color.empty() ? palette()[next_color++ % palette().size()] : s.color;
    if (!s.name.empty()) entries.emplace_back(s.name, color);
    std::vector<std::pair<double, double>> at;  // pixel positions of the usable points
    std::vector<size_t> index;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!sx.usable(s.x[i]) || !sy.usable(s.y[i])) {
        ++left_out;
        continue;
      }
      at.emplace_back(sx(s.x[i]), sy(s.y[i]));
      index.push_back(i);
    }
    const std::string name_tip = tip(s.name);
    if ((s.style == Style::lines || s.style == Style::line_points) && at.size() > 1) {
      o << "<polyline class=\"mark line\" fill=\"none\" stroke=\"" << color << "\" points=\"";
      for (const auto& [x, y] : at) o << px(x) << "," << px(y) << " ";
      o << "\">" << name_tip << "</polyline>";
    }
    if (s.style == Style::steps && !at.empty()) {
      o << "<path class=\"mark steps\" fill=\"none\" stroke=\"" << color
        << "\" stroke-dasharray=\"5 3\" d=\"M" << px(at[0].first) << " " << px(at[0].second);
      for (size_t i = 1; i < at.size(); ++i)
        o << " H" << px(at[i].first) << " V" << px(at[i].second);
      o << " H" << px(x1) << "\">" << name_tip << "</path>";
    }
    if (s.style == Style::hbars) {
      const double rows = static_cast<double>(std::max<size_t>(1, plot.y.categories.size()));
      const double band = categorical_y ? 0.62 * (y0 - y1) / rows : 8;
      for (size_t k = 0; k < at.size(); ++k)
        o << "<rect class=\"mark bar\" x=\"" << px(x0) << "\" y=\"" << px(at[k].second - band / 2)
          << "\" width=\"" << px(std::max(0.0, at[k].first - x0)) << "\" height=\"" << px(band)
          << "\" fill=\"" << color << "\">"
          << tip(index[k] < s.tips.size() ? s.tips[index[k]] : s.name) << "</rect>";
    }
    if (s.style == Style::points || s.style == Style::line_points)
      for (size_t k = 0; k < at.size(); ++k)
        o << "<circle class=\"mark point\" cx=\"" << px(at[k].first) << "\" cy=\""
          << px(at[k].second) << "\" r=\"4\" "
          << (s.hollow ? "fill=\"white\" stroke=\"" + color + "\" stroke-width=\"1.5\""
                       : "fill=\"" + color + "\" stroke=\"#333\" stroke-width=\"0.4\"")
          << ">" << tip(index[k] < s.tips.size() ? s.tips[index[k]] : s.name) << "</circle>";
  }
  double ly = y1 + 8;
  for (const auto& [name, color] : entries) {
    o << "<rect x=\"" << px(x1 + 12) << "\" y=\"" << px(ly)
      << "\" width=\"10\" height=\"10\" fill=\"" << color << "\"/><text x=\"" << px(x1 + 27)
      << "\" y=\"" << px(ly + 9) << "\" class=\"small\">" << tip(name) << escape(shorten(name, 32))
      << "</text>";
    ly += 16;
  }
  if (left_out > 0)
    o << text(x0, height - 6.0,
              std::to_string(left_out) + " value" + (left_out == 1 ? "" : "s") + " not shown (NaN" +
                  (plot.x.log || plot.y.log ? ", or not positive on a log axis" : "") + ")",
              "class=\"small\"");
  o << "</svg>";
  return o.str();
}

std::string render(const Parallel& plot) {
  const double top = 54, bottom = 48, left = 60, right = 60;
  const double y0 = plot.height - bottom, y1 = top;
  const size_t n = plot.columns.size();
  auto column_x = [&](size_t c) {
    return n < 2 ? plot.width / 2.0
                 : left + (plot.width - left - right) * static_cast<double>(c) /
                              (static_cast<double>(n) - 1.0);
  };
  std::vector<Scale> scales;
  for (const ParallelColumn& c : plot.columns) {
    Axis axis;
    axis.log = c.log;
    axis.categories = c.categories;
    scales.emplace_back(axis, c.values, y0, y1);
  }
  std::ostringstream o;
  o << "<svg id=\"" << escape(plot.id) << "\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
    << "width=\"" << plot.width << "\" height=\"" << plot.height << "\" viewBox=\"0 0 "
    << plot.width << " " << plot.height << "\" role=\"img\" aria-label=\"" << escape(plot.title)
    << "\">";
  o << text(plot.width / 2.0, 20, plot.title, "class=\"title\" text-anchor=\"middle\"");
  double lx = left;
  for (const std::string& entry : plot.legend) {
    const size_t eq = entry.rfind('=');
    o << "<rect x=\"" << px(lx) << "\" y=\"30\" width=\"10\" height=\"10\" fill=\""
      << escape(entry.substr(eq + 1)) << "\"/>"
      << text(lx + 14, 39, entry.substr(0, eq), "class=\"small\"");
    lx += 24 + 6.2 * static_cast<double>(eq);
  }
  const size_t rows = plot.tips.size();
  for (size_t r = 0; r < rows; ++r) {
    std::string points;
    for (size_t c = 0; c < n; ++c) {
      const double v = r < plot.columns[c].values.size() ? plot.columns[c].values[r] : kNaN;
      const bool ok = plot.columns[c].categories.empty() ? scales[c].usable(v) : std::isfinite(v);
      if (ok) points += px(column_x(c)) + "," + px(scales[c](v)) + " ";
    }
    const std::string color =
        r < plot.colors.size() && !plot.colors[r].empty() ? plot.colors[r] : "#888";
    o << "<polyline class=\"mark line\" fill=\"none\" stroke=\"" << color
      << "\" stroke-opacity=\"0.55\" points=\"" << points << "\">" << tip(plot.tips[r])
      << "</polyline>";
  }
  for (size_t c = 0; c < n; ++c) {
    const double x = column_x(c);
    o << "<line x1=\"" << px(x) << "\" y1=\"" << px(y1) << "\" x2=\"" << px(x) << "\" y2=\""
      << px(y0) << "\" class=\"axis\"/>";
    const std::string name = plot.columns[c].name + (plot.columns[c].log ? " (log)" : "");
    o << "<text x=\"" << px(x) << "\" y=\"" << px(y0 + 18 + 13 * static_cast<double>(c % 2))
      << "\" text-anchor=\"middle\" class=\"small\">" << tip(name) << escape(shorten(name, 26))
      << "</text>";
    const auto ticks = scales[c].ticks();
    const size_t stride = std::max<size_t>(1, ticks.size() / 8);
    for (size_t t = 0; t < ticks.size(); t += stride)
      o << text(x + 4, scales[c](ticks[t].first) + 4, ticks[t].second, "class=\"small\"");
  }
  o << "</svg>";
  return o.str();
}

}  // namespace frugal::results::svg
