#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

namespace {

const std::string tree = R"("units": [)" + unit("R", "ORG", "") + "," + unit("TOP", "R", "NY6-niveau") + "," +
                         unit("A", "TOP") + "," + unit("A1", "A", "Afdelings-niveau") + "," + unit("B", "TOP") + "," +
                         unit("B1", "B", "NY10-niveau") + "]";

const std::string hierarchy_only = "modules = [\"hierarchy\"]\n";

}  // namespace

TEST_SUITE("core::hierarchy") {
  TEST_CASE("own check, propagation to the root and the outside class (H6, H8)") {
    snapshot s = snap_of(doc(tree + R"(, "engagements": [)" + rec("E1", "P1", "A1", "2020-01-01") + "," + rec("E2", "P2", "B1", "2020-01-01") + "]"));
    const plan p = make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"));
    const auto l = lines(s, p);
    CHECK(has(l, "set_unit_class A1 linjeorg 2026-03-02.."));
    CHECK(has(l, "set_unit_class A linjeorg 2026-03-02.."));    // propagation
    CHECK(has(l, "set_unit_class TOP linjeorg 2026-03-02.."));  // top level
    CHECK(has(l, "set_unit_class R linjeorg 2026-03-02.."));    // parent of a top-level unit
    CHECK(has(l, "set_unit_class B1 NA 2026-03-02.."));         // NY10 fails the default levels
    CHECK(has(l, "set_unit_class B NA 2026-03-02.."));
    CHECK(l.size() == 6);
  }

  TEST_CASE("hidden beats self-owned, which beats line management, and roots are inherited (H2–H5)") {
    snapshot s = snap_of(doc(tree + R"(, "engagements": [)" + rec("E1", "P1", "A1", "2020-01-01") + "]"));
    const plan p = make_plan(
        s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\nhidden_roots = [\"A\"]\nself_owned_roots = [\"A\", \"B\"]\n"),
        d("2026-03-02"));
    const auto l = lines(s, p);
    CHECK(has(l, "set_unit_class A hide 2026-03-02.."));
    CHECK(has(l, "set_unit_class A1 hide 2026-03-02.."));
    CHECK(has(l, "set_unit_class B selvejet 2026-03-02.."));
    CHECK(has(l, "set_unit_class B1 selvejet 2026-03-02.."));
    CHECK(has(l, "set_unit_class TOP linjeorg 2026-03-02.."));
  }

  TEST_CASE("a hidden engagement type does not count (H6.3)") {
    snapshot s = snap_of(doc(tree + R"(, "engagements": [)" + rec("E1", "P1", "A1", "2020-01-01", "", R"(, "type": "Elev")") + "]"));
    const plan p = make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\nhidden_engagement_types = [\"Elev\"]\n"),
                             d("2026-03-02"));
    CHECK(has(lines(s, p), "set_unit_class A1 NA 2026-03-02.."));
  }

  TEST_CASE("an association counts unless count_associations is off (H6.3)") {
    snapshot s = snap_of(doc(tree + R"(, "associations": [)" + rec("S1", "P1", "A1", "2020-01-01") + "]"));
    CHECK(has(lines(s, make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"))),
              "set_unit_class A1 linjeorg 2026-03-02.."));
    CHECK(has(lines(s, make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\ncount_associations = false\n"),
                                 d("2026-03-02"))),
              "set_unit_class A1 NA 2026-03-02.."));
  }

  TEST_CASE("an empty top_level and unknown configured units are reported") {
    snapshot s = snap_of(doc(tree));
    const plan p = make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\nhidden_roots = [\"NOPE\"]\n"), d("2026-03-02"));
    CHECK(has(diags(p), "NO_TOP_LEVEL ORG"));
    CHECK(has(diags(p), "UNKNOWN_UNIT NOPE"));
  }

  TEST_CASE("an already correct class gives no change, whichever key names it") {
    const std::string classes = R"("classes": [{"uuid": "c-lm", "user_key": "linjeorg", "name": "Linje", "facet": "org_unit_hierarchy"},
      {"uuid": "c-na", "user_key": "NA", "name": "Udenfor", "facet": "org_unit_hierarchy"}], )";
    snapshot s = snap_of(doc(classes + R"("units": [)" + unit("TOP", "ORG", "NY6-niveau", "", "\"c-lm\"") + "," +
                             unit("X", "TOP", "NY1-niveau", "", "{\"name\": \"Udenfor\"}") + "]"));
    const plan p = make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"));
    CHECK(p.changes.empty());
  }

  TEST_CASE("an unresolved class value is reported and never written (H9)") {
    const std::string classes = R"("classes": [{"uuid": "c-lm", "user_key": "linjeorg", "facet": "org_unit_hierarchy"}], )";
    snapshot s = snap_of(doc(classes + R"("units": [)" + unit("TOP", "ORG", "NY6-niveau") + "," + unit("X", "TOP", "NY1-niveau") + "]"));
    const plan p = make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"));
    CHECK(has(diags(p), "CLASS_UNRESOLVED NA"));
    CHECK(lines(s, p) == std::vector<std::string>{"set_unit_class TOP linjeorg 2026-03-02.."});
  }

  TEST_CASE("a parent cycle is diagnosed and its units get no class (G3)") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("TOP", "ORG", "NY6-niveau") + "," + unit("C1", "C2") + "," + unit("C2", "C1") + "," +
                             unit("C3", "C2") + "]"));
    const plan p = make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"));
    CHECK(has(diags(p), "CYCLE C1"));
    CHECK(has(diags(p), "CYCLE C2"));
    CHECK(has(diags(p), "CYCLE C3"));
    CHECK(lines(s, p) == std::vector<std::string>{"set_unit_class TOP linjeorg 2026-03-02.."});
  }

  TEST_CASE("a long chain is walked without recursion") {
    std::string units = unit("TOP", "ORG", "NY6-niveau");
    for (int i = 0; i < 100000; ++i)
      units += "," + unit("U" + std::to_string(i), i == 0 ? "TOP" : "U" + std::to_string(i - 1), "Afdelings-niveau");
    snapshot s = snap_of(doc(R"("units": [)" + units + R"(], "engagements": [)" + rec("E", "P", "U99999", "2020-01-01") + "]"));
    const plan p = make_plan(s, cfg_of(hierarchy_only + "[hierarchy]\ntop_level = [\"TOP\"]\n"), d("2026-03-02"));
    CHECK(p.changes.size() == 100001);  // the deepest unit passes and propagates all the way up
  }
}
