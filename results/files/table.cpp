#include "results/files/table.h"

#include <algorithm>
#include <cstring>
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

void Column::set(size_t row, const Cell& value) {
  if (row >= size() || !accepts(value))
    throw std::logic_error("column '" + m_spec.name + "': cannot set row " + std::to_string(row));
  switch (m_spec.type) {
    case ColumnType::int64:
      m_ints[row] = std::get<int64_t>(value);
      break;
    case ColumnType::float64:
      m_floats[row] = std::holds_alternative<int64_t>(value)
                          ? static_cast<double>(std::get<int64_t>(value))
                          : std::get<double>(value);
      break;
    case ColumnType::string:
      m_strings[row] = std::get<std::string>(value);
      break;
  }
}

void Table::clear_rows() {
  for (Column& c : m_columns) c.clear();
}

Table select_rows(const Table& table, const std::vector<size_t>& order) {
  Table out(table.name(), table.description());
  for (const Column& c : table.columns()) out.add_column(c.spec());
  for (const Column& c : table.columns()) {
    Column& column = out.column(c.spec().name);
    for (size_t row : order) column.push(c.at(row));
  }
  return out;
}

namespace {

void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void put_string(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

struct Reader {
  const std::string& data;
  size_t& offset;
  void need(uint64_t n) const {
    if (n > data.size() || offset > data.size() - n)
      throw std::runtime_error("table encoding truncated");
  }
  uint64_t u64() {
    need(8);
    uint64_t v = 0;
    std::memcpy(&v, data.data() + offset, 8);
    offset += 8;
    return v;
  }
  std::string string() {
    const uint64_t n = u64();
    need(n);
    std::string s = data.substr(offset, n);
    offset += n;
    return s;
  }
  template <typename T>
  std::vector<T> values(uint64_t n) {
    need(n * sizeof(T));
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), data.data() + offset, n * sizeof(T));
    offset += n * sizeof(T);
    return v;
  }
};

}  // namespace

void encode(const Table& table, std::string& out) {
  put_string(out, table.name());
  put_string(out, table.description());
  put_u64(out, table.columns().size());
  put_u64(out, table.rows());
  for (const Column& c : table.columns()) {
    const ColumnSpec& spec = c.spec();
    put_string(out, spec.name);
    put_u64(out, static_cast<uint64_t>(spec.type));
    put_string(out, spec.units);
    put_string(out, spec.description);
    switch (spec.type) {
      case ColumnType::int64:
        out.append(reinterpret_cast<const char*>(c.ints().data()), c.ints().size() * 8);
        break;
      case ColumnType::float64:
        out.append(reinterpret_cast<const char*>(c.floats().data()), c.floats().size() * 8);
        break;
      case ColumnType::string:
        for (const std::string& s : c.strings()) put_string(out, s);
        break;
    }
  }
}

Table decode(const std::string& data, size_t& offset) {
  Reader in{data, offset};
  const std::string name = in.string();
  Table table(name, in.string());
  const uint64_t columns = in.u64();
  const uint64_t rows = in.u64();
  if (columns > 100000) throw std::runtime_error("table encoding malformed");
  std::vector<Column> decoded;
  for (uint64_t i = 0; i < columns; ++i) {
    ColumnSpec spec;
    spec.name = in.string();
    const uint64_t type = in.u64();
    if (type > static_cast<uint64_t>(ColumnType::string))
      throw std::runtime_error("table encoding malformed");
    spec.type = static_cast<ColumnType>(type);
    spec.units = in.string();
    spec.description = in.string();
    Column& column = decoded.emplace_back(spec);
    switch (spec.type) {
      case ColumnType::int64:
        for (int64_t v : in.values<int64_t>(rows)) column.push(v);
        break;
      case ColumnType::float64:
        for (double v : in.values<double>(rows)) column.push(v);
        break;
      case ColumnType::string:
        for (uint64_t r = 0; r < rows; ++r) column.push(in.string());
        break;
    }
  }
  for (const Column& c : decoded) table.add_column(c.spec());
  for (const Column& c : decoded) table.column(c.spec().name).append(c);
  return table;
}

}  // namespace frugal::results
