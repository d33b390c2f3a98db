// Fuzzes the JSON reader (measurement files given to frugal calibrate): whatever it accepts, it
// must accept again once written back by the JSON writer, to the same text.
#include <string>

#include "results/files/json.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

void write(frugal::results::JsonWriter& w, const frugal::results::JsonValue& v) {
  using Type = frugal::results::JsonValue::Type;
  switch (v.type()) {
    case Type::null:
      w.null();
      break;
    case Type::boolean:
      w.value(v.boolean(""));
      break;
    case Type::number:
      w.value(v.number(""));
      break;
    case Type::string:
      w.value(v.string(""));
      break;
    case Type::array:
      w.begin_array();
      for (const auto& item : v.array("")) write(w, item);
      w.end_array();
      break;
    case Type::object:
      w.begin_object();
      for (const auto& [key, item] : v.object("")) {
        w.key(key);
        write(w, item);
      }
      w.end_object();
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  frugal::fuzz::expect_clean([&] {
    frugal::results::JsonWriter first, second;
    write(first, frugal::results::parse_json(text, "fuzz.json"));
    write(second, frugal::results::parse_json(first.str(), "again.json"));
    if (first.str() != second.str()) std::abort();
  });
  return 0;
}
