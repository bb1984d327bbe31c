#include <doctest/doctest.h>

#include <map>

#include <linemgr/io/json_internal.hpp>
#include <linemgr/webhooks/envelope.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

using namespace linemgr::io;
using namespace linemgr::webhooks;

namespace {

const std::map<std::string, std::string> environment = {
    {"HOOK_TOKEN", "s3cr3t-token"},
    {"HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    {"SLACK_URL", "https://hooks.example.org/services/T000/B000/XXXX"},
};

std::optional<std::string> fake_env(const std::string& name) {
  auto it = environment.find(name);
  return it == environment.end() ? std::nullopt : std::optional(it->second);
}

result<webhook_settings> parse(const std::string& toml) { return parse_webhook_config(toml, "c.toml", fake_env); }

std::string error_of(const std::string& toml) {
  auto r = parse(toml);
  return r ? std::string("(no error)") : r.err().message;
}

bool valid_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  return !doc.HasParseError();
}

}  // namespace

TEST_SUITE("webhooks::config") {
  TEST_CASE("a full sink is read; secrets resolved; rules keys left to the rules reader") {
    auto r = parse(R"(
modules = ["hierarchy"]
[webhooks]
outbox = "/tmp/o.sqlite"
flush_timeout = 3

[[webhook]]
name = "payroll"
url = "https://payroll.example.org/hook"
method = "PUT"
headers = { "X-Team" = "hr" }
secret_headers = { Authorization = { env = "HOOK_TOKEN", prefix = "Bearer " } }
secret = { env = "HOOK_SECRET" }
proxy = "none"
timeout = 20
max_age_hours = 24
[webhook.filter]
types = ["manager.*", "unit.class_changed"]
outcome = "success-only"
target_types = ["manager", "unit"]
subtree = "A"

[[webhook]]
name = "slack"
url = { env = "SLACK_URL" }
body = '{"text": "{{type}}: {{data.unit.name}}"}'
)");
    REQUIRE_MESSAGE(r, (r ? "" : r.err().message));
    REQUIRE(r->sinks.size() == 2);
    const webhook_sink& p = r->sinks[0];
    CHECK(r->outbox == "/tmp/o.sqlite");
    CHECK(r->flush_timeout_ms == 3000);
    CHECK(p.method == http_method::put);
    CHECK(p.secret_headers[0].second == "Bearer s3cr3t-token");
    CHECK(p.signing_keys.size() == 1);
    CHECK(p.filter.types.size() == 2);
    CHECK(p.filter.outcome == outcome_filter::success_only);
    CHECK(p.filter.subtrees == std::vector<std::string>{"A"});
    CHECK(p.timeout_ms == 20000);
    CHECK(p.max_age_s == 24 * 3600);
    CHECK(p.line == 7);
    const webhook_sink& s = r->sinks[1];
    CHECK(s.url_is_secret);
    CHECK(shown_url(s) == "https://hooks.example.org/…");
    CHECK(shown_url(p) == "https://payroll.example.org/hook");
  }

  TEST_CASE("bad sinks are configuration errors naming file, line and key") {
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\ncolour = 1\n") ==
          "c.toml:4: webhook[0].colour: unknown key (check its spelling; see doc/formats.md §2 for the keys)");
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"ftp://x.org\"\n") == "c.toml:3: webhook[0].url: \"ftp://x.org\" is not an http:// or https:// URL");
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"https://u:p@x.org/\"\n").find("carries a user name or password") != std::string::npos);
    CHECK(error_of("[[webhook]]\nname = \"Bad Name\"\nurl = \"https://x.org\"\n").find("webhook[0].name") != std::string::npos);
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\nsecret = \"whsec_abc\"\n") ==
          "c.toml:4: webhook[0].secret: secrets are not written in the configuration file: use { env = \"NAME\" } or { file = \"/path\" }");
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\nsecret = { env = \"MISSING\" }\n") ==
          "c.toml:4: webhook[0].secret: the environment variable MISSING is not set");
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\n[webhook.filter]\ntypes = [\"manger.*\"]\n")
              .find("c.toml:5: webhook[0].filter.types: \"manger.*\" matches no event type") == 0);
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\n[webhook.filter]\noutcome = \"both\"\n") ==
          "c.toml:5: webhook[0].filter.outcome: \"both\" is not one of any | success-only | error-only");
    CHECK(error_of("[[webhook]]\nname = \"a\"\n") == "c.toml:1: webhook[0] (a): a sink needs a url");
    CHECK(error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\n[[webhook]]\nname = \"a\"\nurl = \"https://y.org\"\n")
              .find("\"a\" is already the name of the sink on line 1") != std::string::npos);
  }

  TEST_CASE("a template that does not parse, or renders invalid JSON, is refused at load") {
    const std::string broken = error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\nbody = '{\"text\": \"{{#type}}\"}'\n");
    CHECK(broken.find("c.toml:4: webhook[0].body: the body template does not parse") == 0);
    const std::string unquoted = error_of("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\nbody = '{\"text\": {{type}}}'\n");
    CHECK(unquoted.find("c.toml:4: webhook[0].body: the body template renders invalid JSON") == 0);
    // Not JSON: no JSON check, no JSON escaping.
    CHECK(parse("[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\ncontent_type = \"text/plain\"\nbody = '{{type}} {'\n"));
  }

  TEST_CASE("a template is bounded: its size, its nesting, its delimiters and what it renders") {
    const auto sink_with = [](const std::string& body) {
      return "[[webhook]]\nname = \"a\"\nurl = \"https://x.org\"\ncontent_type = \"text/plain\"\nbody = '" + body + "'\n";
    };
    CHECK(error_of(sink_with(std::string(70000, 'x'))) == "c.toml:5: webhook[0].body: the body template is 70000 bytes; at most 65536");
    std::string deep;
    for (int i = 0; i < 30; ++i) deep = "{{#related}}" + deep + "{{/related}}";
    CHECK(error_of(sink_with(deep)) == "c.toml:5: webhook[0].body: the body template nests sections more than 4 deep");
    CHECK(error_of(sink_with("{{= <% %> =}}<%type%>")) ==
          "c.toml:5: webhook[0].body: the body template changes its delimiters ({{=…=}}); use {{ and }}");
    // Four levels over the sample's two related items repeat the inside 16 times: 16 x 250 KB is
    // past the 1 MiB a body may have, though the template itself is small.
    std::string reasons;
    for (int i = 0; i < 4000; ++i) reasons += "{{data.reason}}";
    CHECK(error_of(sink_with("{{#related}}{{#related}}{{#related}}{{#related}}" + reasons +
                             "{{/related}}{{/related}}{{/related}}{{/related}}")) ==
          "c.toml:5: webhook[0].body: the body template renders more than 1048576 bytes");
    CHECK(parse(sink_with("{{#related}}{{#related}}{{#related}}{{#related}}{{kind}}{{/related}}{{/related}}{{/related}}{{/related}}")));
  }

  TEST_CASE("template values are JSON-escaped: quotes, backslashes, newlines and æøå give valid JSON") {
    auto r = parse(R"([[webhook]]
name = "slack"
url = "https://x.org"
body = '{"text": "{{type}} in {{data.unit.name}} for {{data.person_name}}{{#data.before}} (was {{person}}){{/data.before}}"}'
)");
    REQUIRE(r);
    const notice n = sample_notice("2026-01-01T00:00:00Z");
    auto body = render_body(r->sinks[0], n);
    REQUIRE(body);
    CHECK(valid_json(*body));
    rapidjson::Document doc;
    doc.Parse(body->c_str());
    CHECK(std::string(doc["text"].GetString()) == "webhook.test in " + n.unit_name + " for " + n.person_name + " (was )");
    CHECK(json_escape("a\"b\\c\nd\x01æ") == "a\\\"b\\\\c\\nd\\u0001æ");
  }

  TEST_CASE("the envelope is valid JSON with the documented fields") {
    const notice n = sample_notice("2026-01-01T00:00:00Z");
    const std::string e = envelope_json(n);
    rapidjson::Document doc;
    doc.Parse(e.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    for (const char* k : {"id", "type", "time", "outcome", "dry_run", "subject", "related", "data"}) CHECK(doc.HasMember(k));
    CHECK(std::string(doc["data"]["unit"]["name"].GetString()) == n.unit_name);
    CHECK(std::string(doc["data"]["from"].GetString()) == "2026-01-01");
    CHECK(doc["data"]["before"]["person"].IsNull());
    CHECK(std::string(doc["subject"]["kind"].GetString()) == "manager");
  }

  TEST_CASE("the default outbox path follows systemd, then XDG, then HOME") {
    CHECK(default_outbox_path([](const std::string& k) -> std::optional<std::string> {
            return k == "STATE_DIRECTORY" ? std::optional<std::string>("/var/lib/linemgr") : std::nullopt;
          }) == "/var/lib/linemgr/webhooks.sqlite");
    CHECK(default_outbox_path([](const std::string& k) -> std::optional<std::string> {
            return k == "HOME" ? std::optional<std::string>("/home/a") : std::nullopt;
          }) == "/home/a/.local/state/linemgr/webhooks.sqlite");
  }
}
