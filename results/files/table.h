#pragma once
// A generic table of named, typed columns with units: the one shape every result takes before it is
// written (one row per scenario, one row per op, ...). Columns are stored column-wise, as they are
// written to HDF5 (one dataset per column).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace frugal::results {

enum class ColumnType { int64, float64, string };

struct ColumnSpec {
  std::string name;  // snake_case; carries its unit when not SI base (energy_j, latency_s)
  ColumnType type = ColumnType::float64;
  std::string units;        // UDUNITS symbol: "J", "s", "W", "B", "1"; empty for strings/labels
  std::string description;  // one line, what the column holds
};

using Cell = std::variant<int64_t, double, std::string>;

class Column {
 public:
  explicit Column(ColumnSpec spec) : m_spec(std::move(spec)) {}

  const ColumnSpec& spec() const { return m_spec; }
  size_t size() const;

  // Contract: the value's type matches spec().type (std::logic_error otherwise); an int64 value
  // is accepted by a float64 column.
  void push(const Cell& value);
  bool accepts(const Cell& value) const;

  const std::vector<int64_t>& ints() const { return m_ints; }
  const std::vector<double>& floats() const { return m_floats; }
  const std::vector<std::string>& strings() const { return m_strings; }
  Cell at(size_t row) const;
  // Replaces the value of an existing row (same type rules as push).
  void set(size_t row, const Cell& value);

  void append(const Column& other);  // same spec required
  void clear();

 private:
  ColumnSpec m_spec;
  std::vector<int64_t> m_ints;
  std::vector<double> m_floats;
  std::vector<std::string> m_strings;
};

class Table {
 public:
  explicit Table(std::string name = {}, std::string description = {})
      : m_name(std::move(name)), m_description(std::move(description)) {}

  const std::string& name() const { return m_name; }
  const std::string& description() const { return m_description; }

  // Adds a column; throws if the name is already taken or rows were already added.
  Column& add_column(ColumnSpec spec);
  bool has_column(const std::string& name) const;
  Column& column(const std::string& name);
  const Column& column(const std::string& name) const;
  const std::vector<Column>& columns() const { return m_columns; }

  // Appends one row given as (column name, value) pairs; every column must receive one value of
  // its type. All or nothing: a row that does not fit leaves the table unchanged.
  void append_row(const std::vector<std::pair<std::string, Cell>>& row);
  // Appends all rows of a table with the same columns (names, types and units, in order).
  void append(const Table& other);

  // Number of rows; throws if the columns have different lengths.
  size_t rows() const;
  bool same_schema(const Table& other) const;
  // Removes every row, keeping the columns.
  void clear_rows();

 private:
  std::string m_name;
  std::string m_description;
  std::vector<Column> m_columns;
};

// A table with the same columns whose row i is row order[i] of `table`.
Table select_rows(const Table& table, const std::vector<size_t>& order);

// Binary encoding of a table (name, description, column specs and values), to pass results
// between processes: encode appends to `out`; decode reads one table at `offset` and advances it.
// decode throws std::runtime_error on malformed or truncated data.
void encode(const Table& table, std::string& out);
Table decode(const std::string& data, size_t& offset);

}  // namespace frugal::results
