#include <doctest/doctest.h>

#include <map>

#include <linemgr/io/config_env.hpp>
#include <linemgr/io/connection_config.hpp>

using namespace linemgr::io;

namespace {

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  };
}

}  // namespace

TEST_SUITE("io::config_env") {
  TEST_CASE("the gatekeeper's variables set the rules keys they name") {
    config cfg;
    auto set = apply_config_env(cfg, env_of({{"LINE_MANAGEMENT_TOP_LEVEL_UUIDS", R"(["T1", "T2"])"},
                                             {"HIDDEN", R"(["H"])"},
                                             {"SELF_OWNED_ROOT_UNITS", "[]"},
                                             {"EXTERNAL_ROOT_UNITS", R"(["X"])"},
                                             {"HIDDEN_ENGAGEMENT_TYPES", R"(["Elev"])"},
                                             {"ENABLE_HIDE_LOGIC", "False"},
                                             {"LINE_MANAGEMENT_EXCLUDE_MANAGER_ENGAGEMENTS", "true"},
                                             {"LINE_MANAGEMENT_UUID", "uuid-lm"},
                                             {"LINE_MANAGEMENT_USER_KEY", "ignored: the uuid wins"},
                                             {"EXTERNAL_USER_KEY", "ekstern"}}));
    REQUIRE(set);
    CHECK(cfg.hierarchy.top_level == std::vector<std::string>{"T1", "T2"});
    CHECK(cfg.hierarchy.hidden_roots == std::vector<std::string>{"H"});
    CHECK(cfg.hierarchy.external_roots == std::vector<std::string>{"X"});
    CHECK(cfg.hierarchy.hidden_engagement_types == std::vector<std::string>{"Elev"});
    CHECK_FALSE(cfg.hierarchy.enable_hide_logic);
    CHECK(cfg.hierarchy.exclude_manager_engagements == exclude_managers::any_unit);
    CHECK(cfg.hierarchy.classes.line_management == "uuid-lm");
    CHECK(cfg.hierarchy.classes.external == "ekstern");
    CHECK(cfg.hierarchy.classes.hidden == "hide");  // HIDDEN is the unit list, not the class
    CHECK(set->size() == 9);
  }

  TEST_CASE("values that do not parse name the variable and the form expected") {
    config cfg;
    auto r = apply_config_env(cfg, env_of({{"HIDDEN", "a,b"}}));
    REQUIRE_FALSE(r);
    CHECK(r.err().kind == error_kind::config);
    CHECK(r.err().message.find("environment HIDDEN: expected a JSON list of strings") == 0);
    CHECK_FALSE(apply_config_env(cfg, env_of({{"ENABLE_HIDE_LOGIC", "maybe"}})));
    CHECK(apply_config_env(cfg, env_of({{"LINE_MANAGEMENT_EXCLUDE_MANAGER_ENGAGEMENTS", "same_unit"}})));
    CHECK(cfg.hierarchy.exclude_manager_engagements == exclude_managers::same_unit);
    CHECK(parse_env_bool("YES") == std::optional<bool>(true));
    CHECK(parse_env_bool("0") == std::optional<bool>(false));
    CHECK_FALSE(parse_env_bool("2"));
  }

  TEST_CASE("[os2mo] and [amqp]: values with their lines; secrets only by reference") {
    auto r = parse_connection_config(R"([os2mo]
url = "https://mo.example.dk"
token = { env = "MO_TOKEN" }
[amqp]
host = "rabbit"
port = 5671
password = { env = "AMQP_PW" }
)",
                                     "c.toml", env_of({{"MO_TOKEN", "t"}, {"AMQP_PW", "p"}}));
    REQUIRE(r);
    CHECK(r->os2mo.at("url").value == "https://mo.example.dk");
    CHECK(r->os2mo.at("url").line == 2);
    CHECK(r->os2mo.at("token").value == "t");
    CHECK(r->os2mo.at("token").secret);
    CHECK(r->amqp.at("port").value == "5671");
    CHECK(r->amqp.at("password").value == "p");
    auto bad = parse_connection_config("[os2mo]\ntoken = \"inline\"\n", "c.toml", env_of({}));
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("c.toml:2: os2mo.token: secrets are not written in the configuration file") == 0);
    auto typo = parse_connection_config("[amqp]\nqueu = \"x\"\n", "c.toml", env_of({}));
    REQUIRE_FALSE(typo);
    CHECK(typo.err().message.find("c.toml:2: amqp.queu: unknown key") == 0);
  }
}
