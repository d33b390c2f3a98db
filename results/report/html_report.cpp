#include "results/report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "results/core/error.h"
#include "results/core/units.h"
#include "results/report/svg_plot.h"

namespace frugal::results {
namespace {

using svg::escape;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Plots with one mark per scenario stop at these (a 100,000-scenario sweep would make a page
// no browser draws); what is left out is counted under the plot.
constexpr size_t kPlotRows = 2000, kComponentRows = 60, kCurves = 40;
const char* const kComponentPrefix = "energy of one step spent in ";

const Column* find(const Table& t, const std::string& name) {
  return t.has_column(name) ? &t.column(name) : nullptr;
}

double number_at(const Column* c, size_t row) {
  if (!c || row >= c->size()) return kNaN;
  if (c->spec().type == ColumnType::int64) return static_cast<double>(c->ints()[row]);
  if (c->spec().type == ColumnType::float64) return c->floats()[row];
  return kNaN;
}

std::string text_at(const Column* c, size_t row) {
  if (!c || row >= c->size()) return "";
  if (c->spec().type == ColumnType::string) return c->strings()[row];
  if (c->spec().type == ColumnType::int64) return std::to_string(c->ints()[row]);
  return svg::number(c->floats()[row], 4);
}

// A value in a column's units, with an engineering prefix as the summaries print it:
// si(5.254e-3, "J") == "5.25 mJ", kg as g, mg or t; a unit without a prefix scale after the number.
std::string si(double value, const std::string& unit) {
  if (!std::isfinite(value)) return std::isnan(value) ? "–" : svg::number(value);
  const std::optional<units::Dimension> dimension = units::dimension_of(unit);
  if (!dimension || *dimension == units::Dimension::dimensionless)
    return svg::number(value, 4) + (dimension || unit.empty() ? "" : " " + unit);
  return units::format_si(value, *dimension, 3);
}

// The sweep specification's sections (/provenance sweep_spec): name and keys, in file order.
using Sections = std::vector<std::pair<std::string, std::vector<std::string>>>;
Sections spec_keys(const std::string& spec) {
  Sections sections;
  std::string current, line;
  std::istringstream in(spec);
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    if (line.front() == '[') {
      current = line.substr(1, line.find(']') - 1);
      sections.emplace_back(current, std::vector<std::string>{});
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos || current.empty()) continue;
    std::string key = line.substr(0, eq);
    key.erase(key.find_last_not_of(" \t") + 1);
    if (key == "zip" || key == "seeds" || key == "out") continue;
    std::replace_if(
        key.begin(), key.end(), [](char c) { return c == '-' || c == '.'; }, '_');
    sections.back().second.push_back(key);
  }
  return sections;
}

struct Rows {
  const Table& scen;
  size_t count;
  const Column *id, *part, *status, *error, *device, *rule, *batch, *accuracy, *epochs;
  std::vector<std::string> swept;                           // every swept column, in order
  std::map<std::string, std::vector<std::string>> by_part;  // a part's own swept columns
  std::vector<std::string> parts;                           // in file order ("" for none)
  std::vector<std::string> label;                           // per row

