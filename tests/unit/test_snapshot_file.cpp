#include <cstdio>
#include <fstream>

#include <sys/stat.h>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <linemgr/io/json_internal.hpp>
#include <linemgr/io/snapshot_handoff_internal.hpp>

#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

namespace {
// The error reading `json` gives, the same whether records are read on the parser's thread or
// handed to a second one.
std::string error_of(const std::string& json) {
  auto s = parse_snapshot_handing_off(json, "in.json", false);
  auto handed = parse_snapshot_handing_off(json, "in.json", true);
  REQUIRE_FALSE(s);
  REQUIRE_FALSE(handed);
  CHECK(s.err().kind == error_kind::data);
  CHECK(handed.err().kind == error_kind::data);
  CHECK(handed.err().message == s.err().message);
  return s.err().message;
}
}  // namespace

TEST_SUITE("io::snapshot_file") {
  TEST_CASE("every bad input names its place") {
    CHECK(error_of(R"({"units": [{"id": "A"}, {"id": "A"}]})") == "in.json: units[1].id: duplicate id \"A\" in units");
    CHECK(error_of(R"({"units": [{"id": "A", "from": "2026-13-01"}]})") == "in.json: units[0].from: not a date: \"2026-13-01\"");
    CHECK(error_of(R"({"units": [{"id": "A"}], "engagements": [{"id": "E", "unit": "B"}]})") ==
          "in.json: engagements[0].unit: unknown unit \"B\": no unit has this id");
    CHECK(error_of(R"({"units": [{"name": "A"}]})") == "in.json: units[0].id: missing; every record needs an id");
    CHECK(error_of(R"({"units": [{"id": 7}]})") == "in.json: units[0].id: expected a non-empty string, got a number");
    CHECK(error_of(R"({"units": {}})") == "in.json: units: expected an array, got an object");
    CHECK(error_of(R"({"persons": []})") == "in.json: units: missing; a snapshot needs a \"units\" array");
    CHECK(error_of(R"({"units": [{"id": "A", "segments": [{"from": "2020-01-01", "to": "2022-01-01"}, {"from": "2021-01-01"}]}]})") ==
          "in.json: units[0].segments[1].from: segments overlap or are not sorted by from");
    CHECK(error_of(R"({"units": [{"id": "A"}], "managers": [{"id": "M", "unit": "A", "level": {}}]})") ==
          "in.json: managers[0].level: a class object needs at least one of uuid, user_key, name");
    CHECK(error_of(R"({"units": [{"id": "A"}], "engagements": [{"id": "E", "unit": "A", "primary": "yes"}]})") ==
          "in.json: engagements[0].primary: expected true or false, got \"yes\"");
    CHECK(error_of("{\"units\": [\n{\"id\": \"A\"},\n{\"id\": ") == "in.json:3:8: not valid JSON: Invalid value.");
    CHECK(error_of(R"({"units": []} trailing)").find("in.json:1:15: not valid JSON") == 0);
  }

  TEST_CASE("the order of the top-level members does not matter: records that refer to units and persons wait for them") {
    const std::string units = R"("units": [{"id": "A", "name": "Skole", "parent": "ORG", "level": "N1"}])";
    const std::string persons = R"("persons": [{"id": "P", "name": "Anne"}])";
    const std::string refs = R"("engagements": [{"id": "E", "person": "P", "unit": "A"}, {"id": "E2", "person": "Q", "unit": "A"}],
      "managers": [{"id": "M", "person": "Q", "unit": "A", "level": "N1"}], "associations": [{"id": "S", "person": "P", "unit": "A"}])";
    const std::string usual = snapshot_to_json(snap_of(doc(units + ", " + persons + ", " + refs)));
    CHECK(snapshot_to_json(snap_of(doc(refs + ", " + persons + ", " + units))) == usual);
    CHECK(snapshot_to_json(snap_of(doc(units + ", " + refs + ", " + persons))) == usual);
    CHECK(snapshot_to_json(snap_of(R"({"units": [{"id": "A"}], "managers": [{"id": "M", "unit": "A"}], "today": "2026-03-02"})"))
              .find("\"today\": \"2026-03-02\"") != std::string::npos);
    // A reference checked at the end still names its place.
    CHECK(error_of(R"({"engagements": [{"id": "E", "unit": "B"}], "units": [{"id": "A"}]})") ==
          "in.json: engagements[0].unit: unknown unit \"B\": no unit has this id");
  }

  TEST_CASE("a missing file is an I/O error") {
    auto s = read_snapshot_file("/nonexistent/snapshot.json");
    REQUIRE_FALSE(s);
    CHECK(s.err().kind == error_kind::io);
  }

  TEST_CASE("flat and segmented forms mean the same, unknown members are ignored") {
    snapshot a = snap_of(R"({"units": [{"id": "A", "parent": null, "extra": 1, "from": "2020-01-01"}]})");
    snapshot b = snap_of(R"({"units": [{"id": "A", "segments": [{"parent": null, "from": "2020-01-01", "to": null}]}]})");
    CHECK(snapshot_to_json(a) == snapshot_to_json(b));
  }

  TEST_CASE("writing and reading again gives the same document") {
    const std::string text = doc(R"("classes": [{"uuid": "c1", "user_key": "linjeorg", "facet": "org_unit_hierarchy"}],
      "units": [{"id": "A", "name": "Å \"quoted\"", "user_key": "A", "parent": "ORG", "level": {"uuid": "l1"}, "class": "c1"}],
      "persons": [{"id": "P", "name": "Ærø"}],
      "engagements": [{"id": "E", "person": "P", "segments": [{"unit": "A", "type": "Ansat", "from": "2000-01-01", "to": "2001-01-01"},
                                                              {"unit": "A", "type": "Ansat", "from": "2001-01-01", "to": null}]}],
      "associations": [{"id": "S", "person": null, "unit": "A"}],
      "it_users": [{"id": "I", "unit": "A", "person": "P", "it_system": "AD"}],
      "managers": [{"id": "M", "person": "P", "unit": "A", "level": "N", "type": "Leder", "responsibilities": ["MUS", {"name": "Arb"}]}])");
    const std::string once = snapshot_to_json(snap_of(text));
    const std::string twice = snapshot_to_json(snap_of(once));
    CHECK(once == twice);
    CHECK(once.find("\"from\": \"2001-01-01\"") != std::string::npos);
    CHECK(once.find("Å \\\"quoted\\\"") != std::string::npos);
  }

  TEST_CASE("a snapshot written as it is produced is the same text, private, and whole or not at all") {
    // Larger than the 64 KiB write buffer, so that it is flushed several times.
    std::string units;
    for (int i = 0; i < 3000; ++i)
      units += std::string(i ? ", " : "") + R"({"id": "U)" + std::to_string(i) + R"(", "name": "Enhed \"Æ\")" + std::to_string(i) + R"(", "parent": "ORG"})";
    const snapshot snap = snap_of(doc(R"("units": [)" + units + "]"));
    const std::string path = "linemgr-test-stream.json";
    std::remove(path.c_str());
    REQUIRE(write_snapshot_file(path, snap));
    std::ifstream in(path, std::ios::binary);
    const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(got.size() > 65536 * 3);
    CHECK(got == snapshot_to_json(snap));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::remove(path.c_str());
    auto bad = write_snapshot_file("/nonexistent-dir/x.json", snap);
    REQUIRE_FALSE(bad);
    CHECK(bad.err().kind == error_kind::io);
  }

  TEST_CASE("the atomic writer leaves no temporary file and reports an unwritable place") {
    const std::string path = "linemgr-test-write.json";
    REQUIRE(write_file_atomically(path, "{}\n"));
    std::ifstream in(path);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(got == "{}\n");
    std::remove(path.c_str());
    auto bad = write_file_atomically("/nonexistent-dir/x.json", "{}");
    REQUIRE_FALSE(bad);
    CHECK(bad.err().kind == error_kind::io);
  }
}

