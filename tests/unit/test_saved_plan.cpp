// core::saved_plan and io::plan_file: fingerprints of the records a change reads and writes, a
// saved plan resolved in the organisation as it is later (unchanged: applied; changed: stale), and
// plan files read back exactly or refused with the place named.
#include <algorithm>
#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "support.hpp"

#include <linemgr/core/saved_plan.hpp>
#include <linemgr/io/plan_file.hpp>
#include <linemgr/io/plan_output.hpp>

using namespace linemgr::test;

namespace {

const std::string rules = R"(modules = ["hierarchy", "managers"]
[hierarchy]
top_level = ["ROOT"]
[managers.level_mapping]
N1 = "Niveau 1"
N2 = "Niveau 2"
)";

// ROOT > DB > DBL (DB's _leder unit, P2 designated); ROOT > DC, unclassified; a vacant manager in DC.
std::string org(const std::string& dc_class = "null", bool with_dc = true, const std::string& other_db_manager = "") {
  const std::string leder = R"(, "type": "Leder", "level": "Niveau 2")";
  return doc(R"("units": [)" + unit("ROOT", "ORG", "N1") + "," + unit("DB", "ROOT", "N2") + "," + unit("DBL", "DB", "N2", "Skoler_leder") +
             (with_dc ? "," + unit("DC", "ROOT", "N2", "", dc_class) : "") + R"(], "engagements": [)" + rec("E1", "P2", "DB", "2020-01-01") +
             R"(], "associations": [)" + rec("S2", "P2", "DBL", "2020-01-01") + R"(], "managers": [)" +
             rec("MV", "", "ROOT", "2020-01-01", "", leder) +
             (other_db_manager.empty() ? "" : "," + rec(other_db_manager, "P9", "DB", "2026-03-01", "", leder)) + "]");
}

saved_plan saved_of(const snapshot& s, const plan& p) {
  saved_plan out = saved_from(s, p);
  const auto prints = change_fingerprints(s, p);
  for (std::size_t i = 0; i < prints.size(); ++i) out.changes[i].fingerprint = prints[i];
  return out;
}

std::size_t index_of(const snapshot& s, const plan& p, const std::string& line) {
  const auto l = lines(s, p);
  for (std::size_t i = 0; i < l.size(); ++i)
    if (l[i] == line) return i;
  FAIL("no change " << line);
  return 0;
}

std::string temp_file(const std::string& text) {
  char name[] = "/tmp/linemgr-plan-XXXXXX";
  const int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  return name;
}

}  // namespace

TEST_SUITE("core::saved_plan") {
  TEST_CASE("in the organisation it was made from, every change resolves to itself") {
    const snapshot s = snap_of(org());
    const plan p = make_plan(s, cfg_of(rules), d("2026-03-02"));
    REQUIRE(p.changes.size() >= 4);
    const resolved_plan r = resolve_saved_plan(s, saved_of(s, p), "test.json");
    CHECK(r.stale.empty());
    CHECK(lines(s, r.fresh) == lines(s, p));
    CHECK(plan_to_json(s, r.fresh, nullptr) == plan_to_json(s, p, nullptr));
  }

  TEST_CASE("a change whose records changed, or are gone, is stale; the others stay") {
    const snapshot before = snap_of(org());
    const plan p = make_plan(before, cfg_of(rules), d("2026-03-02"));
    const saved_plan saved = saved_of(before, p);
    const std::size_t dc = index_of(before, p, "set_unit_class DC NA 2026-03-02..");
    const std::size_t create = index_of(before, p, "create_manager DB P2 Niveau 2 2026-03-02..");

    // Someone classed DC by hand: its set_unit_class is stale.
    const snapshot classed = snap_of(org(R"("selvejet")"));
    resolved_plan r = resolve_saved_plan(classed, saved, "OS2mo");
    REQUIRE(r.stale.size() == 1);
    CHECK(r.stale[0].change == dc);
    CHECK(r.stale[0].error == "its records changed in OS2mo after the plan was made; not applied");
    CHECK(r.fresh.changes.size() == p.changes.size() - 1);
    CHECK(std::find(r.origin.begin(), r.origin.end(), dc) == r.origin.end());

    // DC was deleted: its change is stale, named.
    r = resolve_saved_plan(snap_of(org("null", false)), saved, "s.json");
    REQUIRE(r.stale.size() == 1);
    CHECK(r.stale[0].change == dc);
    CHECK(r.stale[0].error == "unit DC is no longer in s.json");

    // Someone else made a manager of DB meanwhile: the create would make a second one.
    r = resolve_saved_plan(snap_of(org("null", true, "MX")), saved, "s.json");
    REQUIRE(r.stale.size() == 1);
    CHECK(r.stale[0].change == create);

    // The report of the fresh part, in the saved plan's numbers, with the stale ones.
    apply_report fresh;
    fresh.ok = r.fresh.changes.size() - 1;
    fresh.failed.push_back({0, "refused"});
    const apply_report all = report_in_saved_order(r, fresh);
    CHECK(all.ok == fresh.ok);
    CHECK(all.failed[0].change == r.origin[0]);
    REQUIRE(all.stale.size() == 1);
    CHECK(all.stale[0].change == create);
  }

  TEST_CASE("fingerprints read classes whether written as strings or as objects") {
    const snapshot a = snap_of(org(R"({"uuid": "c1", "user_key": "linjeorg"})"));
    const snapshot b = snap_of(org(R"({"uuid": "c2", "user_key": "linjeorg"})"));
    const index_t dc_a = a.units.ids.find("DC"), dc_b = b.units.ids.find("DC");
    CHECK(record_text(a, record_kind::unit, dc_a) != record_text(b, record_kind::unit, dc_b));
    CHECK(digest_of("x") == digest_of("x"));
    CHECK(digest_of("x").size() == std::string("fnv1a64:").size() + 16);
  }
}

