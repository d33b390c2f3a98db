// Options, result columns and the schema document agree: each is declared once (the option table
// of sim/scenario/options.cpp, the metric list of sim/metrics/metrics.cpp, the device kinds'
// columns and tables), and docs/results-schema.md documents exactly what they declare.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "hw_models/device.h"
#include "sim/app/report.h"
#include "sim/metrics/metrics.h"
#include "sim/metrics/result_tables.h"
#include "sim/scenario/options.h"
#include "tests/source_file.h"

using namespace frugal;
using namespace frugal::sim;

namespace {

std::string read_doc(const std::string& relative) { return testing::source_file(relative); }

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

std::vector<std::string> split_cells(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < row.size(); ++i) {  // after the leading '|'
    if (row[i] == '|' && row[i - 1] != '\\') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return cells;
}

// The /scenarios columns the schema document lists, with their units ("" for labels).
std::map<std::string, std::string> documented_scenario_columns() {
  const std::string doc = read_doc("docs/results-schema.md");
  const auto start = doc.find("## `/scenarios`");
  REQUIRE(start != std::string::npos);
  const auto end = doc.find("\n## ", start + 1);
  std::istringstream section(doc.substr(start, end - start));
  std::map<std::string, std::string> columns;
  std::vector<std::string> components, phases;
  for (int k = 0; k < hw::kComponentCount; ++k)
    components.emplace_back(hw::to_string(hw::component_from_index(k)));
  for (int p = 0; p < workloads::kPhaseCount; ++p)
    phases.emplace_back(workloads::to_string(workloads::phase_from_index(p)));
  std::string line;
  while (std::getline(section, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::vector<std::string> cells = split_cells(line);
    REQUIRE(cells.size() >= 3);
    std::vector<std::string> names;
    const std::regex quoted("`([^`]+)`");
    for (auto it = std::sregex_iterator(cells[0].begin(), cells[0].end(), quoted);
         it != std::sregex_iterator(); ++it)
      names.push_back((*it)[1]);
    std::vector<std::string> units;
    std::stringstream unit_list(cells[1]);
    for (std::string u; std::getline(unit_list, u, ',');) {
      u = trim(u);
      units.push_back(u == "—" ? "" : u);
    }
    if (units.empty()) units.emplace_back();
    INFO(line);
    REQUIRE((units.size() == 1 || units.size() == names.size()));
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string& unit = units.size() == 1 ? units[0] : units[i];
      if (names[i] == "energy_<component>_j") {
        for (const std::string& c : components) columns["energy_" + c + "_j"] = unit;
      } else if (names[i] == "energy_<phase>_j") {
        for (const std::string& p : phases) columns["energy_" + p + "_j"] = unit;
      } else if (names[i] != "hw_NAME") {  // a swept parameter's, checked below
        columns[names[i]] = unit;
      }
    }
  }
  return columns;
}

}  // namespace

TEST_CASE("Every option with a result column has it in /scenarios, once, as declared",
          "[quick][sim][declarations]") {
  const results::Table scenarios = make_result_tables({}).scenarios;
  std::map<std::string, int> seen;
  for (const results::Column& c : scenarios.columns()) ++seen[c.spec().name];
  for (const auto& [name, count] : seen) {
    INFO(name);
    CHECK(count == 1);
  }
  int with_columns = 0;
  for (const ScenarioOption& o : scenario_options()) {
    INFO(o.key);
    CHECK(find_option(o.key) == &o);
    CHECK(!o.help.empty());
    if (o.column.empty()) continue;
    ++with_columns;
    REQUIRE(scenarios.has_column(o.column_name()));
    const results::ColumnSpec& spec = scenarios.column(o.column_name()).spec();
    CHECK(spec.units == o.unit);
    CHECK(spec.description == o.column);
    CHECK(spec.type == o.column_spec().type);
  }
  CHECK(with_columns >= 9);  // model, batch, seed, precision, utilization, pue, warm-start, ...
}

