#include <catch2/catch.hpp>

#include "results/files/table.h"

using namespace frugal::results;

namespace {
Table small_table() {
  Table t("t", "test");
  t.add_column({"id", ColumnType::int64, "1", "row id"});
  t.add_column({"energy_j", ColumnType::float64, "J", "energy"});
  t.add_column({"name", ColumnType::string, "", "a label"});
  return t;
}
}  // namespace

TEST_CASE("tables hold typed columns of equal length", "[quick][results]") {
  Table t = small_table();
  t.append_row({{"id", int64_t{1}}, {"energy_j", 2.5}, {"name", std::string("a")}});
  t.append_row({{"id", int64_t{2}}, {"energy_j", int64_t{3}}, {"name", std::string("b")}});
  CHECK(t.rows() == 2);
  CHECK(t.column("energy_j").floats() == std::vector<double>{2.5, 3.0});
  CHECK(t.column("name").strings() == std::vector<std::string>{"a", "b"});

  Table more = small_table();
  more.append_row({{"id", int64_t{3}}, {"energy_j", 1.0}, {"name", std::string("c")}});
  t.append(more);
  CHECK(t.rows() == 3);
  CHECK(t.column("id").ints().back() == 3);
}

TEST_CASE("tables refuse rows that do not fit", "[quick][results]") {
  Table t = small_table();
  CHECK_THROWS(t.append_row({{"id", int64_t{1}}, {"energy_j", 2.5}}));  // missing a value
  CHECK_THROWS(t.append_row({{"id", 1.5}, {"energy_j", 2.5}, {"name", std::string("a")}}));
  CHECK_THROWS(t.add_column({"id", ColumnType::int64, "1", "duplicate"}));
  Table other("t", "");
  other.add_column({"id", ColumnType::int64, "1", ""});
  CHECK_FALSE(t.same_schema(other));
  CHECK_THROWS(t.append(other));
}
