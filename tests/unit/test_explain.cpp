#include <linemgr/core/explain.hpp>

#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

TEST_SUITE("core::explain") {
  TEST_CASE("names the deciding rule and what counted") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("TOP", "ORG", "NY6-niveau") + "," + unit("A", "TOP") + "," +
                             unit("A1", "A", "Afdelings-niveau") + "," + unit("B", "TOP", "Særlig") + R"(], "engagements": [)" +
                             rec("E1", "P1", "A1", "2020-01-01") + "," + rec("E2", "P2", "A1", "2020-01-01", "", R"(, "type": "Elev")") + "," +
                             rec("E3", "P3", "B", "2020-01-01") + "]"));
    const config c = cfg_of("modules = [\"hierarchy\"]\n[hierarchy]\ntop_level = [\"TOP\"]\nhidden_engagement_types = [\"Elev\"]\n");
    const auto a1 = explain_unit(s, c, d("2026-03-02"), "A1");
    REQUIRE(a1);
    CHECK(a1->rule == "H6.1");
    CHECK(a1->target_class == "linjeorg");
    REQUIRE(a1->engagements.size() == 2);
    CHECK(a1->engagements[0].excluded_because.empty());
    CHECK(a1->engagements[1].excluded_because == "its type is a hidden engagement type");
    CHECK(s.units.records[a1->top_level_ancestor].id == "TOP");

    const auto a = explain_unit(s, c, d("2026-03-02"), "A");
    REQUIRE(a);
    CHECK(a->rule == "H6.4");
    REQUIRE(a->line_children.size() == 1);

    const auto b = explain_unit(s, c, d("2026-03-02"), "B");
    REQUIRE(b);
    CHECK(b->rule == "H8");
    CHECK(b->target_class == "NA");
    CHECK_FALSE(b->level_ok);
    CHECK(b->people_ok);
    CHECK(b->planned.changes.size() == 2);  // B itself and TOP, its ancestor

    CHECK_FALSE(explain_unit(s, c, d("2026-03-02"), "NOPE"));
  }
}
