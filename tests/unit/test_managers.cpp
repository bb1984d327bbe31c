#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

namespace {

const std::string cfg_text = R"(modules = ["managers"]
[managers]
responsibilities = ["MUS"]
[managers.level_mapping]
N1 = "Niveau 1"
N2 = "Niveau 2"
)";

// ROOT > DB (Skoler) > DBL (Skoler_leder); ROOT > DA (led-adm) > DAL.
std::string org(const std::string& rest) {
  return doc(R"("units": [)" + unit("ROOT", "ORG", "N1", "Kommune") + "," + unit("DB", "ROOT", "N2", "Skoler") + "," +
             unit("DBL", "DB", "N2", "  skoler_LEDER ") + "," + unit("DA", "ROOT", "N2", "By led-adm") + "," +
             unit("DAL", "DA", "N2", "By_leder") + "]" + rest);
}

const std::string leder = R"(, "type": "Leder", "level": "Niveau 2")";

}  // namespace

TEST_SUITE("core::managers") {
  TEST_CASE("the latest engagement start in the managed unit wins (S4, S5, S6)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2010-01-01") + "," + rec("E2", "P2", "DB", "2020-01-01") + "]" +
                             R"(, "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + "," + rec("S2", "P2", "DBL", "2020-01-01") + "]"));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(lines(s, p) == std::vector<std::string>{"create_manager DB P2 Niveau 2 2026-03-02..", "end_association S1 2026-03-02.."});
    REQUIRE(!p.changes.empty());
    CHECK(p.changes[0].responsibilities == std::vector<std::string>{"MUS"});
    CHECK(p.changes[0].type == "Leder");
  }

  TEST_CASE("an edit that splits the engagement does not make its person the newest (S4 runs)") {
    const std::string split = R"({"id": "E1", "person": "P1", "segments": [{"unit": "DB", "from": "2010-01-01", "to": "2024-01-01"},
                                  {"unit": "DB", "from": "2024-01-01", "to": null}]})";
    snapshot s = snap_of(org(R"(, "engagements": [)" + split + "," + rec("E2", "P2", "DB", "2020-01-01") + "]" + R"(, "associations": [)" +
                             rec("S1", "P1", "DBL", "2020-01-01") + "," + rec("S2", "P2", "DBL", "2020-01-01") + "]"));
    CHECK(has(lines(s, make_plan(s, cfg_of(cfg_text), d("2026-03-02"))), "create_manager DB P2 Niveau 2 2026-03-02.."));
  }

  TEST_CASE("a tie skips the leder unit and protects its managed unit (S5, S8)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + "," + rec("E2", "P2", "DB", "2020-01-01") + "]" +
                             R"(, "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + "," + rec("S2", "P2", "DBL", "2020-01-01") + "]" +
                             R"(, "managers": [)" + rec("M", "P9", "DB", "2015-01-01", "", leder) + "]"));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(p.changes.empty());
    CHECK(has(diags(p), "TIE DBL"));
    config c = cfg_of(cfg_text);
    c.managers.ties = tie_policy::lowest_person_id;
    const auto l = lines(s, make_plan(s, c, d("2026-03-02")));
    CHECK(has(l, "create_manager DB P1 Niveau 2 2026-03-02.."));
    CHECK(has(l, "end_manager M 2026-03-02.."));
    CHECK(has(l, "end_association S2 2026-03-02.."));
  }

  TEST_CASE("led-adm: the winner manages the led-adm unit and its parent with the parent's level (S7, S9)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DA", "2020-01-01") + "]" + R"(, "associations": [)" +
                             rec("S1", "P1", "DAL", "2020-01-01") + "]"));
    const auto l = lines(s, make_plan(s, cfg_of(cfg_text), d("2026-03-02")));
    CHECK(l == std::vector<std::string>{"create_manager DA P1 Niveau 1 2026-03-02..", "create_manager ROOT P1 Niveau 1 2026-03-02.."});
  }

  TEST_CASE("a vacant or other manager in the managed unit ends, a wrong level is corrected (S8, S10)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + "]" + R"(, "associations": [)" +
                             rec("S1", "P1", "DBL", "2020-01-01") + "]" + R"(, "managers": [)" +
                             rec("MV", "", "DB", "2015-01-01", "", leder) + "," +
                             rec("MP", "P1", "DB", "2021-01-01", "2030-01-01", R"(, "type": "Leder", "level": "Niveau 9")") + "," +
                             rec("MD", "P1", "DB", "2022-01-01", "", leder) + "," +
                             rec("DEP", "P7", "DB", "2015-01-01", "", R"(, "type": "Stedfortræder")") + "]"));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    const auto l = lines(s, p);
    CHECK(has(l, "end_manager MV 2026-03-02.."));
    CHECK(has(l, "update_manager MP Niveau 2 2026-03-02..2030-01-01"));
    CHECK(has(l, "end_manager MD 2026-03-02.."));  // duplicate of MP, which started first
    CHECK(has(diags(p), "DUPLICATE_MANAGER MD"));
    CHECK(l.size() == 3);  // the deputy is another type and survives
  }

  TEST_CASE("a missing level mapping skips only that leder unit (S9)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + "," + rec("E2", "P2", "DA", "2020-01-01") + "]" +
                             R"(, "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + "," + rec("S2", "P2", "DAL", "2020-01-01") + "]"));
    config c = cfg_of(cfg_text);
    c.managers.level_mapping = {{"N2", "Niveau 2"}};  // N1 (ROOT, the level of DA's parent) is missing
    const plan p = make_plan(s, c, d("2026-03-02"));
    CHECK(lines(s, p) == std::vector<std::string>{"create_manager DB P1 Niveau 2 2026-03-02.."});
    CHECK(has(diags(p), "MISSING_LEVEL_MAPPING ROOT"));
  }

  TEST_CASE("undecided: a future engagement keeps its designation, the manager stays (S6, S8)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2026-06-01") + "," + rec("E2", "P2", "ROOT", "2020-01-01") + "]" +
                             R"(, "associations": [)" + rec("S1", "P1", "DBL", "2020-01-01") + "," + rec("S2", "P2", "DBL", "2020-01-01") + "]" +
                             R"(, "managers": [)" + rec("M", "P9", "DB", "2015-01-01", "", leder) + "]"));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(lines(s, p) == std::vector<std::string>{"end_association S2 2026-03-02.."});
    CHECK(has(diags(p), "PENDING_FUTURE_ENGAGEMENT S1"));
  }

  TEST_CASE("Ø_ leder units and root leder units are left alone (S1, S2)") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("ROOT", "ORG", "N1") + "," + unit("X", "ROOT", "N2") + "," +
                             unit("XL", "X", "N2", "ø_X_leder") + "," + unit("RL", "ORG", "N2", "Rod_leder") + R"(], "associations": [)" +
                             rec("S1", "P1", "XL", "2020-01-01") + "," + rec("S2", "P1", "RL", "2020-01-01") + "]"));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(p.changes.empty());
    CHECK(has(diags(p), "LEDER_WITHOUT_PARENT RL"));
  }

  TEST_CASE("an unresolved manager type stops the module (CLASS_UNRESOLVED)") {
    snapshot s = snap_of(R"({"classes": [{"uuid": "t1", "user_key": "Chef", "facet": "manager_type"}], )" +
                         org("").substr(1));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(has(diags(p), "CLASS_UNRESOLVED Leder"));
  }
}

