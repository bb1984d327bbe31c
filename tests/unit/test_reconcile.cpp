// The run protocol (service::reconcile): against a snapshot in memory, and against OS2mo through a
// scripted HTTP transport that answers each GraphQL operation by name, with no network.
#include <algorithm>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <map>
#include <mutex>

#include <doctest/doctest.h>

#include <linemgr/io/config_file.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <linemgr/service/listen.hpp>
#include <linemgr/service/reconcile.hpp>

using namespace linemgr::io;
using namespace linemgr::service;
using namespace std::chrono_literals;

namespace {

// One top-level unit without its line-management class: the plan sets it.
const char* const line_class =
    R"({"current": {"uuid": "c-line", "user_key": "linjeorg", "name": "Linjeorganisation", "facet_response": {"current": {"user_key": "org_unit_hierarchy"}}}})";
const char* const top_unit =
    R"({"uuid": "TOP", "validities": [{"user_key": "top", "name": "Top", "validity": {"from": "2020-01-01T00:00:00+01:00", "to": null},
        "parent_response": null, "unit_level_response": null, "unit_hierarchy_response": null}]})";

std::string page(const char* field, const std::string& objects) {
  return fmt::format(R"({{"data": {{"{}": {{"objects": [{}], "page_info": {{"next_cursor": null}}}}}}}})", field, objects);
}

// Answers OS2mo's GraphQL operations by name; `refuse` decides which requests find OS2mo down.
struct fake_os2mo final : http_transport {
  std::mutex mutex;
  std::vector<std::string> operations;  // in the order sent
  std::function<bool(const std::string& operation, std::size_t nth)> refuse = [](const std::string&, std::size_t) { return false; };

  std::size_t count(const std::string& operation) {
    std::lock_guard<std::mutex> lock(mutex);
    return static_cast<std::size_t>(std::count(operations.begin(), operations.end(), operation));
  }

  result<http_response> send(const http_request& r) override {
    const std::size_t at = r.body.find("\"operationName\":\"");
    REQUIRE(at != std::string::npos);
    const std::size_t from = at + 17;
    const std::string op = r.body.substr(from, r.body.find('"', from) - from);
    std::size_t nth = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      operations.push_back(op);
      nth = static_cast<std::size_t>(std::count(operations.begin(), operations.end(), op));
    }
    if (refuse(op, nth)) return error{error_kind::unavailable, "connection refused"};
    static const std::map<std::string, std::string> answers = {
        {"LinemgrOrganisation", R"({"data": {"org": {"uuid": "ORG"}}})"},
        {"LinemgrClasses", page("classes", line_class)},
        {"LinemgrOrgUnits", page("org_units", top_unit)},
        {"LinemgrEngagements", page("engagements", "")},
        {"LinemgrAssociations", page("associations", "")},
        {"LinemgrITUsers", page("itusers", "")},
        {"LinemgrManagers", page("managers", "")},
        {"LinemgrVerifyOrgUnits", fmt::format(R"({{"data": {{"org_units": {{"objects": [{}]}}}}}})", top_unit)},
        {"LinemgrSetUnitClass", R"({"data": {"org_unit_update": {"uuid": "TOP"}}})"},
        // A listen batch: the events' objects, then the seeds' scopes.
        {"LinemgrEventObjects",
         R"({"data": {"org_units": {"objects": [{"uuid": "TOP", "validities": [{"parent_response": null}]}]},
             "engagements": {"objects": []}, "associations": {"objects": []}, "managers": {"objects": []},
             "person_engagements": {"objects": []}, "person_associations": {"objects": []}, "person_managers": {"objects": []}}})"},
        {"LinemgrScopeUnits",
         fmt::format(R"({{"data": {{"org": {{"uuid": "ORG"}}, "classes": {{"objects": [{}]}}, "path": {{"objects": [{}]}},
             "subtree": {{"objects": [{}]}}, "children": {{"objects": []}}, "grandchildren": {{"objects": []}}}}}})",
                     line_class, top_unit, top_unit)},
        {"LinemgrScopeRecords", R"({"data": {"engagements": {"objects": []}, "associations": {"objects": []}, "managers": {"objects": []}}})"},
        {"LinemgrScopePersons", R"({"data": {"engagements": {"objects": []}, "managers": {"objects": []}}})"},
    };
    const auto a = answers.find(op);
    REQUIRE_MESSAGE(a != answers.end(), "unexpected operation " << op);
    return http_response{200, a->second, ""};
  }
};

// A transport the organisation owns, forwarding to a fake the test keeps.
struct forward final : http_transport {
  fake_os2mo& to;
  explicit forward(fake_os2mo& f) : to(f) {}
  result<http_response> send(const http_request& r) override { return to.send(r); }
};

config rules() {
  auto c = parse_config("[hierarchy]\ntop_level = [\"TOP\"]\n", "test.toml");
  REQUIRE(c);
  return *c;
}

organisation os2mo_org(fake_os2mo& fake) {
  os2mo_settings s;
  s.url = "http://mo.test";
  s.auth.token = "t";
  s.max_attempts = 1;  // no retries inside the client: a refusal reaches the run at once
  return organisation::from_os2mo(s, rules(), parse_date("2026-03-02"), std::make_unique<forward>(fake));
}