TEST_CASE(
    "Every /scenarios column is documented in docs/results-schema.md with its units, and "
    "every documented column exists",
    "[quick][sim][declarations]") {
  const std::map<std::string, std::string> documented = documented_scenario_columns();
  const results::Table scenarios = make_result_tables(extra_columns({"part"})).scenarios;
  std::set<std::string> names;
  for (const results::Column& c : scenarios.columns()) {
    const results::ColumnSpec& spec = c.spec();
    names.insert(spec.name);
    INFO("column " << spec.name);
    const auto it = documented.find(spec.name);
    REQUIRE(it != documented.end());
    CHECK(it->second == spec.units);
  }
  for (const auto& [name, unit] : documented) {
    INFO("documented column " << name);
    CHECK(names.count(name) == 1);
  }
}

TEST_CASE("A swept key's column is one snake_case name, typed as the option is",
          "[quick][sim][declarations]") {
  const std::vector<ExtraColumn> extra = extra_columns(
      {"train-subset", "lr", "train", "lr-schedule", "hw.clock", "part", "inference-requests"});
  // inference-requests has a standard column (inference_requests): no second one.
  REQUIRE(extra.size() == 6);
  const std::vector<std::tuple<std::string, results::ColumnType, std::string>> expected = {
      {"train_subset", results::ColumnType::int64, "1"},
      {"lr", results::ColumnType::float64, "1"},
      {"train", results::ColumnType::int64, ""},
      {"lr_schedule", results::ColumnType::string, ""},
      {"hw_clock", results::ColumnType::float64, "Hz"},
      {"part", results::ColumnType::string, ""}};
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO(extra[i].key);
    CHECK(extra[i].spec.name == std::get<0>(expected[i]));
    CHECK(extra[i].spec.type == std::get<1>(expected[i]));
    CHECK(extra[i].spec.units == std::get<2>(expected[i]));
    CHECK_FALSE(extra[i].spec.description.empty());
  }
  CHECK(swept_column_name("hw.dram_energy_per_byte") == "hw_dram_energy_per_byte");
}

TEST_CASE("Every result table, the device kinds' own included, is documented",
          "[quick][sim][declarations]") {
  const std::string doc = read_doc("docs/results-schema.md");
  for (const std::string& table : table_names()) {
    INFO(table);
    CHECK(doc.find("`/" + table + "`") != std::string::npos);
  }
  CHECK(table_names().size() == 6 + hw::device_tables().size());
}

TEST_CASE("The table row, the JSON summary and the text summary show the same metrics",
          "[quick][sim][declarations]") {
  Scenario s;
  s.model = "mlp:784-32-10";
  s.hw = "gpu:a100-80gb";
  s.samples_per_epoch = 6400;
  s.trials = 3;
  const ScenarioOutcome o = run_scenario(s);
  ResultTables tables = make_result_tables({});
  append_outcome(tables, ScenarioKey{}, o, {});
  const std::string json = summary_json(o, "");
  std::ostringstream text;
  print_summary(text, o, "");
  int lines = 0;
  for (const Metric& m : metrics()) {
    INFO(m.column.name);
    const results::Cell cell = tables.scenarios.column(m.column.name).at(0);
    const results::Cell value = m.value(o);
    const auto* a = std::get_if<double>(&cell);
    const auto* b = std::get_if<double>(&value);
    CHECK((cell == value || (a && b && std::isnan(*a) && std::isnan(*b))));
    if (m.group == Metric::Group::figure && !m.json) {
      // "name":value in the JSON summary, the value as the table holds it.
      const std::string key = "\"" + m.column.name + "\":";
      const auto at = json.find(key);
      REQUIRE(at != std::string::npos);
      if (const double* v = std::get_if<double>(&cell); v && std::isfinite(*v))
        CHECK(std::strtod(json.c_str() + at + key.size(), nullptr) == *v);
    }
    if (m.summary && !m.summary(o).empty()) {
      CHECK(text.str().find(m.summary(o)) != std::string::npos);
      ++lines;
    }
  }
  CHECK(lines >= 10);  // parameters, MACs, memory, energy, ..., the job, carbon, the project
}
