#include <doctest/doctest.h>

#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

#include <linemgr/webhooks/delivery.hpp>
#include <linemgr/webhooks/outbox.hpp>

using namespace linemgr::webhooks;

namespace {

// A fresh outbox file in a temporary directory, removed afterwards.
struct temp_outbox {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("linemgr-outbox-" + std::to_string(::getpid()));
  std::string path = (dir / "sub" / "o.sqlite").string();
  temp_outbox() { std::filesystem::remove_all(dir); }
  ~temp_outbox() { std::filesystem::remove_all(dir); }
};

outbox_item item(const std::string& id, std::vector<std::string> sinks) {
  outbox_item i{id, "manager.created", "2026-01-01T00:00:00Z", "{}", {}};
  for (auto& s : sinks) i.deliveries.push_back({s, "{\"id\": \"" + id + "\"}", "application/json"});
  return i;
}

}  // namespace

TEST_SUITE("webhooks::outbox") {
  TEST_CASE("enqueue, claim, fail, retry, deliver; an id already announced is not written again") {
    temp_outbox t;
    auto box = outbox::open(t.path);  // creates the directory
    REQUIRE_MESSAGE(box, (box ? "" : box.err().message));
    CHECK(box->enqueue({item("n1", {"a", "b"}), item("n2", {"a"})}, 1000).value() == 3);
    CHECK(box->enqueue({item("n1", {"a", "b"})}, 2000).value() == 0);

    auto first = box->claim("a", 1000, 9000).value();
    REQUIRE(first);
    CHECK(first->notice_id == "n1");
    CHECK(first->attempts == 1);
    CHECK(first->state == delivery_state::delivering);
    // Claimed under a lease: the next claim takes the next row.
    auto second = box->claim("a", 1000, 9000).value();
    REQUIRE(second);
    CHECK(second->notice_id == "n2");
    CHECK_FALSE(box->claim("a", 1000, 9000).value());

    REQUIRE(box->mark_failed(first->id, 500, "HTTP 500", 5000));
    CHECK_FALSE(box->claim("a", 4999, 9999).value());  // not due yet
    CHECK(box->next_due({"a"}).value() == std::optional<std::int64_t>(5000));
    auto retried = box->claim("a", 5000, 9999).value();
    REQUIRE(retried);
    CHECK(retried->id == first->id);
    CHECK(retried->attempts == 2);
    REQUIRE(box->mark_delivered(retried->id, 200, 5100));

    auto listed = box->list(delivery_state::delivered, 10).value();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].last_status == std::optional<int>(200));
    auto counts = box->counts().value();
    REQUIRE(counts.size() == 2);
    CHECK(counts[0].sink == "a");
    CHECK(counts[0].delivered == 1);
    CHECK(counts[0].delivering == 1);
    CHECK(counts[1].pending == 1);
  }

  TEST_CASE("an expired lease is claimed again; release puts a claim back uncounted") {
    temp_outbox t;
    auto box = outbox::open(t.path);
    REQUIRE(box);
    REQUIRE(box->enqueue({item("n1", {"a"})}, 0));
    auto c = box->claim("a", 0, 100).value();
    REQUIRE(c);
    CHECK_FALSE(box->claim("a", 50, 150).value());
    auto again = box->claim("a", 101, 200).value();
    REQUIRE(again);
    CHECK(again->attempts == 2);
    REQUIRE(box->release(again->id, 300));
    auto after = box->claim("a", 300, 400).value();
    REQUIRE(after);
    CHECK(after->attempts == 2);
  }

  TEST_CASE("dead deliveries are replayed by number or by notice id; 410 disables a sink until replay or a new URL") {
    temp_outbox t;
    auto box = outbox::open(t.path);
    REQUIRE(box);
    REQUIRE(box->enqueue({item("n1", {"a"}), item("n2", {"a"})}, 0));
    auto c = box->claim("a", 0, 100).value();
    REQUIRE(box->mark_dead(c->id, 410, "gone"));
    REQUIRE(box->disable_sink("a", "https://x.org", "HTTP 410 Gone", 1));
    CHECK(box->disabled_reason("a", "https://x.org").value() == std::optional<std::string>("HTTP 410 Gone"));
    CHECK_FALSE(box->disabled_reason("a", "https://new.example.org").value());
    CHECK(box->list(delivery_state::dead, 10).value().size() == 1);
    CHECK(box->replay("n1", 500).value() == 1);
    CHECK_FALSE(box->disabled_reason("a", "https://x.org").value());
    auto older = box->claim("a", 500, 600).value();  // oldest first: n2 was never tried
    REQUIRE(older);
    CHECK(older->notice_id == "n2");
    auto r = box->claim("a", 500, 600).value();
    REQUIRE(r);
    CHECK(r->notice_id == "n1");
    CHECK(r->created_ms == 500);  // its age starts again
    CHECK(box->replay("no-such-id", 0).value() == 0);
  }

  TEST_CASE("held notices: not sent while their change is applied, replaced by the outcome, settled after a crash") {
    temp_outbox t;
    auto box = outbox::open(t.path);
    REQUIRE(box);
    REQUIRE(box->hold({item("ok", {"a"}), item("fails", {"a"})}, 0));
    CHECK_FALSE(box->claim("a", 0, 100).value());  // held: nothing to send yet
    CHECK(box->counts().value()[0].held == 2);
    // Applied: "ok" went through, "fails" failed and is announced as its failure notice instead.
    CHECK(box->commit_held({item("ok", {"a"}), item("fails-failed", {"a"})}, {"ok", "fails"}, false, 10).value() == 2);
    auto rows = box->list(std::nullopt, 10).value();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].notice_id == "fails-failed");
    CHECK(rows[1].notice_id == "ok");
    CHECK(rows[1].state == delivery_state::pending);

    // A run that is killed while applying leaves its notices held under a pid that no longer runs.
    const pid_t child = ::fork();
    if (child == 0) {
      auto other = outbox::open(t.path);
      const bool held = other && other->hold({item("applied-before-crash", {"a"}), item("not-applied", {"a"})}, 20);
      ::_exit(held ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WEXITSTATUS(status) == 0);
    // A scoped run (listen, reconcile-unit) leaves them held; it cannot tell.
    REQUIRE(box->commit_held({}, {}, false, 30));
    CHECK(box->counts().value()[0].held == 2);
    // A full run planned "not-applied" again (so it decides that one) and not the other (in effect now).
    REQUIRE(box->commit_held({item("not-applied", {"a"})}, {"not-applied"}, true, 40));
    const auto c = box->counts().value()[0];
    CHECK(c.held == 0);
    rows = box->list(delivery_state::pending, 10).value();
    std::vector<std::string> ids;
    for (const auto& r : rows) ids.push_back(r.notice_id);
    CHECK(ids == std::vector<std::string>{"not-applied", "applied-before-crash", "fails-failed", "ok"});
  }

  TEST_CASE("the delivery policy: 2xx delivered, 410 disables, others retry until the maximum age") {
    attempt_outcome a;
    a.status = 204;
    CHECK(judge(a, 0, 60) == verdict::delivered);
    a.status = 410;
    CHECK(judge(a, 0, 60) == verdict::disable_sink);
    for (int s : {301, 302, 400, 401, 404, 429, 500, 503}) {
      a.status = s;
      CHECK(judge(a, 59'999, 60) == verdict::retry);
      CHECK(judge(a, 60'000, 60) == verdict::dead);
    }
    a.status.reset();
    CHECK(judge(a, 0, 60) == verdict::retry);
  }

  TEST_CASE("backoff doubles from 2 s to at most 1 h, with jitter in [0.5, 1], and honours Retry-After") {
    CHECK(retry_delay_ms(1, std::nullopt, 1.0) == 2000);
    CHECK(retry_delay_ms(1, std::nullopt, 0.0) == 1000);
    CHECK(retry_delay_ms(2, std::nullopt, 1.0) == 4000);
    CHECK(retry_delay_ms(30, std::nullopt, 1.0) == 3600 * 1000);
    CHECK(retry_delay_ms(1, 120L, 0.0) == 120 * 1000);
    CHECK(retry_delay_ms(12, 1L, 1.0) == 3600 * 1000);
  }
}
