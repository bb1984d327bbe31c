#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

namespace {
const std::string units = R"("units": [)" + unit("U", "ORG", "") + "," + unit("W", "ORG", "") + "]";
const std::string leder = R"(, "type": "Leder")";
}  // namespace

TEST_SUITE("core::validity") {
  TEST_CASE("gaps before, between and after engagements are ended, touching ones join (V3, V4)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("E1", "P", "U", "2002-01-01", "2004-01-01") + "," +
                             rec("E2", "P", "W", "2004-01-01", "2006-01-01") + "," + rec("E3", "P", "U", "2008-01-01", "2009-01-01") +
                             R"(], "managers": [)" + rec("M", "P", "U", "2001-01-01", "2010-01-01", leder) + "]"));
    const plan p = make_plan(s, cfg_of("modules = [\"validity\"]\n"), d("2026-03-02"));
    CHECK(lines(s, p) == std::vector<std::string>{"end_manager M 2001-01-01..2002-01-01", "end_manager M 2006-01-01..2008-01-01",
                                                  "end_manager M 2009-01-01..2010-01-01"});
  }

  TEST_CASE("same_unit coverage and ignored engagement types (V3)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("E1", "P", "W", "2000-01-01") + "," +
                             rec("E2", "P", "U", "2020-01-01", "", R"(, "type": "Vikar")") + R"(], "managers": [)" +
                             rec("M", "P", "U", "2010-01-01", "", leder) + "]"));
    CHECK(make_plan(s, cfg_of("modules = [\"validity\"]\n"), d("2026-03-02")).changes.empty());
    CHECK(lines(s, make_plan(s, cfg_of("modules = [\"validity\"]\n[validity]\nengagement_scope = \"same_unit\"\n"), d("2026-03-02"))) ==
          std::vector<std::string>{"end_manager M 2010-01-01..2020-01-01"});
    CHECK(lines(s, make_plan(s, cfg_of("modules = [\"validity\"]\n[validity]\nengagement_scope = \"same_unit\"\n"
                                       "ignored_engagement_types = [\"Vikar\"]\n"),
                             d("2026-03-02"))) == std::vector<std::string>{"end_manager M 2010-01-01.."});
  }

  TEST_CASE("vacate instead of terminate, vacant segments are never touched (V2, V5)") {
    const std::string m = R"({"id": "M", "segments": [{"unit": "U", "person": null, "from": "2000-01-01", "to": "2010-01-01"},
                              {"unit": "U", "person": "P", "from": "2010-01-01", "to": null}]})";
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("E1", "P", "U", "2012-01-01", "2027-01-01") + R"(], "managers": [)" + m + "]"));
    CHECK(lines(s, make_plan(s, cfg_of("modules = [\"validity\"]\n[validity]\naction = \"vacate\"\n"), d("2026-03-02"))) ==
          std::vector<std::string>{"vacate_manager M 2010-01-01..2012-01-01", "vacate_manager M 2027-01-01.."});
  }

  TEST_CASE("another person's engagement does not cover (MT-B1)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("E1", "Q", "U", "2000-01-01") + R"(], "managers": [)" +
                             rec("M", "P", "U", "2010-01-01", "", leder) + "]"));
    CHECK(lines(s, make_plan(s, cfg_of("modules = [\"validity\"]\n"), d("2026-03-02"))) ==
          std::vector<std::string>{"end_manager M 2010-01-01.."});
  }
}