TEST_SUITE("io::plan_file") {
  TEST_CASE("a saved plan reads back exactly") {
    const snapshot s = snap_of(org());
    const plan p = make_plan(s, cfg_of(rules), d("2026-03-02"));
    saved_plan saved = saved_of(s, p);
    saved.source = "/srv/org.json";
    saved.config_digest = "fnv1a64:0123456789abcdef";
    saved.made_at = "2026-12-02T10:00:00Z";
    saved.unit = "DB";
    const std::string text = plan_to_json(saved, nullptr, true);
    const std::string path = temp_file(text);
    auto back = read_plan_file(path);
    std::remove(path.c_str());
    REQUIRE(back);
    CHECK(back->source == saved.source);
    CHECK(back->config_digest == saved.config_digest);
    CHECK(back->unit == saved.unit);
    CHECK(back->today == saved.today);
    CHECK(plan_to_json(*back, nullptr, true) == text);
    const resolved_plan r = resolve_saved_plan(s, *back, "s");
    CHECK(r.stale.empty());
    CHECK(lines(s, r.fresh) == lines(s, p));
  }

  TEST_CASE("a file that is not a saved plan is refused, naming the place and the fix") {
    const snapshot s = snap_of(org());
    const plan p = make_plan(s, cfg_of(rules), d("2026-03-02"));
    auto error_of = [](const std::string& text) {
      const std::string path = temp_file(text);
      auto r = read_plan_file(path);
      std::remove(path.c_str());
      REQUIRE_FALSE(r);
      CHECK(r.err().kind == error_kind::data);
      return r.err().message.substr(path.size());
    };
    CHECK(error_of(plan_to_json(s, p, nullptr)) ==
          ": basis is missing: this is a printed plan, not a saved one; save a plan to apply with `linemgr reconcile-all --out FILE`");
    std::string text = plan_to_json(saved_of(s, p), nullptr, true);
    text.replace(text.find("\"set_unit_class\""), 16, "\"paint_unit\"");
    CHECK(error_of(text).find("changes[") != std::string::npos);
    CHECK(error_of(text).find("].op \"paint_unit\" is not an op of linemgr-plan/1") != std::string::npos);
    CHECK(error_of("{\"format\": \"linemgr-plan/1\",\n  \"today\": ]") == ":2:12: not a JSON document: Invalid value.");
    CHECK(error_of("{\"format\": \"linemgr-snapshot/1\"}") == ": format is \"linemgr-snapshot/1\", not \"linemgr-plan/1\"");
    auto dir = read_plan_file("/tmp");
    REQUIRE_FALSE(dir);
    CHECK(dir.err().kind == error_kind::io);
    CHECK(dir.err().message == "/tmp: is a directory; give the plan file itself");
  }
}
