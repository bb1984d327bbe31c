#include <linemgr/io/plan_output.hpp>

#include <linemgr/io/json_internal.hpp>
#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

TEST_SUITE("io::plan_output") {
  TEST_CASE("the JSON plan has the doc/formats.md §3 shape") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("R", "ORG", "N1") + "," + unit("DB", "R", "N2") + "," + unit("DBL", "DB", "N2", "Æble_leder") +
                             R"(], "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + R"(], "associations": [)" +
                             rec("S1", "P1", "DBL", "2020-01-01") + "]"));
    const plan p = make_plan(s, cfg_of("[managers.level_mapping]\nN2 = \"Niveau 2\"\n"), d("2026-03-02"));
    const std::string json = plan_to_json(s, p, nullptr);
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    CHECK(std::string(doc["format"].GetString()) == "linemgr-plan/1");
    CHECK(std::string(doc["today"].GetString()) == "2026-03-02");
    CHECK(doc["applied"].IsNull());
    const auto& first = doc["changes"][0];
    CHECK(std::string(first["op"].GetString()) == "create_manager");
    CHECK(std::string(first["unit"].GetString()) == "DB");
    CHECK(first["to"].IsNull());
    CHECK(first["responsibilities"].IsArray());
    CHECK(doc["diagnostics"][0].HasMember("severity"));

    apply_report r;
    r.ok = 3;
    r.failed.push_back({1, "boom"});
    rapidjson::Document applied;
    applied.Parse(plan_to_json(s, p, &r).c_str());
    CHECK(applied["applied"]["ok"].GetUint() == 3);
    CHECK(std::string(applied["applied"]["failed"][0]["error"].GetString()) == "boom");
  }

  TEST_CASE("a plan is written in pieces as it is produced, the same text as the whole-plan path gives") {
    // Enough units under a top-level unit that the plan's text is many times the 64 KiB a piece holds.
    std::string units = unit("TOP", "ORG", "NY6-niveau", "Kommune");
    for (int i = 0; i < 3000; ++i) units += "," + unit("U" + std::to_string(i), i % 7 ? "U" + std::to_string(i / 7) : "TOP", "N2", "Enhed " + std::to_string(i));
    snapshot s = snap_of(doc(R"("units": [)" + units + "]"));
    const plan p = make_plan(s, cfg_of("[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"));
    REQUIRE(p.changes.size() > 1000);
    struct recording_sink final : text_sink {
      void write(std::string_view text) override { pieces.emplace_back(text); }
      std::string whole() const {
        std::string out;
        for (const std::string& piece : pieces) out += piece;
        return out;
      }
      std::vector<std::string> pieces;
    };
    saved_plan named = saved_from(s, p);  // every change with ids (and names, for text) at once
    recording_sink json;
    write_plan_json(json, s, p, nullptr);
    CHECK(json.pieces.size() > 5);
    for (const std::string& piece : json.pieces) CHECK(piece.size() <= 65536);
    CHECK(json.whole() == plan_to_json(named, nullptr));
    for (saved_change& c : named.changes) describe(s, c);
    recording_sink text;
    write_plan_text(text, s, p, nullptr);
    CHECK(text.pieces.size() > 5);
    CHECK(text.whole() == plan_to_text(named, nullptr));
    CHECK(text.whole() == plan_to_text(s, p, nullptr));
  }

  TEST_CASE("the text plan groups changes by unit, names every subject, and says what applying would do") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("TOP", "ORG", "NY6-niveau", "Kommune") + "," + unit("DB", "TOP", "N2", "Skoler") + "," +
                             unit("DBL", "DB", "N2", "Skoler_leder") + R"(], "persons": [{"id": "P1", "name": "Anne Holm"},
                             {"id": "P2", "name": "Bo Berg"}], "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") +
                             R"(], "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + R"(], "managers": [)" +
                             rec("M2", "P2", "DB", "2019-01-01", "", R"(, "type": "Leder", "level": "Niveau 2")") + "]"));
    const plan p = make_plan(s, cfg_of("[hierarchy]\ntop_level = [\"TOP\"]\n[managers.level_mapping]\nN2 = \"Niveau 2\"\n"), d("2026-03-02"));
    const std::string text = plan_to_text(s, p, nullptr);
    CHECK(text.find("unit Skoler (DB)\n"
                    "  + manager Anne Holm (P1): Niveau 2, Leder, from 2026-03-02\n"
                    "      designated in DBL by association S1; engaged in DB since 2020-01-01\n"
                    "  - manager M2 (Bo Berg) ends, from 2019-01-01\n") == 0);
    CHECK(text.find("unit Kommune (TOP)\n  ~ class (none) -> linjeorg, from 2026-03-02\n      configured top-level unit\n") !=
          std::string::npos);
    CHECK(text.find("changes for 2026-03-02 (1 create_manager, 1 end_manager, ") != std::string::npos);
    CHECK(text.find("dry run: nothing was applied (applying would create 1 manager, end 1 manager and change the class of ") !=
          std::string::npos);
    CHECK(text.find("\x1b[") == std::string::npos);  // no colour unless asked
    const std::string coloured = plan_to_text(s, p, nullptr, true);
    CHECK(coloured.find("\x1b[1munit Skoler (DB)\x1b[0m\n  \x1b[32m+\x1b[0m manager Anne Holm") == 0);
    CHECK(coloured.find("\x1b[31m-\x1b[0m manager M2") != std::string::npos);
  }
}