TEST_SUITE("io::snapshot_file bounds") {
  TEST_CASE("text that ends inside a UTF-8 sequence is an error, read within the buffer (AddressSanitizer checks)") {
    for (const char* lead : {"\xc3", "\xe2\x82", "\xf1", "\xf0\x9f\x98"}) {
      const std::string text = std::string("{\"units\":[{\"id\":\"") + lead;
      auto r = linemgr::io::parse_snapshot(text, "cut.json");
      REQUIRE_FALSE(r);
      CHECK(r.err().kind == linemgr::core::error_kind::data);
      CHECK(r.err().message == "cut.json:1:18: not valid JSON: Invalid encoding in string.");  // where the character starts
    }
  }

  TEST_CASE("records handed to a second thread are read as on one: the same model, the first error in the document") {
    // Many batches of records; the organisation given after the units (it decides which parents are roots).
    std::string units, engagements;
    for (int i = 0; i < 3000; ++i) {
      units += (i ? ",\n" : "") + unit("U" + std::to_string(i), i ? "U" + std::to_string(i / 3) : "ORG", "N1", "Enhed \u00e6 " + std::to_string(i));
      engagements += (i ? ",\n" : "") + rec("E" + std::to_string(i), "P" + std::to_string(i % 700), "U" + std::to_string(i), "2020-01-01");
    }
    const std::string good = R"({"format": "linemgr-snapshot/1", "units": [)" + units + R"(], "persons": [], "engagements": [)" + engagements +
                             R"(], "organisation": "ORG", "today": "2026-03-02"})";
    auto one = parse_snapshot_handing_off(good, "in.json", false);
    auto two = parse_snapshot_handing_off(good, "in.json", true);
    REQUIRE(one);
    REQUIRE(two);
    CHECK(snapshot_to_json(*two) == snapshot_to_json(*one));
    CHECK(two->units.size() == 3000);
    // A record refused in a late batch, then text that is not JSON: the record comes first.
    std::string bad = good;
    const std::string late = "\"unit\": \"U2500\"";
    bad.replace(bad.find(late), late.size(), "\"unit\": \"NOPE\"");
    CHECK(error_of(bad) == "in.json: engagements[2500].unit: unknown unit \"NOPE\": no unit has this id");
    CHECK(error_of(bad.substr(0, bad.size() - 40) + "} oops") == error_of(bad));
    // A refused root member handed over before a bad record: the root member's error.
    CHECK(error_of(R"({"today": "someday", )" + good.substr(1)) == "in.json: today: not a date: \"someday\"");
    // A refused root member that is an object: the parse stops there (found by fuzz_snapshot: it went on).
    CHECK(error_of(R"({"format": {"from": ""}, "units": []})") == "in.json: format: expected \"linemgr-snapshot/1\", got an object");
    // Not JSON before any refusal: the parser's error, as on one thread.
    CHECK(error_of(good.substr(0, good.size() / 2) + "]]]").find("in.json:") == 0);
  }

  TEST_CASE("UTF-8 checked by the stream is refused where RapidJSON's own validation refuses it, with its message") {
    // Byte by byte mutations of a document that is rich in non-ASCII text, some across the 64 KiB
    // boundary of the stream's chunks; the reference is RapidJSON validating as it parses.
    const std::string base = "{\"units\": [{\"id\": \"A\", \"name\": \"\xc3\x86" "ble \xe2\x82\xac \xf0\x9f\x98\x80 x\"}],\n"
                             // the edges of each range: one byte from an overlong form, a surrogate, past U+10FFFF
                             " \"edges\": \"\xc2\x80 \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\","
                             " \"extra\": {\"k\xc3\xa6y\": \"v\xc3\xa4lue\\n\"}, \"persons\": [{\"id\": \"P\", \"name\": \"\xc3\x98st\"}]}";
    const unsigned char bytes[] = {0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef,
                                   0xf0, 0xf4, 0xf5, 0xff, '"', '\\', 'a', ' ', '\n', 0x1f};
    const std::size_t edges = base.find("\xc2\x80");
    std::uint64_t seed = 7;
    auto next = [&seed] {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<std::size_t>(seed >> 33);
    };
    std::size_t refused = 0;
    for (int n = 0; n < 4000; ++n) {
      std::string text = base;
      for (std::size_t k = 0, edits = 1 + next() % 3; k < edits; ++k) {
        const std::size_t at = next() % 2 ? edges + next() % 30 : next() % text.size();  // half of them at the edges
        text[at] = static_cast<char>(bytes[next() % sizeof bytes]);
      }
      if (n % 4 == 0) text.insert(1, 65536 - 40 + next() % 60, ' ');  // the names straddle the first chunk's end
      rapidjson::Reader reference;
      rapidjson::BaseReaderHandler<> nothing;
      rapidjson::StringStream in(text.c_str());
      const rapidjson::ParseResult expected = reference.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(in, nothing);
      auto got = parse_snapshot(text, "in.json");
      CAPTURE(n);
      if (!expected.IsError()) {
        if (!got) CHECK(got.err().message.find("not valid JSON") == std::string::npos);
        continue;
      }
      REQUIRE_FALSE(got);
      const auto [line, col] = line_column(text, expected.Offset());
      // (A record's own error, such as units given as an object, may come first: it is said as it is read.)
      if (got.err().message.find("not valid JSON") != std::string::npos) {
        CHECK(got.err().message == fmt::format("in.json:{}:{}: not valid JSON: {}", line, col, rapidjson::GetParseError_En(expected.Code())));
        refused += expected.Code() == rapidjson::kParseErrorStringInvalidEncoding;
      }
    }
    CHECK(refused > 500);  // the mutations do reach the check
  }

  TEST_CASE("what JSON leaves open is refused, not guessed: a NUL byte, a member given twice, a lone surrogate") {
    // A NUL byte used to end the document: what followed it was ignored.
    CHECK(error_of(std::string("{\"units\": []}\0garbage", 21)) ==
          "in.json:1:14: not valid JSON: a NUL byte (JSON text has none; is this the right file?)");
    // The first of two members used to win silently.
    CHECK(error_of(R"({"units": [], "units": 7})") == "in.json: units: given twice; keep one");
    CHECK(error_of(R"({"units": [{"id": "A", "from": "2020-01-01", "id": "B"}]})") == "in.json: units[0].id: given twice; keep one");
    CHECK(error_of(R"({"units": [{"id": "A", "segments": [{"from": "2020-01-01", "from": "2021-01-01"}]}]})") ==
          "in.json: units[0].segments[0].from: given twice; keep one");
    CHECK(error_of(R"({"units": [], "classes": [{"uuid": "c", "name": "a", "name": "b"}]})") ==
          "in.json: classes[0].name: given twice; keep one");
    // A low surrogate escape on its own decoded to bytes that are not UTF-8: the snapshot linemgr
    // wrote from it could not be read back (found by fuzz_snapshot).
    CHECK(error_of("{\"units\": [{\"id\": \"A\",\n \"name\": \"x\\udddd\"}]}") ==
          "in.json:2:12: not valid JSON: an escaped UTF-16 surrogate without its pair is not a character (write the character, or "
          "its pair)");
    const std::string pair = R"({"units": [{"id": "A", "name": "\ud83d\ude00 \u00e6"}]})";
    const std::string written = snapshot_to_json(snap_of(pair));
    CHECK(written.find("\"name\": \"\xf0\x9f\x98\x80 \xc3\xa6\"") != std::string::npos);
    CHECK(snapshot_to_json(snap_of(written)) == written);
  }

  TEST_CASE("nesting past 64 levels is refused as it is read, whatever its depth") {
    // In a member linemgr ignores, and inside a record: the stream stops at level 65.
    for (const std::string& deep : {"{\"extra\": " + std::string(1000000, '[') + std::string(1000000, ']') + ", \"units\": []}",
                                    "{\"units\": [{\"id\": \"A\", \"x\": " + std::string(1000000, '[') + std::string(1000000, ']') + "}]}"}) {
      auto r = linemgr::io::parse_snapshot(deep, "deep.json");
      REQUIRE_FALSE(r);
      CHECK(r.err().message == "deep.json: nests more than 64 levels deep; a snapshot needs 4 (doc/formats.md §1)");
    }
    // Where the structure is wrong before the nesting is deep, that is said first.
    auto wrong = linemgr::io::parse_snapshot("{\"units\": " + std::string(1000000, '[') + std::string(1000000, ']') + "}", "deep.json");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.err().message == "deep.json: units[0]: expected an object, got an array");
    // Brackets inside strings are text, not nesting.
    const std::string quoted = R"({"format": "linemgr-snapshot/1", "organisation": "O", "units": [{"id": "A", "name": ")" +
                               std::string(100, '[') + R"(", "parent": "O", "from": "2000-01-01"}]})";
    CHECK(linemgr::io::parse_snapshot(quoted, "q.json"));
  }
}
