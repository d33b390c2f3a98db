#include "results/table.h"

#include <algorithm>
#include <stdexcept>

namespace frugal::results {

size_t Column::size() const {
  switch (m_spec.type) {
    case ColumnType::int64:
      return m_ints.size();
    case ColumnType::float64:
      return m_floats.size();
    case ColumnType::string:
      return m_strings.size();
  }
  return 0;
}

void Column::push(const Cell& value) {
  switch (m_spec.type) {
    case ColumnType::int64:
      if (const auto* i = std::get_if<int64_t>(&value)) {
        m_ints.push_back(*i);
        return;
      }
      break;
    case ColumnType::float64:
      if (const auto* d = std::get_if<double>(&value)) {
        m_floats.push_back(*d);
        return;
      }
      if (const auto* i = std::get_if<int64_t>(&value)) {
        m_floats.push_back(static_cast<double>(*i));
        return;
      }
      break;
    case ColumnType::string:
      if (const auto* s = std::get_if<std::string>(&value)) {
        m_strings.push_back(*s);
        return;
      }
      break;
  }
  throw std::logic_error("column '" + m_spec.name + "': value of the wrong type");
}

bool Column::accepts(const Cell& value) const {
  switch (m_spec.type) {
    case ColumnType::int64:
      return std::holds_alternative<int64_t>(value);
    case ColumnType::float64:
      return std::holds_alternative<double>(value) || std::holds_alternative<int64_t>(value);
    case ColumnType::string:
      return std::holds_alternative<std::string>(value);
  }
  return false;
}

Cell Column::at(size_t row) const {
  switch (m_spec.type) {
    case ColumnType::int64:
      return m_ints.at(row);
    case ColumnType::float64:
      return m_floats.at(row);
    case ColumnType::string:
      return m_strings.at(row);
  }
  return int64_t{0};
}

void Column::append(const Column& other) {
  if (other.m_spec.type != m_spec.type || other.m_spec.name != m_spec.name)
    throw std::logic_error("column '" + m_spec.name + "': cannot append a different column");
  m_ints.insert(m_ints.end(), other.m_ints.begin(), other.m_ints.end());
  m_floats.insert(m_floats.end(), other.m_floats.begin(), other.m_floats.end());
  m_strings.insert(m_strings.end(), other.m_strings.begin(), other.m_strings.end());
}

void Column::clear() {
  m_ints.clear();
  m_floats.clear();
  m_strings.clear();
}

Column& Table::add_column(ColumnSpec spec) {
  if (has_column(spec.name))
    throw std::logic_error("table '" + m_name + "': duplicate column '" + spec.name + "'");
  if (!m_columns.empty() && m_columns.front().size() != 0)
    throw std::logic_error("table '" + m_name + "': columns must be added before rows");
  m_columns.emplace_back(std::move(spec));
  return m_columns.back();
}

bool Table::has_column(const std::string& name) const {
  return std::any_of(m_columns.begin(), m_columns.end(),
                     [&](const Column& c) { return c.spec().name == name; });
}

Column& Table::column(const std::string& name) {
  return const_cast<Column&>(static_cast<const Table&>(*this).column(name));
}

const Column& Table::column(const std::string& name) const {
  for (const Column& c : m_columns)
    if (c.spec().name == name) return c;
  throw std::out_of_range("table '" + m_name + "' has no column '" + name + "'");
}

void Table::append_row(const std::vector<std::pair<std::string, Cell>>& row) {
  if (row.size() != m_columns.size())
    throw std::logic_error("table '" + m_name + "': a row needs " +
                           std::to_string(m_columns.size()) + " values, got " +
                           std::to_string(row.size()));
  std::vector<bool> seen(m_columns.size(), false);
  std::vector<size_t> target;
  for (const auto& [name, value] : row) {
    size_t i = 0;
    while (i < m_columns.size() && m_columns[i].spec().name != name) ++i;
    if (i == m_columns.size())
      throw std::logic_error("table '" + m_name + "' has no column '" + name + "'");
    if (seen[i]) throw std::logic_error("table '" + m_name + "': two values for '" + name + "'");
    if (!m_columns[i].accepts(value))
      throw std::logic_error("table '" + m_name + "': value of the wrong type for '" + name + "'");
    seen[i] = true;
    target.push_back(i);
  }
  for (size_t k = 0; k < row.size(); ++k) m_columns[target[k]].push(row[k].second);
}

void Table::append(const Table& other) {
  if (!same_schema(other))
    throw std::logic_error("table '" + m_name + "': cannot append rows of a different schema");
  for (size_t i = 0; i < m_columns.size(); ++i) m_columns[i].append(other.m_columns[i]);
}

size_t Table::rows() const {
  if (m_columns.empty()) return 0;
  const size_t n = m_columns.front().size();
  for (const Column& c : m_columns)
    if (c.size() != n)
      throw std::logic_error("table '" + m_name + "': column '" + c.spec().name + "' has " +
                             std::to_string(c.size()) + " rows, expected " + std::to_string(n));
  return n;
}

bool Table::same_schema(const Table& other) const {
  if (m_columns.size() != other.m_columns.size()) return false;
  for (size_t i = 0; i < m_columns.size(); ++i) {
    const ColumnSpec& a = m_columns[i].spec();
    const ColumnSpec& b = other.m_columns[i].spec();
    if (a.name != b.name || a.type != b.type || a.units != b.units) return false;
  }
  return true;
}

}  // namespace frugal::results
