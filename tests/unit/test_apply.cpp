#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;

TEST_SUITE("core::apply") {
  TEST_CASE("each op changes the snapshot as doc/rules.md §6 says") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("U", "ORG") + "," + unit("W", "ORG") + R"(], "engagements": [)" +
                             R"({"id": "E", "person": "P", "segments": [{"unit": "U", "from": "2000-01-01", "to": "2027-01-01"},
                                 {"unit": "U", "from": "2027-01-01", "to": null}]}], "associations": [)" +
                             rec("S", "P", "U", "2000-01-01") + R"(], "managers": [)" + rec("M", "P", "U", "2000-01-01", "", R"(, "level": "L1")") + "]"));
    plan p;
    change c;
    c.kind = op::move_engagement;
    c.engagement = 0;
    c.unit = 1;
    c.span = {d("2026-03-02"), open_end};
    p.changes.push_back(c);
    c = {};
    c.kind = op::vacate_manager;
    c.manager = 0;
    c.span = {d("2020-01-01"), d("2021-01-01")};
    p.changes.push_back(c);
    c = {};
    c.kind = op::update_manager;
    c.manager = 0;
    c.level = "L2";
    c.span = {d("2026-03-02"), open_end};
    p.changes.push_back(c);
    c = {};
    c.kind = op::end_association;
    c.association = 0;
    c.span = {d("2026-03-02"), open_end};
    p.changes.push_back(c);
    c = {};
    c.kind = op::set_unit_class;
    c.unit = 0;
    c.klass = "linjeorg";
    c.span = {d("2026-03-02"), open_end};
    p.changes.push_back(c);
    const apply_report r = apply_plan(s, p);
    CHECK(r.ok == 5);

    // The engagement moves from 2026-03-02 to its segment's end; the later segment is kept.
    const auto e = s.engagements.segments_of(0);
    REQUIRE(e.size() == 3);
    CHECK(e[0].unit == 0);
    CHECK(e[0].valid.to == d("2026-03-02"));
    CHECK(e[1].unit == 1);
    CHECK(e[1].valid.to == d("2027-01-01"));
    CHECK(e[2].unit == 0);
    // The manager is vacant in 2020 and has the new level from today.
    const auto m = s.managers.segments_of(0);
    REQUIRE(m.size() == 4);
    CHECK(m[1].person == no_index);
    CHECK(s.class_refs[m[3].level].text == "L2");
    CHECK(s.class_refs[m[2].level].text == "L1");
    // The association's last day is yesterday; the class holds from today.
    CHECK(s.associations.segments_of(0).back().valid.to == d("2026-03-02"));
    CHECK(s.class_refs[s.units.segments_of(0).back().klass].text == "linjeorg");
  }

  TEST_CASE("ending a whole manager leaves a record without segments, and creates get unique ids") {
    snapshot s = snap_of(doc(R"("units": [)" + unit("U", "ORG") + R"(], "managers": [)" + rec("M", "P", "U", "2000-01-01") + "]"));
    plan p;
    change end;
    end.kind = op::end_manager;
    end.manager = 0;
    end.span = {beginning_of_time, open_end};
    p.changes.push_back(end);
    change create;
    create.kind = op::create_manager;
    create.unit = 0;
    create.person = 0;
    create.level = "N";
    create.type = "Leder";
    create.span = {d("2026-03-02"), open_end};
    p.changes.push_back(create);
    p.changes.push_back(create);
    apply_plan(s, p);
    CHECK(s.managers.segments_of(0).empty());
    REQUIRE(s.managers.size() == 3);
    CHECK(s.managers.records[1].id != s.managers.records[2].id);
    CHECK(s.managers.records[1].id.size() == 36);
  }
}
