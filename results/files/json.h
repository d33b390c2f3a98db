#pragma once
// A small JSON writer for machine-readable output (--json): objects, arrays, strings with proper
// escaping, and numbers in the shortest form that reads back exactly. Non-finite numbers become
// null.

#include <cstdint>
#include <string>
#include <vector>

namespace frugal::results {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& name);
  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(int64_t number);
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();

  const std::string& str() const { return m_out; }

 private:
  void separate();
  std::string m_out;
  std::vector<bool> m_first;  // one entry per open container: no element written yet
  bool m_after_key = false;
};

std::string json_escape(const std::string& text);

}  // namespace frugal::results
