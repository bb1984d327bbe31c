#include "support.hpp"

#include <linemgr/core/notices.hpp>

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

namespace {

// A notice about a manager of unit C (under B, under A).
notice manager_notice(const std::string& type, bool success) {
  notice n;
  n.type = type;
  n.success = success;
  n.subject = {"manager", "M1"};
  n.related = {{"unit", "C"}, {"person", "P1"}};
  n.unit_path = {"C", "B", "A"};
  return n;
}

}  // namespace

TEST_SUITE("core::notices") {
  TEST_CASE("filter truth table: types exact and by prefix, outcome, targets, subtree; fields AND, entries OR") {
    const notice created = manager_notice("manager.created", true);
    const notice failed = manager_notice("manager.ended", false);
    notice unit_changed;
    unit_changed.type = "unit.class_changed";
    unit_changed.subject = {"unit", "X"};
    unit_changed.unit_path = {"X"};

    struct row {
      notice_filter f;
      bool created, failed, unit;
    };
    notice_filter prefix;
    prefix.types = {"manager.*"};
    notice_filter exact;
    exact.types = {"manager.ended", "unit.class_changed"};
    notice_filter star;
    star.types = {"*"};
    notice_filter ok_only;
    ok_only.outcome = outcome_filter::success_only;
    notice_filter errors_only;
    errors_only.outcome = outcome_filter::error_only;
    notice_filter persons;
    persons.target_types = {"person"};
    notice_filter by_id;
    by_id.target_ids = {"P1", "nobody"};
    notice_filter under_b;
    under_b.subtrees = {"B"};
    notice_filter under_x_or_a;
    under_x_or_a.subtrees = {"nowhere", "A", "X"};
    notice_filter prefix_and_error;
    prefix_and_error.types = {"manager.*"};
    prefix_and_error.outcome = outcome_filter::error_only;
    notice_filter unit_prefix_and_b;  // AND across fields: unit.* but under B → nothing
    unit_prefix_and_b.types = {"unit.*"};
    unit_prefix_and_b.subtrees = {"B"};
    const std::vector<row> table = {
        {{}, true, true, true},
        {prefix, true, true, false},
        {exact, false, true, true},
        {star, true, true, true},
        {ok_only, true, false, true},
        {errors_only, false, true, false},
        {persons, true, true, false},
        {by_id, true, true, false},
        {under_b, true, true, false},
        {under_x_or_a, true, true, true},
        {prefix_and_error, false, true, false},
        {unit_prefix_and_b, false, false, false},
    };
    for (std::size_t i = 0; i < table.size(); ++i) {
      CAPTURE(i);
      CHECK(matches(table[i].f, created) == table[i].created);
      CHECK(matches(table[i].f, failed) == table[i].failed);
      CHECK(matches(table[i].f, unit_changed) == table[i].unit);
    }
  }

  TEST_CASE("a prefix matches whole segments only, and dry-run notices only when asked for") {
    notice_filter f;
    f.types = {"manager.*"};
    notice n = manager_notice("managers.created", true);
    CHECK_FALSE(matches(f, n));
    CHECK(valid_type_pattern("manager.*"));
    CHECK(valid_type_pattern("reconcile.failed"));
    CHECK_FALSE(valid_type_pattern("manager"));
    CHECK_FALSE(valid_type_pattern("manger.*"));
    n = manager_notice("manager.created", true);
    n.dry_run = true;
    CHECK_FALSE(matches(f, n));
    f.include_dry_run = true;
    CHECK(matches(f, n));
  }

  TEST_CASE("a run's notices: one per change with before/after, failures from the report, then the run") {
    const snapshot s = snap_of(doc(R"("units": [)" + unit("A", "ORG", "NY1-niveau", "Top") + "," +
                                   unit("B", "A", "NY3-niveau", "Skole", R"("NA")") + R"(], "persons": [{"id": "P", "name": "Ann"}],
                                   "managers": [)" + rec("M", "P", "B", "2000-01-01", "", R"(, "level": "L1")") + "]"));
    plan p;
    p.today = d("2026-03-02");
    change c;
    c.kind = op::set_unit_class;
    c.unit = 1;
    c.klass = "linjeorg";
    c.was = "NA";
    c.was_null = false;
    c.span = {d("2026-03-02"), open_end};
    c.reason = "level NY3";
    p.changes.push_back(c);
    c = {};
    c.kind = op::end_manager;
    c.manager = 0;
    c.span = {d("2026-03-02"), open_end};
    p.changes.push_back(c);
    apply_report report;
    report.ok = 1;
    report.failed.push_back({1, "OS2mo said no"});
    run_summary run{"reconcile-all", std::nullopt, p.today, 2, 1, 1, 0, std::nullopt};
    const notice_context ctx{"run-1", "2026-03-02T10:00:00Z", false};
    const auto ns = notices_for_run(s, p, &report, run, ctx);
    REQUIRE(ns.size() == 3);
    CHECK(ns[0].type == "unit.class_changed");
    CHECK(ns[0].subject.id == "B");
    CHECK(ns[0].unit_name == "Skole");
    CHECK(ns[0].unit_path == std::vector<std::string>{"B", "A"});
    CHECK(ns[0].before[0].value == std::optional<std::string>("NA"));
    CHECK(ns[0].after[0].value == std::optional<std::string>("linjeorg"));
    CHECK(ns[0].success);
    CHECK(ns[1].type == "manager.ended");
    CHECK_FALSE(ns[1].success);
    CHECK(ns[1].error == std::optional<std::string>("OS2mo said no"));
    CHECK(ns[1].person_name == "Ann");
    CHECK(ns[2].type == "reconcile.failed");
    CHECK(ns[2].subject.kind == "run");

    SUBCASE("ids are stable across runs for applied changes, and differ by outcome and for dry runs") {
      const auto again = notices_for_run(s, p, &report, run, {"run-2", "2026-03-03T10:00:00Z", false});
      CHECK(again[0].id == ns[0].id);
      CHECK(again[1].id == ns[1].id);
      CHECK(again[2].id != ns[2].id);  // a new run
      apply_report all_ok;
      all_ok.ok = 2;
      const auto ok = notices_for_run(s, p, &all_ok, run, ctx);
      CHECK(ok[1].id != ns[1].id);
      CHECK(ok[0].id == ns[0].id);
      const auto dry = notices_for_run(s, p, nullptr, run, {"run-3", "t", true});
      CHECK(dry[0].id != ns[0].id);
      CHECK(dry[0].dry_run);
      CHECK(dry[1].success);
    }
  }
}
