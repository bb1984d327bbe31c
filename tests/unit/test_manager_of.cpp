#include <linemgr/core/manager_of.hpp>

#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

TEST_SUITE("core::manager_of") {
  TEST_CASE("the nearest manager upwards, skipping vacant managers and the person themself") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("R", "ORG") + "," + unit("A", "R") + "," + unit("A1", "A") + R"(], "engagements": [)" +
                             rec("E1", "P1", "A1", "2020-01-01") + "," + rec("E2", "P2", "A", "2020-01-01") + R"(], "managers": [)" +
                             rec("MV", "", "A1", "2020-01-01") + "," + rec("MA", "P2", "A", "2020-01-01") + "," +
                             rec("MR", "P9", "R", "2020-01-01") + "]"));
    const auto e1 = line_manager_of_engagement(s, s.engagements.ids.find("E1"), d("2026-03-02"));
    REQUIRE(e1);
    CHECK(s.managers.records[e1->manager].id == "MA");
    CHECK(e1->path.size() == 2);
    // P2 manages A themself, so their line manager is R's.
    const auto p2 = line_managers_of_person(s, s.person_ids.find("P2"), d("2026-03-02"));
    REQUIRE(p2.size() == 1);
    CHECK(s.managers.records[p2[0].manager].id == "MR");
    // Before the engagement started there is no answer.
    CHECK_FALSE(line_manager_of_engagement(s, s.engagements.ids.find("E1"), d("2019-01-01")));
  }

  TEST_CASE("no manager anywhere upwards gives an answer without a manager") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("R", "ORG") + R"(], "engagements": [)" + rec("E1", "P1", "R", "2020-01-01") + "]"));
    const auto a = line_manager_of_engagement(s, 0, d("2026-03-02"));
    REQUIRE(a);
    CHECK(a->manager == no_index);
  }
}
