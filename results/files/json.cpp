#include "results/files/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace frugal::results {

std::string json_escape(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void JsonWriter::separate() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (!m_first.empty()) {
    if (!m_first.back()) m_out += ",";
    m_first.back() = false;
  }
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  m_out += "{";
  m_first.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  m_out += "}";
  m_first.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  m_out += "[";
  m_first.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  m_out += "]";
  m_first.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(const std::string& name) {
  separate();
  m_out += json_escape(name) + ":";
  m_after_key = true;
  return *this;
}

JsonWriter& JsonWriter::value(const std::string& text) {
  separate();
  m_out += json_escape(text);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  separate();
  if (!std::isfinite(number)) {
    m_out += "null";
    return *this;
  }
  // Shortest of %.15g/%.16g/%.17g that reads back to the same double.
  char buffer[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, number);
    if (std::strtod(buffer, nullptr) == number) break;
  }
  m_out += buffer;
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  m_out += "null";
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  separate();
  m_out += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  m_out += flag ? "true" : "false";
  return *this;
}

}  // namespace frugal::results
