#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;

namespace {
std::string error_of(const std::string& toml) {
  auto c = parse_config(toml, "c.toml");
  REQUIRE_FALSE(c);
  CHECK(c.err().kind == error_kind::config);
  return c.err().message;
}
}  // namespace

TEST_SUITE("io::config_file") {
  TEST_CASE("defaults are those of doc/rules.md §8") {
    const config c = linemgr::test::cfg_of("");
    CHECK(c.modules.hierarchy);
    CHECK(c.modules.managers);
    CHECK(c.modules.validity);
    CHECK_FALSE(c.modules.elevation);
    CHECK(c.hierarchy.classes.outside == "NA");
    CHECK(c.managers.leder_suffix == "_leder");
    CHECK(c.managers.excluded_prefix == "Ø_");
    CHECK(c.elevation.window_days == 7);
    REQUIRE(c.hierarchy.levels.size() == 2);
    CHECK(c.hierarchy.levels[0].pattern->full_match("NY9-niveau"));
    CHECK_FALSE(c.hierarchy.levels[0].pattern->full_match("NY10-niveau"));
  }

  TEST_CASE("level patterns match in linear time: no input makes them slow or crash them") {
    const config c = linemgr::test::cfg_of("[hierarchy]\nlevels = [\"(a+)+$\", \".*-niveau\"]\n");
    REQUIRE(c.hierarchy.levels.size() == 2);
    // std::regex took seconds on the first at 28 characters and overflowed its stack on the second at 40 KB.
    CHECK_FALSE(c.hierarchy.levels[0].pattern->full_match(std::string(100000, 'a') + "!"));
    CHECK(c.hierarchy.levels[1].pattern->full_match(std::string(40000, 'x') + "-niveau"));
    CHECK(c.hierarchy.levels[1].pattern->full_match("NY3-niveau"));
    CHECK_FALSE(c.hierarchy.levels[1].pattern->full_match("NY3-niveau "));  // the whole text
  }

  TEST_CASE("every key is read") {
    const config c = linemgr::test::cfg_of(R"(modules = ["elevation", "hierarchy"]
[hierarchy]
top_level = ["T"]
exclude_manager_engagements = "same_unit"
levels = ["X.*"]
[hierarchy.classes]
outside = "Udenfor"
[managers]
tie_policy = "lowest_person_id"
termination_scope = "none"
[managers.level_mapping]
"NY1-niveau" = "Niveau 1"
[validity]
action = "vacate"
engagement_scope = "same_unit"
[elevation]
window_days = -1
move = "always"
terminate_others = "all"
)");
    CHECK(c.modules.elevation);
    CHECK_FALSE(c.modules.managers);
    CHECK(c.hierarchy.top_level == std::vector<std::string>{"T"});
    CHECK(c.hierarchy.exclude_manager_engagements == exclude_managers::same_unit);
    CHECK(c.hierarchy.classes.outside == "Udenfor");
    CHECK(c.managers.ties == tie_policy::lowest_person_id);
    CHECK(c.managers.termination == termination_scope::none);
    CHECK(c.managers.level_mapping.size() == 1);
    CHECK(c.validity.action == validity_action::vacate);
    CHECK(c.validity.scope == engagement_scope::same_unit);
    CHECK(c.elevation.window_days == -1);
    CHECK(c.elevation.move == move_policy::always);
    CHECK(c.elevation.others == terminate_others::all);
  }

  TEST_CASE("errors name the line and the key") {
    CHECK(error_of("[hierarchy]\ntop_levle = []\n") == "c.toml:2: hierarchy.top_levle: unknown key (check its spelling; see doc/formats.md §2 for the keys)");
    CHECK(error_of("\n[managers]\ntie_policy = \"coin\"\n") == "c.toml:3: managers.tie_policy: \"coin\" is not one of skip_unit | lowest_person_id");
    CHECK(error_of("[hierarchy]\nenable_hide_logic = \"yes\"\n") == "c.toml:2: hierarchy.enable_hide_logic: expected true or false");
    CHECK(error_of("[elevation]\nwindow_days = -2\n") == "c.toml:2: elevation.window_days: -2 is out of range (-1 .. 100000)");
    CHECK(error_of("modules = [\"hierarchy\", \"magic\"]\n") == "c.toml:1: modules[1]: \"magic\" is not a module (hierarchy | managers | validity | elevation)");
    CHECK(error_of("[hierarchy]\nlevels = [\"NY[\"]\n").find("c.toml:2: hierarchy.levels[0]: \"NY[\" is not a pattern linemgr can use: "
                                                        "missing ]") == 0);
    // What RE2 cannot do in linear time is refused at load, not run slowly on data.
    CHECK(error_of("[hierarchy]\nlevels = [\"(a)\\\\1\"]\n").find("hierarchy.levels[0]: \"(a)\\1\" is not a pattern") != std::string::npos);
    CHECK(error_of("[hierarchy]\nlevels = [\"" + std::string(1001, 'a') + "\"]\n").find("is 1001 characters long; at most 1000") !=
          std::string::npos);
    CHECK(error_of("[hierarchy\n").find("c.toml:1:") == 0);
    CHECK(error_of("[hierarchy]\ntop_level = [1]\n") == "c.toml:2: hierarchy.top_level[0]: expected a string, got an integer");
  }
}