TEST_SUITE("core::managers") {
  TEST_CASE("a future manager role for the winner prevents a duplicate create (MS2-B11)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + R"(], "associations": [)" +
                             rec("S1", "P1", "DBL", "2020-01-01") + R"(], "managers": [)" +
                             rec("MF", "P1", "DB", "2026-04-01", "", leder) + "," + rec("MO", "P9", "DB", "2015-01-01", "", leder) + "]"));
    CHECK(lines(s, make_plan(s, cfg_of(cfg_text), d("2026-03-02"))) == std::vector<std::string>{"end_manager MO 2026-03-02.."});
  }

  TEST_CASE("a led-adm unit at the root gets the manager alone (S7)") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("DA", "ORG", "N2", "By led-adm") + "," + unit("DAL", "DA", "N2", "By_leder") +
                             R"(], "engagements": [)" + rec("E1", "P1", "DA", "2020-01-01") + R"(], "associations": [)" +
                             rec("S1", "P1", "DAL", "2020-01-01") + "]"));
    const plan p = make_plan(s, cfg_of(cfg_text), d("2026-03-02"));
    CHECK(lines(s, p) == std::vector<std::string>{"create_manager DA P1 Niveau 2 2026-03-02.."});
    CHECK(has(diags(p), "LED_ADM_AT_ROOT DA"));
  }

  TEST_CASE("termination_scope = all_managers ends manual managers elsewhere, protected units excepted (S8)") {
    snapshot s = snap_of(org(R"(, "engagements": [)" + rec("E1", "P1", "DB", "2020-01-01") + R"(], "associations": [)" +
                             rec("S1", "P1", "DBL", "2020-01-01") + R"(], "managers": [)" + rec("MR", "P8", "ROOT", "2015-01-01", "", leder) +
                             "]"));
    config c = cfg_of(cfg_text);
    CHECK(lines(s, make_plan(s, c, d("2026-03-02"))) == std::vector<std::string>{"create_manager DB P1 Niveau 2 2026-03-02.."});
    c.managers.termination = termination_scope::all_managers;
    CHECK(lines(s, make_plan(s, c, d("2026-03-02"))) ==
          std::vector<std::string>{"create_manager DB P1 Niveau 2 2026-03-02..", "end_manager MR 2026-03-02.."});
  }
}