  explicit Rows(const Table& t, const std::string& spec)
      : scen(t),
        count(t.rows()),
        id(find(t, "scenario_id")),
        part(find(t, "part")),
        status(find(t, "status")),
        error(find(t, "error")),
        device(find(t, "device")),
        rule(find(t, "rule")),
        batch(find(t, "batch")),
        accuracy(find(t, "accuracy")),
        epochs(find(t, "epochs")) {
    const auto sections = spec_keys(spec);
    auto varies = [&](const std::string& column, const std::string& in_part) {
      const Column* c = find(t, column);
      if (!c) return false;
      std::set<std::string> seen;
      for (size_t r = 0; r < count; ++r)
        if (in_part.empty() || text_at(part, r) == in_part) seen.insert(text_at(c, r));
      return seen.size() > 1;
    };
    auto add = [&](std::vector<std::string>& to, const std::string& column) {
      if (std::find(to.begin(), to.end(), column) == to.end()) to.push_back(column);
    };
    for (const auto& [name, keys] : sections)
      if (name.rfind("part ", 0) == 0) parts.push_back(name.substr(5));
    if (parts.empty()) parts.push_back("");
    auto keys_of = [&](const std::string& section) {
      for (const auto& [name, keys] : sections)
        if (name == section) return keys;
      return std::vector<std::string>{};
    };
    for (const std::string& p : parts) {
      std::vector<std::string> keys = keys_of("axes");
      if (!p.empty())
        for (const std::string& k : keys_of("part " + p)) keys.push_back(k);
      for (const std::string& k : keys)
        if (varies(k, p)) {
          add(by_part[p], k);
          add(swept, k);
        }
    }
    for (size_t r = 0; r < count; ++r) {
      const std::string p = text_at(part, r);
      std::string name = p.empty() ? "" : p + ": ";
      std::string values;
      for (const std::string& k : by_part[p])
        values += (values.empty() ? "" : ", ") + k + "=" + text_at(find(t, k), r);
      name += values.empty() ? "scenario " + text_at(id, r) : values;
      label.push_back(name);
    }
  }
  bool ok(size_t r) const { return text_at(status, r) == "ok"; }
  bool swept_in(size_t r, const std::string& column) const {
    const auto it = by_part.find(text_at(part, r));
    return it != by_part.end() &&
           std::find(it->second.begin(), it->second.end(), column) != it->second.end();
  }
};

std::string left_out_note(size_t shown, size_t total, const std::string& what) {
  if (shown >= total) return "";
  return "<p class=\"note\">The first " + std::to_string(shown) + " of " + std::to_string(total) +
         " " + what +
         " are drawn; <code>frugal export --csv</code> or <code>import frugal</code> "
         "gives them all.</p>";
}

std::string figure(const std::string& svg, const std::string& caption,
                   const std::string& note = {}) {
  return "<figure>" + svg + "<figcaption>" + caption + "</figcaption>" + note + "</figure>\n";
}

std::string provenance(const ResultsFile& file, const std::string& source) {
  std::ostringstream o;
  o << "<table class=\"meta\">";
  auto row = [&](const std::string& key, const std::string& value) {
    if (!value.empty())
      o << "<tr><th>" << escape(key) << "</th><td>" << escape(value) << "</td></tr>";
  };
  row("file", source);
  row("schema",
      file.string_attribute("", "schema") + " " + file.string_attribute("", "schema_version"));
  for (const char* key : {"frugal_version", "git_sha", "created_utc", "command_line"})
    row(key, file.string_attribute("provenance", key));
  o << "</table>\n";
  return o.str();
}

std::string summary_table(const Rows& rows) {
  const Table& t = rows.scen;
  struct Shown {
    std::string column, unit, header;
  };
  std::vector<Shown> shown;
  for (const std::string& k : rows.swept) shown.push_back({k, "", k});
  bool trained = false;
  for (size_t r = 0; r < rows.count; ++r)
    trained = trained || std::isfinite(number_at(rows.accuracy, r));
  if (rows.device) shown.push_back({"device", "", "device"});
  if (trained) shown.push_back({"accuracy", "%", "test accuracy"});
  for (const char* c : {"energy_per_sample_j", "latency_s", "sample_latency_s", "job_energy_j",
                        "job_time_s", "co2e_kg"})
    if (t.has_column(c)) shown.push_back({c, t.column(c).spec().units, c});
  std::ostringstream o;
  o << "<div class=\"scroll\"><table class=\"data\" id=\"scenarios\"><thead><tr><th>id</th>";
  if (rows.part) o << "<th>part</th>";
  for (const Shown& s : shown) o << "<th>" << escape(s.header) << "</th>";
  o << "<th>status</th></tr></thead><tbody>";
  const size_t n = std::min(rows.count, kReportRows);
  for (size_t r = 0; r < n; ++r) {
    o << "<tr" << (rows.ok(r) ? "" : " class=\"failed\"") << "><td>" << escape(text_at(rows.id, r))
      << "</td>";
    if (rows.part) o << "<td>" << escape(text_at(rows.part, r)) << "</td>";
    for (const Shown& s : shown) {
      const Column* c = find(t, s.column);
      std::string cell;
      if (std::find(rows.swept.begin(), rows.swept.end(), s.column) != rows.swept.end() &&
          !rows.swept_in(r, s.column))
        cell = "";  // not an axis of this row's part
      else if (s.unit == "%")
        cell = std::isfinite(number_at(c, r)) ? svg::number(100 * number_at(c, r), 4) + "%" : "–";
      else if (c && c->spec().type != ColumnType::string && !s.unit.empty())
        cell = si(number_at(c, r), s.unit);
      else
        cell = text_at(c, r);
      o << "<td>" << escape(cell) << "</td>";
    }
    o << "<td title=\"" << escape(text_at(rows.error, r)) << "\">"
      << escape(text_at(rows.status, r)) << "</td></tr>";
  }
  o << "</tbody></table></div>\n";
  if (n < rows.count)
    o << "<p class=\"note\">The first " << n << " of " << rows.count
      << " scenarios are listed; <code>frugal export --csv</code> or <code>import frugal</code> "
         "gives them all.</p>\n";
  o << "<dl class=\"columns\">";
  for (const Shown& s : shown) {
    const Column* c = find(t, s.column);
    if (c)
      o << "<dt>" << escape(s.header) << "</dt><dd>" << escape(c->spec().description)
        << (c->spec().units.empty() || c->spec().units == "1"
                ? ""
                : " [" + escape(c->spec().units) + "]")
        << "</dd>";
  }
  o << "</dl>\n";
  return o.str();
}

std::string accuracy_energy(const Rows& rows) {
  const Column* energy = find(rows.scen, "job_energy_j");
  std::vector<size_t> trained;
  for (size_t r = 0; r < rows.count; ++r)
    if (rows.ok(r) && std::isfinite(number_at(rows.accuracy, r)) && number_at(energy, r) > 0 &&
        number_at(rows.epochs, r) > 0)
      trained.push_back(r);
  if (trained.empty()) return "";
  const size_t total = trained.size();
  trained.resize(std::min(trained.size(), kPlotRows));
  svg::Plot plot;
  plot.id = "accuracy-energy";
  plot.title = "Test accuracy against the training job's energy";
  plot.x = {"training job energy of the device [J]", true, {}};
  plot.y = {"test accuracy [%]", false, {}};
  std::map<std::string, size_t> series_of;
  for (size_t r : trained) {
    const std::string key = text_at(rows.rule, r);
    if (!series_of.count(key)) {
      series_of[key] = plot.series.size();
      plot.series.push_back({key, svg::Style::points, {}, {}, {}, "", false});
    }
    svg::Series& s = plot.series[series_of[key]];
    s.x.push_back(number_at(energy, r));
    s.y.push_back(100 * number_at(rows.accuracy, r));
    s.tips.push_back(rows.label[r] + ": " + svg::number(100 * number_at(rows.accuracy, r), 4) +
                     "%, " + si(number_at(energy, r), "J"));
  }
  // The front: runs no other beats on both energy (lower) and accuracy (higher), as a staircase.
  std::vector<size_t> order = trained;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const double ea = number_at(energy, a), eb = number_at(energy, b);
    return ea != eb ? ea < eb : number_at(rows.accuracy, a) > number_at(rows.accuracy, b);
  });
  svg::Series front{"Pareto front", svg::Style::steps, {}, {}, {}, "#000000", false};
  double best = -1;
  for (size_t r : order)
    if (number_at(rows.accuracy, r) > best) {
      best = number_at(rows.accuracy, r);
      front.x.push_back(number_at(energy, r));
      front.y.push_back(100 * best);
    }
  plot.series.push_back(front);
  return figure(render(plot),
                "Each trained scenario's test accuracy against its training job's device energy "
                "(servers not counted), coloured by rule. The Pareto front is a staircase: from "
                "each run on it, the best accuracy on offer stays the same as the energy allowed "
                "rises, until the next run on the front. Hover a point for its scenario.",
                left_out_note(trained.size(), total, "trained scenarios"));
}

