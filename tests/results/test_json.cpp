// The JSON reader (results/files/json.h) against the writer and against Python's json module's
// reading of the committed measurement file.

#include <catch2/catch.hpp>
#include <cmath>

#include "results/core/error.h"
#include "results/files/json.h"
#include "tests/source_file.h"

using namespace frugal;
using results::JsonValue;
using results::JsonWriter;
using results::parse_json;

TEST_CASE("JSON written by frugal reads back", "[quick][results][json]") {
  JsonWriter w;
  w.begin_object();
  w.key("name").value("a \"quoted\"\\ line\nbreak\x01");
  w.key("numbers").begin_array().value(0.1).value(int64_t{-42}).value(6.02e23).end_array();
  w.key("flags").begin_array().value(true).value(false).null().end_array();
  w.key("empty").begin_object().end_object();
  w.end_object();
  const JsonValue v = parse_json(w.str(), "test");
  CHECK(v.at("name", "test").string("name") == "a \"quoted\"\\ line\nbreak\x01");
  const auto& numbers = v.at("numbers", "test").array("numbers");
  REQUIRE(numbers.size() == 3);
  CHECK(numbers[0].number("") == 0.1);  // the shortest text that reads back exactly
  CHECK(numbers[1].number("") == -42);
  CHECK(numbers[2].number("") == 6.02e23);
  const auto& flags = v.at("flags", "test").array("flags");
  CHECK(flags[0].boolean(""));
  CHECK_FALSE(flags[1].boolean(""));
  CHECK(flags[2].type() == JsonValue::Type::null);
  CHECK(v.at("empty", "test").object("empty").empty());
  CHECK(v.find("absent") == nullptr);
  CHECK(parse_json("\"\\u00e9\\ud83d\\ude00\"", "t").string("") == "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST_CASE("JSON errors name the file, line and column, and what is wrong",
          "[quick][results][json]") {
  CHECK_THROWS_WITH(parse_json("{\n  \"a\": 1,\n  \"b\" 2\n}", "m.json"),
                    Catch::Contains("m.json:3:7: not JSON: expected ':'"));
  CHECK_THROWS_WITH(parse_json("[1, 2", "m.json"), Catch::Contains("',' or ']'"));
  CHECK_THROWS_WITH(parse_json("{} x", "m.json"), Catch::Contains("text after the JSON value"));
  CHECK_THROWS_WITH(parse_json("01.", "m.json"), Catch::Contains("not JSON"));
  CHECK_THROWS_WITH(parse_json("\"a\tb\"", "m.json"), Catch::Contains("control character"));
  CHECK_THROWS_WITH(parse_json("\"\\ud800\"", "m.json"), Catch::Contains("surrogate"));
  CHECK_THROWS_WITH(parse_json("1e999", "m.json"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(parse_json(std::string(100, '['), "m.json"), Catch::Contains("64 levels"));
  CHECK_THROWS_WITH(parse_json("", "m.json"), Catch::Contains("end of the text"));
  const JsonValue v = parse_json("{\"a\": \"x\"}", "m.json");
  CHECK_THROWS_WITH(v.at("a", "m.json").number("m.json: a"),
                    Catch::Contains("m.json: a: expected a number, got a string"));
  CHECK_THROWS_WITH(v.at("b", "m.json"), Catch::Contains("m.json: no member \"b\""));
}

TEST_CASE("The committed H200 measurements read as Python's json reads them",
          "[quick][results][json]") {
  const JsonValue v = parse_json(
      testing::source_file("hw_models/calibration/h200-kernels-2026-12-04.json"), "h200");
  // /usr/bin/python3 -c "import json; d = json.load(open(F)); print(len(d['phases']),
  //   d['phases']['gemm_bf16_8192_graph']['s_per_iter'], d['phases']['idle']['graph'])"
  const auto& phases = v.at("phases", "h200").object("phases");
  CHECK(phases.size() == 38);
  CHECK(v.at("phases", "").at("gemm_bf16_8192_graph", "").at("s_per_iter", "").number("") ==
        0.001630664203252034);
  CHECK_FALSE(v.at("phases", "").at("idle", "").at("graph", "").boolean(""));
  CHECK(v.at("device", "").string("").find("H200") != std::string::npos);
}
