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

  TEST_CASE("the text plan has one line per change with its reason and a summary") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("TOP", "ORG", "NY6-niveau") + "]"));
    const plan p = make_plan(s, cfg_of("[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"));
    const std::string text = plan_to_text(s, p, nullptr);
    CHECK(text.find("set_unit_class  unit TOP (TOP): class (none) -> linjeorg from 2026-03-02: configured top-level unit\n") == 0);
    CHECK(text.find("1 change for 2026-03-02 (1 set_unit_class); diagnostics: 0 error, 0 warn, 0 info") != std::string::npos);
    CHECK(text.find("dry run: nothing was applied") != std::string::npos);
  }
}
