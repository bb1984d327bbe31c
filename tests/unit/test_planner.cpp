#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

namespace {
const std::string cfg_text = R"(modules = ["managers", "validity", "hierarchy"]
[hierarchy]
top_level = ["ROOT"]
[managers.level_mapping]
N1 = "Niveau 1"
N2 = "Niveau 2"
)";
std::string org(const std::string& rest) {
  return doc(R"("units": [)" + unit("ROOT", "ORG", "N1") + "," + unit("DB", "ROOT", "N2") + "," + unit("DBL", "DB", "N2", "DB_leder") + "]" + rest);
}
}  // namespace

TEST_SUITE("core::planner") {
  TEST_CASE("S's end from today and V's end from the engagement's end merge into one (G5)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + "," + rec("E9", "P9", "DB", "2010-01-01", "2025-06-01") +
                             R"(], "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + R"(], "managers": [)" +
                             rec("M9", "P9", "DB", "2012-01-01", "", R"(, "type": "Leder", "level": "Niveau 2")") + "]"));
    const auto l = lines(s, make_plan(s, cfg_of(cfg_text), d("2026-03-02")));
    CHECK(has(l, "end_manager M9 2025-06-01.."));
    CHECK_FALSE(has(l, "end_manager M9 2026-03-02.."));
  }

  TEST_CASE("a manager created now whose engagement ends later gets that end (G5)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01", "2026-09-01") + R"(], "associations": [)" +
                             rec("S1", "P1", "DBL", "2020-01-01") + "]"));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(has(lines(s, p), "create_manager DB P1 Niveau 2 2026-03-02..2026-09-01"));
    for (const change& c : p.changes) CHECK(c.kind != op::end_manager);  // no change names a created manager
  }

  TEST_CASE("changes follow op, subject, from, diagnostics code, subject, output is stable (G6)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + R"(], "associations": [)" +
                             rec("S2", "", "DBL", "2020-01-01") + "," + rec("S1", "P1", "DBL", "2020-01-01") + "]"));
    const plan a = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    const plan b = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(lines(s, a) == lines(s, b));
    for (std::size_t i = 1; i < a.changes.size(); ++i) CHECK(a.changes[i - 1].kind <= a.changes[i].kind);
    CHECK(lines(s, a).front() == "create_manager DB P1 Niveau 2 2026-03-02..");
    CHECK(has(lines(s, a), "end_association S2 2026-03-02.."));
  }

  TEST_CASE("the planner never changes its input and applying the plan reaches a fixpoint (G7)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01", "2026-09-01") + R"(], "associations": [)" +
                             rec("S1", "P1", "DBL", "2020-01-01") + "," + rec("S2", "", "DBL", "2020-01-01") + "]"));
    const config c = cfg_of(cfg_text);
    const plan p = make_plan(s, c, d("2026-03-02"));
    CHECK(make_plan(s, c, d("2026-03-02")).changes.size() == p.changes.size());
    apply_plan(s, p);
    CHECK(make_plan(s, c, d("2026-03-02")).changes.empty());
  }
}

TEST_SUITE("core::planner") {
  TEST_CASE("vacate periods lose the parts another module ends (G5)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + "," + rec("E9", "P9", "DB", "2010-01-01", "2025-06-01") +
                             R"(], "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + R"(], "managers": [)" +
                             rec("M9", "P9", "DB", "2012-01-01", "", R"(, "type": "Leder", "level": "Niveau 2")") + "]"));
    config c = cfg_of(cfg_text);
    c.validity.action = validity_action::vacate;
    const auto l = lines(s, make_plan(s, c, d("2026-03-02")));
    CHECK(has(l, "end_manager M9 2026-03-02.."));
    CHECK(has(l, "vacate_manager M9 2025-06-01..2026-03-02"));
  }
}
