#include "support.hpp"

#include <linemgr/core/scope.hpp>

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

TEST_SUITE("core::scope") {
  TEST_CASE("reconcile-unit keeps the changes of the unit, its ancestors and descendants (G9)") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("TOP", "ORG", "NY6-niveau") + "," + unit("A", "TOP") + "," + unit("A1", "A") + "," +
                             unit("B", "TOP") + "," + unit("B1", "B") + R"(], "engagements": [)" + rec("E1", "P", "A1", "2020-01-01") + "," +
                             rec("E2", "Q", "B1", "2020-01-01") + "]"));
    const config c = cfg_of("modules = [\"hierarchy\"]\n[hierarchy]\ntop_level = [\"TOP\"]\n");
    const plan full = make_plan(s, c, d("2026-03-02"));
    const plan a = scope_plan(s, c, full, "A");
    CHECK(lines(s, a) == std::vector<std::string>{"set_unit_class A linjeorg 2026-03-02..", "set_unit_class A1 linjeorg 2026-03-02..",
                                                  "set_unit_class TOP linjeorg 2026-03-02.."});
    const plan unknown = scope_plan(s, c, full, "NOPE");
    CHECK(unknown.changes.empty());
    CHECK(diags(unknown) == std::vector<std::string>{"UNKNOWN_UNIT NOPE"});
  }

  TEST_CASE("a designation's end belongs to the managed unit, a manager's end to its unit (G9 subjects)") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("R", "ORG", "N1") + "," + unit("DB", "R", "N2") + "," + unit("DBL", "DB", "N2", "DB_leder") +
                             "," + unit("X", "R", "N2") + R"(], "engagements": [)" + rec("E1", "P1", "DB", "2010-01-01") + "," +
                             rec("E2", "P2", "DB", "2020-01-01") + R"(], "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + "," +
                             rec("S2", "P2", "DBL", "2020-01-01") + R"(], "managers": [)" +
                             rec("MX", "P7", "X", "2010-01-01", "", R"(, "type": "Leder")") + "]"));
    const config c = cfg_of("modules = [\"managers\", \"validity\"]\n[managers.level_mapping]\nN2 = \"Niveau 2\"\n");
    const plan full = make_plan(s, c, d("2026-03-02"));
    CHECK(lines(s, scope_plan(s, c, full, "DB")) ==
          std::vector<std::string>{"create_manager DB P2 Niveau 2 2026-03-02..", "end_association S1 2026-03-02.."});
    CHECK(lines(s, scope_plan(s, c, full, "X")) == std::vector<std::string>{"end_manager MX 2010-01-01.."});
  }

  TEST_CASE("a scope's part: paths and subtrees complete, their neighbours frozen, the persons' other records") {
    // R - A - A1 - A11, R - B - B1 - B11 - B111; P works in A1 and in B11, Q manages B111.
    snapshot s = snap_of(doc(R"("units": [)" + unit("R", "ORG") + "," + unit("A", "R") + "," + unit("A1", "A") + "," + unit("A11", "A1") +
                             "," + unit("B", "R") + "," + unit("B1", "B") + "," + unit("B11", "B1") + "," + unit("B111", "B11") +
                             R"(], "engagements": [)" + rec("E1", "P", "A1", "2020-01-01") + "," + rec("E2", "P", "B11", "2020-01-01") +
                             "," + rec("E3", "Q", "B111", "2020-01-01") + R"(], "managers": [)" +
                             rec("M1", "Q", "B111", "2020-01-01", "", R"(, "type": "Leder")") + "]"));
    const snapshot part = scope_snapshot(s, {s.units.ids.find("A1")}, d("2026-03-02"));
    CHECK(part.partial);
    auto state = [&](const char* id) -> std::string {
      const index_t u = part.units.ids.find(id);
      return u == no_index ? "absent" : part.is_frozen(u) ? "frozen" : "complete";
    };
    CHECK(state("R") == "complete");    // path
    CHECK(state("A") == "complete");
    CHECK(state("A1") == "complete");   // the root of the scope
    CHECK(state("A11") == "complete");  // subtree
    CHECK(state("B") == "frozen");      // a child of the path
    CHECK(state("B1") == "frozen");     // a grandchild of the path
    CHECK(state("B11") == "frozen");    // named by P's other engagement
    CHECK(state("B111") == "absent");
    CHECK(part.engagements.ids.find("E1") != no_index);
    CHECK(part.engagements.ids.find("E2") != no_index);  // the person's engagement elsewhere
    CHECK(part.engagements.ids.find("E3") == no_index);
    CHECK(part.managers.size() == 0);
    // Parents point into the part; a plan made from it translates back to the whole snapshot by id.
    const unit_segment* a1 = part.units.last(part.units.ids.find("A1"));
    CHECK(part.units.records[a1->parent].id == "A");
    const config c = cfg_of("modules = [\"hierarchy\"]\n[hierarchy]\ntop_level = [\"R\"]\n");
    const plan scoped = plan_scope(s, c, d("2026-03-02"), {s.units.ids.find("A1")});
    CHECK(lines(s, scoped) == lines(s, scope_plan(s, c, make_plan(s, c, d("2026-03-02")), "A1")));
    CHECK_FALSE(scoped.changes.empty());
  }
}
