// service::refusal: the guard rails before a write to OS2mo.
#include "support.hpp"

#include <linemgr/service/safety.hpp>

using namespace linemgr::test;
using linemgr::service::refusal;

namespace {

// n units under a top unit, none classified: with top_level set each becomes line management.
snapshot units(std::size_t n) {
  std::string members = R"("units": [)" + unit("TOP", "ORG", "NY6-niveau");
  for (std::size_t i = 0; i < n; ++i) members += "," + unit("U" + std::to_string(i), "TOP");
  members += R"(], "engagements": [)";
  for (std::size_t i = 0; i < n; ++i) members += (i ? "," : "") + rec("E" + std::to_string(i), "P" + std::to_string(i), "U" + std::to_string(i), "2020-01-01");
  return snap_of(doc(members + "]"));
}

}  // namespace

TEST_SUITE("service::safety") {
  TEST_CASE("a configuration that cannot be right, or too many changes, is refused with the reason") {
    const snapshot s = units(30);
    const config none = cfg_of("modules = [\"hierarchy\"]\n");  // no top_level: NO_TOP_LEVEL
    const plan everything_out = make_plan(s, none, d("2026-03-02"));
    const auto why = refusal(s, everything_out, none.safety);
    REQUIRE(why);
    CHECK(why->find("the configuration cannot be right (NO_TOP_LEVEL") != std::string::npos);

    const config top = cfg_of("modules = [\"hierarchy\"]\n[hierarchy]\ntop_level = [\"TOP\"]\n");
    const plan p = make_plan(s, top, d("2026-03-02"));
    REQUIRE(p.changes.size() == 31);  // every unit changes class: 31 of 31
    const auto many = refusal(s, p, top.safety);
    REQUIRE(many);
    CHECK(many->find("31 of 31 current units would change class, more than max_class_changes_percent = 20%") != std::string::npos);
    config::safety_t off;
    off.max_class_changes_percent = 0;
    CHECK_FALSE(refusal(s, p, off));
    off.max_changes = 30;
    CHECK(refusal(s, p, off)->find("more than max_changes = 30") != std::string::npos);
    CHECK_FALSE(refusal(s, plan{}, top.safety));  // nothing to write: nothing to refuse
  }

  TEST_CASE("the share of units changing class is judged on a whole read, not on a listen batch's part") {
    snapshot s = units(30);
    const config top = cfg_of("modules = [\"hierarchy\"]\n[hierarchy]\ntop_level = [\"TOP\"]\n");
    const plan p = make_plan(s, top, d("2026-03-02"));
    REQUIRE(refusal(s, p, top.safety));
    s.partial = true;
    CHECK_FALSE(refusal(s, p, top.safety));
    config::safety_t few;
    few.max_changes = 5;
    CHECK(refusal(s, p, few));  // the absolute limits hold for a part too
  }

  TEST_CASE("a small organisation is not stopped by the percentage") {
    const snapshot s = units(9);
    const config top = cfg_of("modules = [\"hierarchy\"]\n[hierarchy]\ntop_level = [\"TOP\"]\n");
    const plan p = make_plan(s, top, d("2026-03-02"));
    CHECK(p.changes.size() == 10);
    CHECK_FALSE(refusal(s, p, top.safety));  // 10 class changes: not over the floor of 10
  }
}
