#include <linemgr/io/json_internal.hpp>

#include "support.hpp"

using linemgr::io::json_limits;
using linemgr::io::parse_untrusted;
using linemgr::io::scan_json;

TEST_SUITE("io::json_parse") {
  TEST_CASE("the scan counts nesting outside strings only and stops early") {
    CHECK(scan_json(R"({"a": [[1], {"b": "[[[["}]})", 64).depth == 3);
    CHECK(scan_json(R"(["\"[[[", "\\"])", 64).depth == 1);  // an escaped quote does not end the string
    CHECK(scan_json(std::string(1000000, '['), 64).depth == 65);
  }

  TEST_CASE("a low surrogate escape without its high one is found; pairs and other escapes are not") {
    CHECK(scan_json(R"(["ok \u00e6 \ud83d\ude00 \\udddd"])", 64).lone_surrogate == std::string_view::npos);
    CHECK(scan_json(R"(["abc\udc00"])", 64).lone_surrogate == 5);
    CHECK(scan_json(R"(["\ud83d\ude00\ude00"])", 64).lone_surrogate == 14);
    CHECK(scan_json(R"(["\uDFFF"])", 64).lone_surrogate == 2);
  }

  TEST_CASE("untrusted JSON is refused past its size or depth, or when it is not text, in words") {
    rapidjson::Document doc;
    CHECK(parse_untrusted(doc, R"({"a": [1, 2]})", json_limits{}) == std::nullopt);
    CHECK(doc["a"].Size() == 2);
    CHECK(*parse_untrusted(doc, std::string(2000, ' '), json_limits{1000, 64}) == "is 2000 bytes, more than 1000");
    CHECK(*parse_untrusted(doc, std::string(200000, '[') + std::string(200000, ']'), json_limits{1 << 20, 32}) ==
          "nests more than 32 levels deep");
    CHECK(*parse_untrusted(doc, R"({"name": "x\udddd"})", json_limits{}) ==
          "is not JSON: an escaped UTF-16 surrogate without its pair is not a character (write the character, or its pair) at byte 11");
    CHECK(*parse_untrusted(doc, "{\"name\": \"\xff\"}", json_limits{}) == "is not JSON: Invalid encoding in string. at byte 10");
    // A high surrogate without its low one: RapidJSON's own check.
    CHECK(parse_untrusted(doc, R"(["\ud83d x"])", json_limits{}).has_value());
  }
}
