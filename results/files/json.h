#pragma once
// A small JSON writer for machine-readable output (--json): objects, arrays, strings with proper
// escaping, and numbers in the shortest form that reads back exactly. Non-finite numbers become
// null. And a small reader, for files frugal is given as JSON (a device's measurements).

#include <cstdint>
#include <string>
#include <utility>
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

// A JSON value as read (objects keep their members in order).
class JsonValue {
 public:
  enum class Type { null, boolean, number, string, array, object };
  Type type() const { return m_type; }
  // The value as that type; throws InputError naming `where` when it is not.
  double number(const std::string& where) const;
  bool boolean(const std::string& where) const;
  const std::string& string(const std::string& where) const;
  const std::vector<JsonValue>& array(const std::string& where) const;
  const std::vector<std::pair<std::string, JsonValue>>& object(const std::string& where) const;
  // An object's member, or null when it has none (or is no object).
  const JsonValue* find(const std::string& key) const;
  // An object's member; throws InputError naming `where` and the key when it is missing.
  const JsonValue& at(const std::string& key, const std::string& where) const;

 private:
  friend class JsonParser;
  Type m_type = Type::null;
  bool m_boolean = false;
  double m_number = 0;
  std::string m_string;
  std::vector<JsonValue> m_array;
  std::vector<std::pair<std::string, JsonValue>> m_object;
};

// Parses a JSON document (RFC 8259; at most 64 levels deep). Throws InputError naming `what`
// and the line and column of the first thing that is not JSON.
JsonValue parse_json(const std::string& text, const std::string& what);

}  // namespace frugal::results