std::string components(const Rows& rows) {
  const Table& t = rows.scen;
  std::vector<const Column*> parts;
  for (const Column& c : t.columns()) {
    const std::string& d = c.spec().description;
    if (d.rfind(kComponentPrefix, 0) == 0 && d.find("phase ") == std::string::npos) {
      bool nonzero = false;
      for (size_t r = 0; r < rows.count; ++r) nonzero = nonzero || number_at(&c, r) > 0;
      if (nonzero) parts.push_back(&c);
    }
  }
  const Column* total = find(t, "energy_per_sample_j");
  std::vector<size_t> ok;
  for (size_t r = 0; r < rows.count; ++r)
    if (rows.ok(r) && number_at(total, r) > 0) ok.push_back(r);
  if (ok.empty() || parts.empty()) return "";
  const size_t all = ok.size();
  ok.resize(std::min(ok.size(), kComponentRows));
  svg::Plot plot;
  plot.id = "components";
  plot.title = "Energy per sample, by component";
  plot.width = 1060;
  plot.x = {"energy per sample [J]", true, {}};
  plot.y.label = "scenario";
  svg::Series bars{"total", svg::Style::hbars, {}, {}, {}, "#d9d9d9", false};
  for (size_t k = 0; k < ok.size(); ++k) {
    plot.y.categories.push_back(rows.label[ok[k]]);
    bars.x.push_back(number_at(total, ok[k]));
    bars.y.push_back(static_cast<double>(k));
    bars.tips.push_back(rows.label[ok[k]] + ": " + si(number_at(total, ok[k]), "J") + " a sample");
  }
  plot.series.push_back(bars);
  for (const Column* c : parts) {
    const std::string name = c->spec().description.substr(std::string(kComponentPrefix).size());
    svg::Series s{name, svg::Style::points, {}, {}, {}, "", false};
    for (size_t k = 0; k < ok.size(); ++k) {
      const double b = std::max(1.0, number_at(rows.batch, ok[k]));
      const double v = number_at(c, ok[k]) / b;
      if (!(v > 0)) continue;  // a component this device does not have: no dot, no NaN note
      s.x.push_back(v);
      s.y.push_back(static_cast<double>(k));
      s.tips.push_back(rows.label[ok[k]] + ": " + name + " " + si(v, "J") + " a sample");
    }
    plot.series.push_back(s);
  }
  return figure(render(plot),
                "Each finished scenario's energy per sample (a step's device energy over its "
                "batch): the grey bar is the total, each dot a hardware component's part. The "
                "axis is logarithmic, so that devices orders of magnitude apart show side by side.",
                left_out_note(ok.size(), all, "finished scenarios"));
}

