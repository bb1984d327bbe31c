// The OS2mo client's retry, backoff and token logic against a scripted in-memory transport (the
// same logic meets a real server in tests/os2mo/test_os2mo.py).
#include <deque>

#include <doctest/doctest.h>

#include <linemgr/os2mo/client_internal.hpp>

using namespace linemgr::os2mo;
using namespace std::chrono_literals;

namespace {

struct scripted_transport final : http_transport {
  std::deque<result<http_response>> replies;
  std::vector<http_request> sent;
  result<http_response> send(const http_request& r) override {
    sent.push_back(r);
    REQUIRE_FALSE(replies.empty());
    auto reply = replies.front();
    replies.pop_front();
    return reply;
  }
  void reply(long status, std::string body = R"({"data": {"org": {"uuid": "o"}}})", std::string retry_after = "") {
    replies.push_back(http_response{status, std::move(body), std::move(retry_after)});
  }
  void refuse() { replies.push_back(error{error_kind::unavailable, "connection refused"}); }
  std::size_t graphql_requests() const {
    std::size_t n = 0;
    for (const auto& r : sent) n += r.url.ends_with("/graphql/v29");
    return n;
  }
};

struct harness {
  scripted_transport transport;
  std::vector<std::chrono::milliseconds> sleeps;
  std::chrono::steady_clock::time_point now{};
  os2mo_client client;
  explicit harness(os2mo_auth auth)
      : client(settings(std::move(auth)), transport, [this](std::chrono::milliseconds d) { sleeps.push_back(d); },
               [this] { return now; }) {}
  static os2mo_settings settings(os2mo_auth auth) {
    os2mo_settings s;
    s.url = "http://mo.test/";
    s.auth = std::move(auth);
    return s;
  }
  status run() {
    rapidjson::Document doc;
    return client.execute("LinemgrOrganisation", "query LinemgrOrganisation { org { uuid } }", "{}", doc);
  }
};

os2mo_auth token(const char* t) {
  os2mo_auth a;
  a.token = t;
  return a;
}

os2mo_auth keycloak() {
  os2mo_auth a;
  a.client_id = "linemgr";
  a.client_secret = "s&cret";
  a.auth_server = "http://kc.test/auth";
  return a;
}

}  // namespace

TEST_SUITE("os2mo::client") {
  TEST_CASE("transient answers are retried, honouring Retry-After, and the token travels as a bearer header") {
    harness h(token("T0K"));
    h.transport.reply(503, "", "2");
    h.transport.reply(429, "");
    h.transport.reply(200);
    CHECK(h.run());
    CHECK(h.client.requests() == 3);
    REQUIRE(h.sleeps.size() == 2);
    CHECK(h.sleeps[0] == 2000ms);
    CHECK(h.sleeps[1] >= 250ms);  // the second retry: exponential with jitter in [base·2/2, base·2]
    CHECK(h.sleeps[1] <= 500ms);
    CHECK(h.transport.sent[0].url == "http://mo.test/graphql/v29");
    bool bearer = false;
    for (const auto& header : h.transport.sent[0].headers) bearer |= header == "Authorization: Bearer T0K";
    CHECK(bearer);
  }

  TEST_CASE("connection errors back off exponentially and give up after the last attempt") {
    harness h(token("t"));
    for (int i = 0; i < 6; ++i) h.transport.refuse();
    auto r = h.run();
    REQUIRE_FALSE(r);
    CHECK(r.err().kind == error_kind::unavailable);
    CHECK(r.err().message == "OS2mo at http://mo.test did not answer LinemgrOrganisation after 6 attempts: connection refused");
    REQUIRE(h.sleeps.size() == 5);
    for (std::size_t k = 0; k < h.sleeps.size(); ++k) {
      const auto cap = std::min<std::chrono::milliseconds>(250ms * (1 << k), 15000ms);
      CHECK(h.sleeps[k] >= cap / 2);
      CHECK(h.sleeps[k] <= cap);
    }
  }

  TEST_CASE("validation errors and GraphQL errors are not retried") {
    harness h(token("t"));
    h.transport.reply(400, R"({"detail": "bad"})");
    auto r = h.run();
    REQUIRE_FALSE(r);
    CHECK(r.err().kind == error_kind::data);
    CHECK(h.client.requests() == 1);
    h.transport.reply(200, R"({"data": null, "errors": [{"message": "Cannot query field"}]})");
    r = h.run();
    REQUIRE_FALSE(r);
    CHECK(r.err().message == "LinemgrOrganisation: OS2mo reported a GraphQL error: Cannot query field");
    h.transport.reply(200, "<html>proxy error</html>");
    r = h.run();
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("not a JSON object") != std::string::npos);
    CHECK(h.sleeps.empty());
  }

  TEST_CASE("a refused static token is a configuration error that never shows the token") {
    harness h(token("SECRET-TOKEN"));
    h.transport.reply(401, "{}");
    auto r = h.run();
    REQUIRE_FALSE(r);
    CHECK(r.err().kind == error_kind::config);
    CHECK(r.err().message.find("SECRET-TOKEN") == std::string::npos);
  }

  TEST_CASE("client credentials: fetched once, renewed before expiry and after a 401") {
    harness h(keycloak());
    h.transport.reply(200, R"({"access_token": "A1", "expires_in": 300})");
    h.transport.reply(200);
    CHECK(h.run());
    CHECK(h.transport.sent[0].url == "http://kc.test/auth/realms/mo/protocol/openid-connect/token");
    CHECK(h.transport.sent[0].body == "grant_type=client_credentials&client_id=linemgr&client_secret=s%26cret");
    h.transport.reply(200);
    h.now += 200s;  // still valid for more than 30 s: no new token
    CHECK(h.run());
    h.now += 80s;  // 20 s left: renew first
    h.transport.reply(200, R"({"access_token": "A2", "expires_in": 300})");
    h.transport.reply(200);
    CHECK(h.run());
    CHECK(h.transport.sent.back().headers.back() == "Authorization: Bearer A2");
    // Revoked early: the 401 fetches a new token once and the request goes through.
    h.transport.reply(401, "{}");
    h.transport.reply(200, R"({"access_token": "A3", "expires_in": 300})");
    h.transport.reply(200);
    CHECK(h.run());
    CHECK(h.transport.sent.back().headers.back() == "Authorization: Bearer A3");
    CHECK(h.transport.graphql_requests() == 5);
    // Wrong credentials are a configuration error.
    h.now += 1000s;
    h.transport.reply(401, R"({"error": "unauthorized_client"})");
    auto r = h.run();
    REQUIRE_FALSE(r);
    CHECK(r.err().kind == error_kind::config);
    CHECK(r.err().message.find("s&cret") == std::string::npos);
  }
}
