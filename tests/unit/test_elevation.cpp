#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

namespace {
const std::string units = R"("units": [)" + unit("R", "ORG", "NY6-niveau") + "," + unit("U", "R") + "," +
                          unit("V", "U", "Afdelings-niveau") + "," + unit("L", "U", "NY2-niveau", "U led-adm") + "]";
std::string mgr(const std::string& id, const std::string& person, const std::string& from, const std::string& type = "Leder") {
  return rec(id, person, "U", from, "", R"(, "type": ")" + type + "\"");
}
const std::string elevation = "modules = [\"elevation\"]\n";
}  // namespace

TEST_SUITE("core::elevation") {
  TEST_CASE("a new manager replaces the older one of the same type and the engagement moves (E3, E5)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("EP", "P", "V", "2000-01-01") + "," + rec("EQ", "Q", "U", "2000-01-01") +
                             R"(], "managers": [)" + mgr("MO", "Q", "2015-01-01") + "," + mgr("MN", "P", "2026-03-01") + "," +
                             mgr("DEP", "Z", "2015-01-01", "Stedfortræder") + "]"));
    CHECK(lines(s, make_plan(s, cfg_of(elevation), d("2026-03-02"))) ==
          std::vector<std::string>{"end_manager MO 2026-03-02..", "move_engagement EP ->U 2026-03-02.."});
  }

  TEST_CASE("a future appointment acts on its own start day (E2)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("EP", "P", "U", "2000-01-01") + R"(], "managers": [)" +
                             mgr("MO", "Q", "2015-01-01") + "," + mgr("MN", "P", "2026-05-01") + "]"));
    CHECK(lines(s, make_plan(s, cfg_of(elevation), d("2026-03-02"))) == std::vector<std::string>{"end_manager MO 2026-05-01.."});
  }

  TEST_CASE("outside the window nothing happens, the same start day is reported (E1, E3)") {
    snapshot s = snap_of(doc(units + R"(, "managers": [)" + mgr("MO", "Q", "2026-02-01") + "," + mgr("MN", "P", "2026-02-01") + "]"));
    const plan p = make_plan(s, cfg_of(elevation), d("2026-03-02"));
    CHECK(p.changes.empty());
    const plan all = make_plan(s, cfg_of(elevation + "[elevation]\nwindow_days = -1\n"), d("2026-03-02"));
    CHECK(all.changes.empty());
    CHECK(has(diags(all), "CONCURRENT_MANAGERS U"));
  }

  TEST_CASE("several engagements and none primary: no move, reported (E4)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("E1", "P", "V", "2000-01-01") + "," + rec("E2", "P", "R", "2000-01-01") +
                             R"(], "managers": [)" + mgr("MN", "P", "2026-03-02") + "]"));
    const plan p = make_plan(s, cfg_of(elevation), d("2026-03-02"));
    CHECK(p.changes.empty());
    CHECK(has(diags(p), "AMBIGUOUS_ENGAGEMENT MN"));
  }

  TEST_CASE("an engagement in a led-adm child of the managed unit stays unless move = always (E4)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("E1", "P", "L", "2000-01-01") + R"(], "managers": [)" +
                             mgr("MN", "P", "2026-03-02") + "]"));
    CHECK(make_plan(s, cfg_of(elevation), d("2026-03-02")).changes.empty());
    CHECK(lines(s, make_plan(s, cfg_of(elevation + "[elevation]\nmove = \"always\"\n"), d("2026-03-02"))) ==
          std::vector<std::string>{"move_engagement E1 ->U 2026-03-02.."});
  }
}

TEST_SUITE("core::elevation") {
  TEST_CASE("a vacant manager of the same type is ended by a new one (E3)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("EP", "P", "U", "2000-01-01") + R"(], "managers": [)" +
                             mgr("MV", "", "2020-01-01") + "," + mgr("MN", "P", "2026-03-02") + "]"));
    CHECK(lines(s, make_plan(s, cfg_of(elevation), d("2026-03-02"))) == std::vector<std::string>{"end_manager MV 2026-03-02.."});
  }

  TEST_CASE("two new roles that would move one engagement to different units move nothing (E5)") {
    snapshot s = snap_of(doc(units + R"(, "engagements": [)" + rec("EP", "P", "R", "2000-01-01") + R"(], "managers": [)" +
                             mgr("M1", "P", "2026-03-01") + "," + rec("M2", "P", "V", "2026-03-02", "", R"(, "type": "Leder")") + "]"));
    const plan p = make_plan(s, cfg_of(elevation), d("2026-03-02"));
    CHECK(p.changes.empty());
    CHECK(has(diags(p), "AMBIGUOUS_ENGAGEMENT M1"));
    CHECK(has(diags(p), "AMBIGUOUS_ENGAGEMENT M2"));
  }
}