// Curves from a table keyed by scenario_id: one line per scenario.
std::string curves(const ResultsFile& file, const Rows& rows, const std::string& table,
                   const std::string& x_column, bool x_log, const std::string& id,
                   const std::string& title, const std::string& x_label,
                   const std::string& caption) {
  const auto it = file.tables.find(table);
  if (it == file.tables.end() || it->second.rows() == 0) return "";
  const Table& t = it->second;
  const Column *sid = find(t, "scenario_id"), *x = find(t, x_column),
               *y = find(t, table == "epochs" ? "test_accuracy" : "accuracy");
  if (!sid || !x || !y) return "";
  std::map<int64_t, size_t> row_of;
  for (size_t r = 0; r < rows.count; ++r) row_of[static_cast<int64_t>(number_at(rows.id, r))] = r;
  svg::Plot plot;
  plot.id = id;
  plot.title = title;
  plot.x = {x_label, x_log, {}};
  plot.y = {"test accuracy [%]", false, {}};
  std::map<int64_t, size_t> series_of;
  size_t scenarios = 0;
  for (size_t r = 0; r < t.rows(); ++r) {
    const int64_t s = sid->ints()[r];
    if (!series_of.count(s)) {
      ++scenarios;
      if (plot.series.size() >= kCurves) continue;
      series_of[s] = plot.series.size();
      const std::string name =
          row_of.count(s) ? rows.label[row_of[s]] : "scenario " + std::to_string(s);
      plot.series.push_back(
          {plot.series.size() < 10 ? name : "", svg::Style::line_points, {}, {}, {}, "", false});
    }
    svg::Series& line = plot.series[series_of[s]];
    line.x.push_back(number_at(x, r));
    line.y.push_back(100 * number_at(y, r));
    line.tips.push_back((row_of.count(s) ? rows.label[row_of[s]] : "") + ": " +
                        svg::number(number_at(x, r), 4) + ", " +
                        svg::number(100 * number_at(y, r), 4) + "%");
  }
  return figure(render(plot), caption, left_out_note(plot.series.size(), scenarios, "curves"));
}

