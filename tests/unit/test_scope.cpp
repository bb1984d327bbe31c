#include "support.hpp"

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
}
