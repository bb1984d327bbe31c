// service::settings: one read of the configuration file, flag > environment > file > default,
// each value with its source; secrets that cannot be resolved matter only where they are used.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

#include <doctest/doctest.h>

#include <linemgr/service/settings.hpp>

using namespace linemgr::core;
using namespace linemgr::service;

namespace {

// A configuration file that is removed again.
struct temp_config {
  std::string path;
  explicit temp_config(const std::string& text) {
    char name[] = "/tmp/linemgr-settings-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~temp_config() { std::remove(path.c_str()); }
};

linemgr::io::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

setting_flags with_config(const std::string& path) {
  setting_flags f;
  f.config = path;
  return f;
}

}  // namespace

TEST_SUITE("service::settings") {
  TEST_CASE("flag > environment > file > default, each with its source") {
    temp_config file("[hierarchy]\ntop_level = [\"FILE-TOP\"]\n[os2mo]\nurl = \"https://file.example\"\n[amqp]\nqueue = \"file-queue\"\nhost = \"file-host\"\n");
    setting_flags flags = with_config(file.path);
    flags.amqp_queue = "flag-queue";
    auto s = settings::load(flags, env_of({{"OS2MO_API_URL", "https://env.example"}, {"AMQP_QUEUE", "env-queue"}}));
    REQUIRE(s);
    CHECK(s->get("amqp.queue").value == "flag-queue");
    CHECK(s->get("amqp.queue").source == "--amqp-queue");
    CHECK(s->get("os2mo.url").value == "https://env.example");
    CHECK(s->get("os2mo.url").source == "env OS2MO_API_URL");
    CHECK(s->get("amqp.host").value == "file-host");
    CHECK(s->get("amqp.host").source == "file " + file.path + ":7");
    CHECK(s->get("amqp.vhost").source == "default");
    CHECK(s->rules().hierarchy.top_level == std::vector<std::string>{"FILE-TOP"});
  }

  TEST_CASE("the gatekeeper's environment overrides the file's rules keys, and says so") {
    temp_config file("[hierarchy]\ntop_level = [\"FILE-TOP\"]\n");
    auto s = settings::load(with_config(file.path), env_of({{"LINE_MANAGEMENT_TOP_LEVEL_UUIDS", "[\"ENV-TOP\"]"}, {"DRY_RUN", "true"}}));
    REQUIRE(s);
    CHECK(s->rules().hierarchy.top_level == std::vector<std::string>{"ENV-TOP"});
    CHECK(s->dry_run() == std::optional<bool>(true));
    bool shown = false;
    for (const setting& v : s->all())
      if (v.key == "hierarchy.top_level") {
        CHECK(v.source == "env LINE_MANAGEMENT_TOP_LEVEL_UUIDS");
        shown = true;
      }
    CHECK(shown);
  }

  TEST_CASE("a secret the environment does not hold is an error only where it is used") {
    temp_config file("[os2mo]\nurl = \"https://mo.example\"\ntoken = { env = \"MO_TOKEN\" }\n");
    auto s = settings::load(with_config(file.path), env_of({}));
    REQUIRE(s);  // a run from a snapshot does not need it
    auto mo = s->os2mo();
    REQUIRE_FALSE(mo);
    CHECK(mo.err().kind == error_kind::config);
    CHECK(mo.err().message.find("MO_TOKEN") != std::string::npos);
    CHECK_FALSE(s->check());  // `config check` names it
    auto with_token = settings::load(with_config(file.path), env_of({{"MO_TOKEN", "t"}}));
    REQUIRE(with_token);
    REQUIRE(with_token->os2mo());
    CHECK(with_token->os2mo()->auth.token == "t");
    CHECK(with_token->check());
  }

  TEST_CASE("secrets are masked where settings are shown") {
    temp_config file("[amqp]\nurl = { env = \"AMQP_SECRET_URL\" }\n");
    auto s = settings::load(with_config(file.path), env_of({{"AMQP_SECRET_URL", "amqp://user:pw-123@broker/"}, {"AMQP_PASSWORD", "x"}}));
    REQUIRE(s);
    for (const setting& v : s->all()) CHECK(v.value.find("pw-123") == std::string::npos);
    REQUIRE(s->amqp());
    CHECK(s->amqp()->password == "pw-123");
    CHECK(s->amqp()->host == "broker");
  }

  TEST_CASE("a password holding an @ is masked whole") {
    setting_flags flags;
    flags.amqp_url = "amqp://user:p@ss@w0rd@broker:5672/";
    auto s = settings::load(flags, env_of({}));
    REQUIRE(s);
    CHECK(s->get("amqp.url").shown() == "amqp://user:********@broker:5672/");
  }

  TEST_CASE("credentials are not sent over plain http to another machine unless allowed") {
    auto os2mo_of = [](const std::string& url, std::map<std::string, std::string> env) {
      env["OS2MO_API_TOKEN"] = "t";
      setting_flags flags;
      flags.mo_url = url;
      auto s = settings::load(flags, env_of(env));
      REQUIRE(s);
      return s->os2mo();
    };
    auto plain = os2mo_of("http://os2mo.example.dk", {});
    REQUIRE_FALSE(plain);
    CHECK(plain.err().kind == error_kind::config);
    CHECK(plain.err().message == "--mo-url: os2mo.url \"http://os2mo.example.dk\" would send credentials in clear over http:// to "
                                 "os2mo.example.dk; use https://, or set LINEMGR_ALLOW_PLAIN_HTTP=1 on a network you trust");
    CHECK(os2mo_of("http://os2mo.example.dk", {{"LINEMGR_ALLOW_PLAIN_HTTP", "1"}}));
    CHECK(os2mo_of("https://os2mo.example.dk", {}));
    for (const char* loopback : {"http://127.0.0.1:8080", "http://localhost:5000", "http://[::1]:80"}) CHECK(os2mo_of(loopback, {}));
  }

  TEST_CASE("a bad file is one error naming the place; a missing one names the file") {
    temp_config file("[hierarchy]\ntop_levle = []\n");
    auto bad = settings::load(with_config(file.path), env_of({}));
    REQUIRE_FALSE(bad);
    CHECK(bad.err().kind == error_kind::config);
    CHECK(bad.err().message.find(file.path + ":2: hierarchy.top_levle") == 0);
    auto missing = settings::load(with_config("/nonexistent/linemgr.toml"), env_of({}));
    REQUIRE_FALSE(missing);
    CHECK(missing.err().kind == error_kind::config);  // the configuration cannot be right: 78, before any work
    CHECK(missing.err().message.find("/nonexistent/linemgr.toml: cannot read the configuration file") == 0);
    auto directory = settings::load(with_config("/tmp"), env_of({}));
    REQUIRE_FALSE(directory);
    CHECK(directory.err().kind == error_kind::config);
    CHECK(directory.err().message == "/tmp: is a directory; give the configuration file itself");
  }

  TEST_CASE("without a file: the defaults, and no OS2mo until a URL is named") {
    auto s = settings::load(setting_flags{}, env_of({}));
    REQUIRE(s);
    CHECK_FALSE(s->file());
    auto mo = s->os2mo();
    REQUIRE_FALSE(mo);
    CHECK(mo.err().kind == error_kind::usage);
  }

  TEST_CASE("a URL without a scheme or a host is a configuration error naming its source, before any work") {
    for (const char* bad : {"localhost:5000", "ftp://mo.example.dk", "http://", "not a url", "https://bad host/"}) {
      CAPTURE(bad);
      auto s = settings::load(setting_flags{}, env_of({{"OS2MO_API_URL", bad}, {"OS2MO_API_TOKEN", "t"}}));
      REQUIRE(s);  // loading reads; using the setting (or config check) reports
      auto mo = s->os2mo();
      REQUIRE_FALSE(mo);
      CHECK(mo.err().kind == error_kind::config);
      CHECK(mo.err().message.find(std::string("env OS2MO_API_URL: os2mo.url \"") + bad + "\" is not a URL") == 0);
      CHECK_FALSE(s->check());
    }
    for (const char* good : {"http://127.0.0.1:8080/", "https://os2mo.example.dk", "https://[::1]:9/x"}) {
      CAPTURE(good);
      auto s = settings::load(setting_flags{}, env_of({{"OS2MO_API_URL", good}, {"OS2MO_API_TOKEN", "t"}}));
      REQUIRE(s);
      CHECK(s->os2mo());
    }
    // An AMQP URL's password never shows in the message.
    auto amqp = settings::load(setting_flags{}, env_of({{"AMQP_URL", "amqp://user:hunter2@"}}));
    REQUIRE(amqp);
    auto a = amqp->amqp();
    REQUIRE_FALSE(a);
    CHECK(a.err().kind == error_kind::config);
    CHECK(a.err().message.find("hunter2") == std::string::npos);
    CHECK(a.err().message.find("env AMQP_URL: amqp.url") == 0);
    // Client credentials: AUTH_SERVER too.
    auto kc = settings::load(setting_flags{}, env_of({{"OS2MO_API_URL", "https://mo"}, {"CLIENT_ID", "c"}, {"CLIENT_SECRET", "s"},
                                                     {"AUTH_SERVER", "keycloak/auth"}}));
    REQUIRE(kc);
    REQUIRE_FALSE(kc->os2mo());
    CHECK(kc->os2mo().err().message.find("env AUTH_SERVER: os2mo.auth_server") == 0);
  }

  TEST_CASE("variables of the replaced triggers that linemgr does not read are named, with what to set instead") {
    auto s = settings::load(setting_flags{}, env_of({{"MANAGER_TYPE_UUID", "x"}, {"MANAGER_TERMINATOR__SET_TO_VACANT", "true"}}));
    REQUIRE(s);
    REQUIRE(s->warnings().size() == 2);
    CHECK(s->warnings()[0] == "environment MANAGER_TYPE_UUID is not read by linemgr; use [managers] manager_type in the configuration file");
    CHECK(s->warnings()[1] ==
          "environment MANAGER_TERMINATOR__SET_TO_VACANT is not read by linemgr; use [validity] action = \"vacate\" in the configuration file");
    CHECK(settings::load(setting_flags{}, env_of({}))->warnings().empty());
  }
}
