#include "results/files/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "results/core/error.h"

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

namespace {

const char* type_name(JsonValue::Type type) {
  switch (type) {
    case JsonValue::Type::null:
      return "null";
    case JsonValue::Type::boolean:
      return "a boolean";
    case JsonValue::Type::number:
      return "a number";
    case JsonValue::Type::string:
      return "a string";
    case JsonValue::Type::array:
      return "an array";
    case JsonValue::Type::object:
      return "an object";
  }
  return "?";
}

[[noreturn]] void wrong_type(const std::string& where, JsonValue::Type expected,
                             JsonValue::Type got) {
  throw InputError(where + ": expected " + type_name(expected) + ", got " + type_name(got));
}

}  // namespace

double JsonValue::number(const std::string& where) const {
  if (m_type != Type::number) wrong_type(where, Type::number, m_type);
  return m_number;
}

bool JsonValue::boolean(const std::string& where) const {
  if (m_type != Type::boolean) wrong_type(where, Type::boolean, m_type);
  return m_boolean;
}

const std::string& JsonValue::string(const std::string& where) const {
  if (m_type != Type::string) wrong_type(where, Type::string, m_type);
  return m_string;
}

const std::vector<JsonValue>& JsonValue::array(const std::string& where) const {
  if (m_type != Type::array) wrong_type(where, Type::array, m_type);
  return m_array;
}

const std::vector<std::pair<std::string, JsonValue>>& JsonValue::object(
    const std::string& where) const {
  if (m_type != Type::object) wrong_type(where, Type::object, m_type);
  return m_object;
}

const JsonValue* JsonValue::find(const std::string& key) const {
  for (const auto& [name, value] : m_object)
    if (name == key) return &value;
  return nullptr;
}

const JsonValue& JsonValue::at(const std::string& key, const std::string& where) const {
  object(where);
  if (const JsonValue* value = find(key)) return *value;
  throw InputError(where + ": no member \"" + key + "\"");
}

// A recursive-descent reader over the text, with the position of every error.
class JsonParser {
 public:
  JsonParser(const std::string& text, std::string what) : m_text(text), m_what(std::move(what)) {}

  JsonValue document() {
    JsonValue value = parse(0);
    skip_blanks();
    if (m_at != m_text.size()) fail("text after the JSON value");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 64;

  [[noreturn]] void fail(const std::string& what) const {
    int line = 1, column = 1;
    for (size_t i = 0; i < m_at && i < m_text.size(); ++i) {
      if (m_text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw InputError(m_what + ":" + std::to_string(line) + ":" + std::to_string(column) +
                     ": not JSON: " + what);
  }

  void skip_blanks() {
    while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\t' ||
                                    m_text[m_at] == '\n' || m_text[m_at] == '\r'))
      ++m_at;
  }

  bool take(char c) {
    skip_blanks();
    if (m_at < m_text.size() && m_text[m_at] == c) {
      ++m_at;
      return true;
    }
    return false;
  }

  void expect(char c, const char* what) {
    if (!take(c)) fail(std::string("expected ") + what);
  }

  bool take_word(const char* word) {
    const std::string w(word);
    if (m_text.compare(m_at, w.size(), w) != 0) return false;
    m_at += w.size();
    return true;
  }

  JsonValue parse(int depth) {
    if (depth > kMaxDepth) fail("nested deeper than 64 levels");
    skip_blanks();
    if (m_at >= m_text.size()) fail("expected a value, got the end of the text");
    JsonValue v;
    const char c = m_text[m_at];
    if (c == '{') {
      ++m_at;
      v.m_type = JsonValue::Type::object;
      if (take('}')) return v;
      do {
        skip_blanks();
        if (m_at >= m_text.size() || m_text[m_at] != '"') fail("expected a member name");
        std::string key = parse_string();
        expect(':', "':' after a member name");
        v.m_object.emplace_back(std::move(key), parse(depth + 1));
      } while (take(','));
      expect('}', "',' or '}' in an object");
    } else if (c == '[') {
      ++m_at;
      v.m_type = JsonValue::Type::array;
      if (take(']')) return v;
      do {
        v.m_array.push_back(parse(depth + 1));
      } while (take(','));
      expect(']', "',' or ']' in an array");
    } else if (c == '"') {
      v.m_type = JsonValue::Type::string;
      v.m_string = parse_string();
    } else if (take_word("true")) {
      v.m_type = JsonValue::Type::boolean;
      v.m_boolean = true;
    } else if (take_word("false")) {
      v.m_type = JsonValue::Type::boolean;
    } else if (take_word("null")) {
      v.m_type = JsonValue::Type::null;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.m_type = JsonValue::Type::number;
      v.m_number = parse_number();
    } else {
      fail(std::string("unexpected character '") + (c >= 0x20 && c < 0x7f ? c : '?') + "'");
    }
    return v;
  }

  double parse_number() {
    const size_t start = m_at;
    if (m_text[m_at] == '-') ++m_at;
    const auto digits = [&] {
      const size_t from = m_at;
      while (m_at < m_text.size() && m_text[m_at] >= '0' && m_text[m_at] <= '9') ++m_at;
      return m_at > from;
    };
    if (!digits()) fail("a number without digits");
    if (m_at < m_text.size() && m_text[m_at] == '.') {
      ++m_at;
      if (!digits()) fail("no digits after a decimal point");
    }
    if (m_at < m_text.size() && (m_text[m_at] == 'e' || m_text[m_at] == 'E')) {
      ++m_at;
      if (m_at < m_text.size() && (m_text[m_at] == '+' || m_text[m_at] == '-')) ++m_at;
      if (!digits()) fail("no digits in an exponent");
    }
    const std::string number = m_text.substr(start, m_at - start);
    errno = 0;
    const double value = std::strtod(number.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(value)) fail("a number out of range: " + number);
    return value;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xc0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xe0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  unsigned hex4() {
    if (m_at + 4 > m_text.size()) fail("a \\u escape with fewer than 4 hex digits");
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = m_text[m_at++];
      code <<= 4;
      if (h >= '0' && h <= '9')
        code |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        code |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        code |= static_cast<unsigned>(h - 'A' + 10);
      else
        fail("a \\u escape with a character that is not hex");
    }
    return code;
  }

  std::string parse_string() {
    ++m_at;  // the opening quote
    std::string out;
    for (;;) {
      if (m_at >= m_text.size()) fail("a string without its closing quote");
      const char c = m_text[m_at++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (m_at >= m_text.size()) fail("a string without its closing quote");
      const char e = m_text[m_at++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned code = hex4();
          if (code >= 0xd800 && code < 0xdc00) {  // a surrogate pair
            if (!take_word("\\u")) fail("a lone high surrogate in a \\u escape");
            const unsigned low = hex4();
            if (low < 0xdc00 || low >= 0xe000) fail("a high surrogate without its low half");
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          } else if (code >= 0xdc00 && code < 0xe000) {
            fail("a lone low surrogate in a \\u escape");
          }
          append_utf8(out, code);
          break;
        }
        default:
          fail(std::string("an unknown escape \\") + (e >= 0x20 && e < 0x7f ? e : '?'));
      }
    }
  }

  const std::string& m_text;
  std::string m_what;
  size_t m_at = 0;
};

JsonValue parse_json(const std::string& text, const std::string& what) {
  return JsonParser(text, what).document();
}

}  // namespace frugal::results
