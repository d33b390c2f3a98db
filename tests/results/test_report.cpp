// frugal report's page (results/report/): the Pareto staircase, log ticks, escaping, and what
// the page holds for a hand-made file. tests/python/test_report.py opens real pages in chromium.

#include <catch2/catch.hpp>
#include <regex>

#include "results/report/html_report.h"
#include "results/report/svg_plot.h"

using namespace frugal::results;

namespace {

// A /scenarios table of trained scenarios: (job energy J, accuracy) each, on one rule.
ResultsFile trained_file(const std::vector<std::pair<double, double>>& runs) {
  Table t("scenarios");
  t.add_column({"scenario_id", ColumnType::int64, "1", "id"});
  t.add_column({"rule", ColumnType::string, "", "learning rule"});
  t.add_column({"batch", ColumnType::int64, "1", "samples per step"});
  t.add_column({"epochs", ColumnType::int64, "1", "epochs"});
  t.add_column({"accuracy", ColumnType::float64, "1", "test accuracy"});
  t.add_column({"job_energy_j", ColumnType::float64, "J", "job energy"});
  t.add_column({"energy_per_sample_j", ColumnType::float64, "J", "energy_j / batch"});
  t.add_column(
      {"energy_compute_j", ColumnType::float64, "J", "energy of one step spent in compute"});
  t.add_column(
      {"energy_forward_j", ColumnType::float64, "J", "energy of one step spent in phase forward"});
  t.add_column({"status", ColumnType::string, "", "ok or not"});
  t.add_column({"error", ColumnType::string, "", "why"});
  int64_t id = 0;
  for (const auto& [energy, accuracy] : runs) {
    t.append_row({{"scenario_id", id++},
                  {"rule", std::string("bp")},
                  {"batch", int64_t{10}},
                  {"epochs", int64_t{1}},
                  {"accuracy", accuracy},
                  {"job_energy_j", energy},
                  {"energy_per_sample_j", 0.1},
                  {"energy_compute_j", 1.0},
                  {"energy_forward_j", 1.0},
                  {"status", std::string("ok")},
                  {"error", std::string()}});
  }
  ResultsFile file;
  file.root_attributes.push_back({"schema", std::string("frugal-results")});
  file.tables.emplace("scenarios", std::move(t));
  return file;
}

// The SVG element with id `id` in `page`.
std::string plot_of(const std::string& page, const std::string& id) {
  const size_t start = page.find("<svg id=\"" + id + "\"");
  REQUIRE(start != std::string::npos);
  return page.substr(start, page.find("</svg>", start) - start);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("The report's Pareto front is a staircase through the runs no other beats",
          "[quick][results][report]") {
  // (1 J, 80%), (2 J, 85%), (3 J, 84%: beaten by the 2 J run), (4 J, 90%), (5 J, 90%: beaten).
  const std::string page =
      html_report(trained_file({{1, 0.80}, {2, 0.85}, {3, 0.84}, {4, 0.90}, {5, 0.90}}), "x.h5");
  const std::string plot = plot_of(page, "accuracy-energy");
  CHECK(count(plot, "class=\"mark point\"") == 5);
  const std::smatch m = [&] {
    std::smatch found;
    REQUIRE(std::regex_search(plot, found, std::regex("class=\"mark steps\"[^>]* d=\"([^\"]+)\"")));
    return found;
  }();
  const std::string d = m[1];
  // Three runs on the front: a start, two steps up (H then V each), and a run to the edge.
  CHECK(d[0] == 'M');
  CHECK(count(d, "V") == 2);
  CHECK(count(d, "H") == 3);
  // Each step rises: the V values decrease in pixels (up the page).
  std::vector<double> ys;
  const std::regex v("V([0-9.]+)");
  for (auto it = std::sregex_iterator(d.begin(), d.end(), v); it != std::sregex_iterator(); ++it)
    ys.push_back(std::stod((*it)[1]));
  REQUIRE(ys.size() == 2);
  CHECK(ys[1] < ys[0]);
}

TEST_CASE("The report lists every scenario, draws components but not phases, and escapes text",
          "[quick][results][report]") {
  ResultsFile file = trained_file({{1, 0.5}, {2, 0.6}});
  file.tables.at("scenarios").column("rule").set(1, std::string("<b>&\"x\""));
  const std::string page = html_report(file, "dir/a<b.h5");
  CHECK(page.find("<title>frugal report: a&lt;b.h5</title>") != std::string::npos);
  CHECK(page.find("<b>&") == std::string::npos);
  CHECK(page.find("&lt;b&gt;&amp;&quot;x&quot;") != std::string::npos);
  CHECK(count(page, "<tr><td>") == 2);
  const std::string components = plot_of(page, "components");
  CHECK(count(components, "class=\"mark bar\"") == 2);
  CHECK(count(components, "class=\"mark point\"") == 2);  // compute, not the forward phase
  CHECK(components.find(">forward<") == std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("src=") == std::string::npos);
}

TEST_CASE("Plots leave out what a log axis cannot show, and say so", "[quick][results][report]") {
  svg::Plot plot;
  plot.id = "p";
  plot.x = {"x", true, {}};
  plot.y = {"y", false, {}};
  plot.series.push_back(
      {"s", svg::Style::points, {1, 10, 0, -1, 100}, {1, 2, 3, 4, 5}, {}, "", false});
  const std::string out = svg::render(plot);
  CHECK(count(out, "class=\"mark point\"") == 3);
  CHECK(out.find("2 values not shown (NaN, or not positive on a log axis)") != std::string::npos);
  // Decades 1, 10, 100 labelled on the x axis.
  for (const char* tick : {">1<", ">10<", ">100<"}) CHECK(out.find(tick) != std::string::npos);
  CHECK(svg::number(0.05) == "0.05");
  CHECK(svg::escape("a<b>&\"") == "a&lt;b&gt;&amp;&quot;");
}