// Parallel coordinates over one part's axes (`part` "" for a sweep without parts).
std::string parallel(const Rows& rows, const std::string& part) {
  const auto axes = rows.by_part.find(part);
  if (axes == rows.by_part.end() || axes->second.empty()) return "";
  const Table& t = rows.scen;
  svg::Parallel plot;
  plot.id = part.empty() ? "parallel" : "parallel-" + part;
  plot.title = "Parallel coordinates: each scenario's axes and results" +
               (part.empty() ? "" : " (part " + part + ")");
  std::vector<size_t> shown;
  size_t ok_total = 0;
  for (size_t r = 0; r < rows.count; ++r)
    if (rows.ok(r) && text_at(rows.part, r) == part) {
      ++ok_total;
      if (shown.size() < kPlotRows) shown.push_back(r);
    }
  if (shown.size() < 3) return "";
  std::vector<std::string> columns = axes->second;
  bool trained = false;
  for (size_t r : shown) trained = trained || std::isfinite(number_at(rows.accuracy, r));
  for (const char* c : {"energy_per_sample_j", "latency_s"}) columns.emplace_back(c);
  if (trained) columns.emplace_back("accuracy");
  std::string color_by;
  for (const std::string& c : columns) {
    const Column* col = find(t, c);
    if (!col) continue;
    svg::ParallelColumn pc;
    pc.name = c;
    if (col->spec().type == ColumnType::string) {
      std::map<std::string, double> index;
      for (size_t r : shown) {
        const std::string v = text_at(col, r);
        if (!index.count(v)) {
          index[v] = static_cast<double>(pc.categories.size());
          pc.categories.push_back(v.empty() ? "(none)" : v);
        }
        pc.values.push_back(index[v]);
      }
      if (color_by.empty() && pc.categories.size() <= svg::palette().size()) color_by = c;
    } else {
      double lo = std::numeric_limits<double>::infinity(), hi = 0;
      bool positive = true;
      for (size_t r : shown) {
        const double v = number_at(col, r);
        pc.values.push_back(v);
        if (std::isfinite(v)) {
          positive = positive && v > 0;
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
      pc.log = positive && lo > 0 && hi / lo >= 10;
    }
    plot.columns.push_back(pc);
  }
  std::map<std::string, std::string> color_of;
  for (size_t r : shown) {
    plot.tips.push_back(rows.label[r]);
    std::string color;
    if (!color_by.empty()) {
      const std::string v = text_at(find(t, color_by), r);
      if (!color_of.count(v)) {
        color_of[v] = svg::palette()[color_of.size() % svg::palette().size()];
        plot.legend.push_back(color_by + " " + v + "=" + color_of[v]);
      }
      color = color_of[v];
    }
    plot.colors.push_back(color);
  }
  return figure(render(plot),
                "One line per finished scenario across the sweep's axes and its results (energy "
                "per sample and step latency on log axes where they span a factor of 10)" +
                    std::string(color_by.empty() ? "" : ", coloured by " + color_by) +
                    ". Hover a line for its scenario.",
                left_out_note(shown.size(), ok_total, "finished scenarios"));
}

const char* const kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; }
table.meta th { text-align: left; padding-right: 1em; color: #555; font-weight: normal; }
table.meta td { font-family: monospace; word-break: break-all; }
table.data th, table.data td { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: right; white-space: nowrap; }
table.data th { position: sticky; top: 0; background: #f6f6f6; }
table.data td:nth-child(-n+2) { text-align: left; }
tr.failed td { color: #b00; }
div.scroll { max-height: 32em; overflow: auto; border: 1px solid #ddd; }
dl.columns { font-size: 0.8em; color: #444; display: grid; grid-template-columns: max-content auto; gap: 2px 1em; }
dl.columns dt { font-family: monospace; } dl.columns dd { margin: 0; }
figure { margin: 1.5em 0; } figcaption, p.note { font-size: 0.85em; color: #444; max-width: 60em; }
svg.plot { display: block; max-width: 100%; height: auto; font-size: 11px; }
svg .title { font-size: 13px; font-weight: 600; } svg .small { font-size: 10px; }
svg .frame { fill: none; stroke: #888; } svg .grid { stroke: #e4e4e4; } svg .axis { stroke: #666; }
)";

}  // namespace

std::string html_report(const ResultsFile& file, const std::string& source) {
  const auto scen = file.tables.find("scenarios");
  if (scen == file.tables.end())
    throw InputError("report: '" + source + "' has no /scenarios table");
  const Rows rows(scen->second, file.string_attribute("provenance", "sweep_spec"));
  size_t ok = 0;
  for (size_t r = 0; r < rows.count; ++r) ok += rows.ok(r);
  const std::string name = source.substr(source.find_last_of('/') + 1);
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>frugal report: " << escape(name) << "</title><style>" << kStyle
    << "</style></head><body>\n";
  o << "<h1>frugal report: " << escape(name) << "</h1>\n";
  o << "<p>" << rows.count << " scenario" << (rows.count == 1 ? "" : "s") << ", " << ok
    << " finished";
  if (!rows.swept.empty()) {
    o << "; swept:";
    for (size_t i = 0; i < rows.swept.size(); ++i)
      o << (i ? "," : "") << " <code>" << escape(rows.swept[i]) << "</code>";
  }
  o << ". Every number is the file's; the page needs no network.</p>\n";
  o << provenance(file, source);
  o << "<h2>Scenarios</h2>\n" << summary_table(rows);
  std::string plots = accuracy_energy(rows) + components(rows);
  plots += curves(file, rows, "epochs", "epoch", false, "epochs", "Test accuracy after each epoch",
                  "epoch",
                  "The test accuracy after each training epoch (/epochs), one line per scenario "
                  "that trained.");
  plots += curves(file, rows, "drift", "time_s", true, "drift",
                  "Accuracy against time after programming", "time after programming [s]",
                  "An analog chip's accuracy as its conductances drift (/drift, --drift-times).");
  plots += curves(file, rows, "timesteps", "timesteps", true, "timesteps",
                  "Accuracy against timesteps", "timesteps per sample",
                  "A spiking network's accuracy against the timesteps each sample runs "
                  "(/timesteps).");
  for (const std::string& part : rows.parts) plots += parallel(rows, part);
  if (!plots.empty()) o << "<h2>Plots</h2>\n" << plots;
  o << "<p class=\"note\">Written by frugal report. The tables and their columns are described "
       "in frugal's docs/results-schema.md.</p>\n</body></html>\n";
  return o.str();
}

}  // namespace frugal::results