// A source that hands out its messages, then asks listen to stop once they are acknowledged.
struct two_events final : event_source {
  std::vector<message> left;
  std::vector<std::uint64_t> acked;
  std::stop_source& stop;
  explicit two_events(std::stop_source& s) : stop(s) {
    for (std::uint64_t tag : {1, 2}) {
      message m;
      m.tag = tag;
      m.parsed = std::optional(event{event_kind::org_unit, "TOP"});
      left.push_back(std::move(m));
    }
  }
  status connect() override { return {}; }
  result<std::optional<message>> next(std::chrono::steady_clock::time_point deadline) override {
    if (left.empty()) {
      if (acked.size() == 2) stop.request_stop();
      std::this_thread::sleep_until(std::min(deadline, std::chrono::steady_clock::now() + 2ms));
      return std::optional<message>();
    }
    message m = std::move(left.back());
    left.pop_back();
    return std::optional(std::move(m));
  }
  status ack(std::uint64_t tag) override {
    acked.push_back(tag);
    return {};
  }
  status reject(std::uint64_t) override {
    FAIL("nothing is rejected");
    return {};
  }
  when_exhausted exhausted() const override { return when_exhausted::dead_letter; }
};

}  // namespace

TEST_SUITE("service::reconcile") {
  TEST_CASE("reconcile-all on a snapshot plans, applies in memory, and a second run plans nothing (G7)") {
    auto snap = parse_snapshot(R"({"format": "linemgr-snapshot/1", "organisation": "ORG", "today": "2026-03-02",
      "classes": [{"uuid": "c-line", "user_key": "linjeorg", "name": "Linje", "facet": "org_unit_hierarchy"}],
      "units": [{"id": "TOP", "name": "Top", "user_key": "top", "segments": [{"parent": null, "level": null, "class": null, "from": "2020-01-01", "to": null}]}],
      "engagements": [], "associations": [], "it_users": [], "managers": []})", "test.json");
    REQUIRE_MESSAGE(snap, (snap ? "" : snap.err().message));
    organisation org = organisation::from_snapshot(std::move(*snap), rules(), "test.json");
    run_options o;
    o.dry_run = true;
    auto dry = reconcile(org, o, nullptr);
    REQUIRE(dry);
    REQUIRE(dry->changes.changes.size() == 1);
    CHECK_FALSE(dry->applied);
    o.dry_run = false;
    auto applied = reconcile(org, o, nullptr);
    REQUIRE(applied);
    REQUIRE(applied->applied);
    CHECK(applied->applied->ok == 1);
    CHECK(applied->clean());
    auto again = reconcile(org, o, nullptr);
    REQUIRE(again);
    CHECK(again->changes.changes.empty());
  }

  TEST_CASE("a batch OS2mo cuts short is retried whole: read again, planned again, applied, then acknowledged") {
    fake_os2mo fake;
    fake.refuse = [](const std::string& op, std::size_t nth) { return op == "LinemgrSetUnitClass" && nth == 1; };
    organisation org = os2mo_org(fake);
    std::stop_source stop;
    two_events source(stop);
    std::vector<result<run_report>> outcomes;
    std::mutex mutex;
    const batch_handler handle = [&](const std::vector<event>& events) {
      auto r = reconcile_batch(org, events, run_options{}, nullptr);
      std::lock_guard<std::mutex> lock(mutex);
      outcomes.push_back(r);
      CHECK(source.acked.empty());  // nothing is acknowledged before the batch is applied
      return r;
    };
    listen_options o;
    o.coalesce = 10ms;
    o.retry = backoff_policy{1ms, 1ms};
    auto totals = listen(source, handle, o, stop.get_token());
    REQUIRE(totals);
    REQUIRE(outcomes.size() == 2);
    REQUIRE(outcomes[0]);
    REQUIRE(outcomes[0]->applied);
    REQUIRE(outcomes[0]->applied->fatal);  // the write found OS2mo down
    REQUIRE(outcomes[1]);
    REQUIRE(outcomes[1]->applied);
    CHECK_FALSE(outcomes[1]->applied->fatal);
    CHECK(outcomes[1]->applied->ok == 1);
    CHECK(fake.count("LinemgrScopeUnits") == 2);    // the whole batch again: read again (its scope, not everything)
    CHECK(fake.count("LinemgrOrgUnits") == 0);
    CHECK(fake.count("LinemgrSetUnitClass") == 2);  // and written again
    std::sort(source.acked.begin(), source.acked.end());
    CHECK(source.acked == std::vector<std::uint64_t>{1, 2});
    CHECK(totals->ok == 1);
  }

  TEST_CASE("a batch whose read finds OS2mo down is a failed try, not the end of listen") {
    fake_os2mo fake;
    fake.refuse = [](const std::string& op, std::size_t nth) { return op == "LinemgrEventObjects" && nth <= 2; };
    organisation org = os2mo_org(fake);
    std::stop_source stop;
    two_events source(stop);
    listen_options o;
    o.coalesce = 10ms;
    o.retry = backoff_policy{1ms, 1ms};
    auto totals = listen(source, [&](const std::vector<event>& e) { return reconcile_batch(org, e, run_options{}, nullptr); }, o,
                         stop.get_token());
    REQUIRE(totals);
    CHECK(fake.count("LinemgrEventObjects") == 3);
    CHECK(fake.count("LinemgrScopeUnits") == 1);
    CHECK(fake.count("LinemgrSetUnitClass") == 1);
    CHECK(source.acked.size() == 2);
  }
}
