// The listen loop with no broker and no network: a scripted event source, and for OS2mo a
// scripted HTTP transport that answers each GraphQL operation by name.
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <doctest/doctest.h>

#include <linemgr/io/config_file.hpp>
#include <linemgr/io/event_parse.hpp>
#include <linemgr/service/listen.hpp>

using namespace linemgr::io;
using namespace linemgr::service;
using namespace std::chrono_literals;

namespace {

// Messages handed out in order; acks and rejects recorded. Ends when empty (like stdin at its
// end), or asks to stop when empty (like a broker that has nothing more).
struct scripted_source final : event_source {
  std::deque<message> queue;
  std::vector<std::uint64_t> acked, rejected;
  when_exhausted policy = when_exhausted::dead_letter;
  bool ends = true;
  std::stop_source* stop_when_empty = nullptr;
  std::chrono::milliseconds gap{0};  // a pause before each message
  std::atomic<bool> idle{false};     // nothing more to hand out: every message was taken
  std::atomic<std::size_t> acks{0};  // acked.size(), for other threads

  status connect() override { return {}; }
  result<std::optional<message>> next(std::chrono::steady_clock::time_point deadline) override {
    if (queue.empty()) {
      idle = true;
      if (stop_when_empty) stop_when_empty->request_stop();
      std::this_thread::sleep_until(std::min(deadline, std::chrono::steady_clock::now() + 2ms));
      return std::optional<message>();
    }
    std::this_thread::sleep_for(gap);
    message m = std::move(queue.front());
    queue.pop_front();
    return std::optional(std::move(m));
  }
  bool ended() const override { return ends && queue.empty(); }
  status ack(std::uint64_t tag) override {
    acked.push_back(tag);
    ++acks;
    return {};
  }
  status reject(std::uint64_t tag) override {
    rejected.push_back(tag);
    return {};
  }
  when_exhausted exhausted() const override { return policy; }
};

message msg(std::uint64_t tag, const char* routing_key, const char* body) {
  message m;
  m.tag = tag;
  m.routing_key = routing_key;
  m.where = "delivery " + std::to_string(tag);
  m.parsed = parse_event_body(routing_key, body);
  return m;
}

// A handler that records its batches and the acks made before each ran.
struct recording_handler {
  explicit recording_handler(scripted_source& s) : source(s) {}
  scripted_source& source;
  std::mutex mutex;
  std::vector<std::vector<event>> batches;
  std::vector<std::size_t> acked_before;
  std::function<result<run_report>(std::size_t call)> outcome = [](std::size_t) { return run_report{}; };

  batch_handler handler() {
    return [this](const std::vector<event>& events) {
      std::lock_guard<std::mutex> lock(mutex);
      batches.push_back(events);
      acked_before.push_back(source.acked.size());
      return outcome(batches.size());
    };
  }
};

listen_options fast(int max_attempts = 3) {
  listen_options o;
  o.coalesce = 20ms;
  o.max_attempts = max_attempts;
  o.retry = backoff_policy{1ms, 2ms};
  return o;
}

}  // namespace

TEST_SUITE("service::listen") {
  TEST_CASE("messages are acknowledged only after their batch is applied") {
    scripted_source source;
    source.queue = {msg(1, "org_unit", "\"U1\""), msg(2, "engagement", "\"E1\""), msg(3, "org_unit", "\"U2\"")};
    recording_handler h(source);
    auto totals = listen(source, h.handler(), fast(), std::stop_token());
    REQUIRE(totals);
    REQUIRE(h.batches.size() == 1);
    CHECK(h.batches[0].size() == 3);
    CHECK(h.acked_before == std::vector<std::size_t>{0});  // nothing was acknowledged before the batch ran
    CHECK(source.acked == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(source.rejected.empty());
    CHECK(totals->events == 3);
    CHECK(totals->batches == 1);
    CHECK_FALSE(totals->stopped);
  }

  TEST_CASE("a malformed message is rejected at once and the loop goes on; unhandled routing keys are acknowledged") {
    scripted_source source;
    source.queue = {msg(1, "org_unit", ""), msg(2, "class", "\"C1\""), msg(3, "org_unit", "\"U1\"")};
    recording_handler h(source);
    auto totals = listen(source, h.handler(), fast(), std::stop_token());
    REQUIRE(totals);
    CHECK(source.rejected == std::vector<std::uint64_t>{1});
    CHECK(source.acked == std::vector<std::uint64_t>{2, 3});
    CHECK(totals->malformed == 1);
    CHECK(totals->ignored == 1);
    REQUIRE(h.batches.size() == 1);
    CHECK(h.batches[0].size() == 1);
  }

  TEST_CASE("a batch that keeps failing is tried max_attempts times, then dead-lettered, never acknowledged") {
    scripted_source source;
    source.queue = {msg(1, "org_unit", "\"U1\""), msg(2, "org_unit", "\"U2\"")};
    recording_handler h(source);
    h.outcome = [](std::size_t) -> result<run_report> { return error{error_kind::unavailable, "OS2mo: connection refused"}; };
    auto totals = listen(source, h.handler(), fast(4), std::stop_token());
    REQUIRE(totals);
    CHECK(h.batches.size() == 4);
    for (const auto& b : h.batches) CHECK(b.size() == 2);  // retried whole
    CHECK(source.acked.empty());
    CHECK(source.rejected == std::vector<std::uint64_t>{1, 2});
    CHECK(totals->dead_lettered == 2);
  }

  TEST_CASE("a failure that passes is retried and then acknowledged once") {
    scripted_source source;
    source.queue = {msg(1, "org_unit", "\"U1\"")};
    recording_handler h(source);
    h.outcome = [](std::size_t call) -> result<run_report> {
      if (call < 3) return error{error_kind::unavailable, "OS2mo: timeout"};
      return run_report{};
    };
    auto totals = listen(source, h.handler(), fast(5), std::stop_token());
    REQUIRE(totals);
    CHECK(h.batches.size() == 3);
    CHECK(source.acked == std::vector<std::uint64_t>{1});
    CHECK(source.rejected.empty());
  }

  TEST_CASE("a source that cannot dead-letter ends listen with the error after max_attempts") {
    scripted_source source;
    source.policy = when_exhausted::fail;
    source.queue = {msg(1, "org_unit", "\"U1\"")};
    recording_handler h(source);
    h.outcome = [](std::size_t) -> result<run_report> { return error{error_kind::unavailable, "OS2mo: connection refused"}; };
    auto totals = listen(source, h.handler(), fast(2), std::stop_token());
    REQUIRE_FALSE(totals);
    CHECK(totals.err().kind == error_kind::unavailable);
    CHECK(h.batches.size() == 2);
    CHECK(source.acked.empty());
  }

  TEST_CASE("an error that is not about reaching OS2mo ends listen at once") {
    scripted_source source;
    source.queue = {msg(1, "org_unit", "\"U1\"")};
    recording_handler h(source);
    h.outcome = [](std::size_t) -> result<run_report> { return error{error_kind::data, "malformed response"}; };
    auto totals = listen(source, h.handler(), fast(), std::stop_token());
    REQUIRE_FALSE(totals);
    CHECK(totals.err().message == "malformed response");
    CHECK(h.batches.size() == 1);
    CHECK(source.acked.empty());
  }

  TEST_CASE("a stop request drains: the pending batch is reconciled and acknowledged before listen returns") {
    scripted_source source;
    source.ends = false;
    std::stop_source stop;
    source.stop_when_empty = &stop;
    source.queue = {msg(1, "org_unit", "\"U1\""), msg(2, "manager", "\"M1\"")};
    recording_handler h(source);
    listen_options o = fast();
    o.coalesce = 1h;  // the batch would not fall due by itself
    auto totals = listen(source, h.handler(), o, stop.get_token());
    REQUIRE(totals);
    CHECK(totals->stopped);
    REQUIRE(h.batches.size() == 1);
    CHECK(h.batches[0].size() == 2);
    CHECK(source.acked == std::vector<std::uint64_t>{1, 2});
  }

  TEST_CASE("a full batch (the prefetch) goes at once, without waiting for its window") {
    scripted_source source;
    source.ends = false;
    std::stop_source stop;
    for (std::uint64_t i = 1; i <= 4; ++i) source.queue.push_back(msg(i, "org_unit", "\"U\""));
    recording_handler h(source);
    listen_options o = fast();
    o.coalesce = 1h;
    o.max_batch = 2;
    std::thread stopper([&] {
      for (int i = 0; i < 20000 && (source.acks < 4 || !source.idle); ++i) std::this_thread::sleep_for(1ms);
      stop.request_stop();
    });
    auto totals = listen(source, h.handler(), o, stop.get_token());
    stopper.join();
    REQUIRE(totals);
    CHECK(h.batches.size() == 2);
    CHECK(source.acked.size() == 4);
  }

  TEST_CASE("events are batched by their arrival window: coalesce 0 gives one batch per event") {
    scripted_source source;
    source.queue = {msg(1, "org_unit", "\"U1\""), msg(2, "org_unit", "\"U2\""), msg(3, "org_unit", "\"U3\"")};
    source.gap = 2ms;  // each arrives after the window of the one before
    recording_handler h(source);
    listen_options o = fast();
    o.coalesce = 0ms;
    auto totals = listen(source, h.handler(), o, std::stop_token());
    REQUIRE(totals);
    CHECK(totals->batches == 3);
    CHECK(source.acked == std::vector<std::uint64_t>{1, 2, 3});
  }
}

TEST_SUITE("service::listen") {
  TEST_CASE("drift repair: a full reconcile runs every full_every, between batches, never beside one") {
    scripted_source source;
    source.ends = false;
    std::stop_source stop;
    for (std::uint64_t i = 1; i <= 3; ++i) source.queue.push_back(msg(i, "org_unit", "\"U\""));
    std::atomic<int> running{0}, overlaps{0}, fulls{0};
    const batch_handler handle = [&](const std::vector<event>&) -> result<run_report> {
      if (running++ != 0) ++overlaps;
      std::this_thread::sleep_for(5ms);
      --running;
      return run_report{};
    };
    listen_options o = fast();
    o.coalesce = 0ms;
    o.full_every = 10ms;
    o.full = [&]() -> result<run_report> {
      if (running++ != 0) ++overlaps;
      std::this_thread::sleep_for(5ms);
      --running;
      if (++fulls >= 3) stop.request_stop();
      return run_report{};
    };
    auto totals = listen(source, handle, o, stop.get_token());
    REQUIRE(totals);
    CHECK(totals->full_runs >= 3);
    CHECK(fulls >= 3);
    CHECK(overlaps == 0);
    CHECK(source.acked == std::vector<std::uint64_t>{1, 2, 3});
  }

  TEST_CASE("drift repair off (0) never runs; a failed one is logged and retried later, not fatal") {
    scripted_source source;
    source.queue = {msg(1, "org_unit", "\"U1\"")};
    std::atomic<int> fulls{0};
    listen_options o = fast();
    o.full = [&]() -> result<run_report> {
      ++fulls;
      return run_report{};
    };
    recording_handler h(source);
    auto totals = listen(source, h.handler(), o, std::stop_token());
    REQUIRE(totals);
    CHECK(fulls == 0);

    scripted_source down;
    down.ends = false;
    std::stop_source stop;
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    listen_options d = fast();
    d.full_every = 5ms;
    d.retry = backoff_policy{1ms, 5ms};
    d.log = [&](linemgr::io::log_level, std::string_view line) {
      std::lock_guard<std::mutex> lock(lines_mutex);
      lines.emplace_back(line);
    };
    d.full = [&]() -> result<run_report> {
      if (++fulls >= 3) stop.request_stop();
      return error{error_kind::unavailable, "OS2mo: connection refused"};
    };
    recording_handler h2(down);
    auto after = listen(down, h2.handler(), d, stop.get_token());
    REQUIRE(after);
    CHECK(fulls >= 3);
    CHECK(after->full_runs == 0);
    std::lock_guard<std::mutex> lock(lines_mutex);
    bool logged = false;
    for (const std::string& l : lines) logged = logged || l.find("full reconcile: OS2mo: connection refused; trying again") == 0;
    CHECK(logged);
  }

  TEST_CASE("a full reconcile the guard rails refuse is logged and tried at the next interval; the listener goes on") {
    scripted_source source;
    source.ends = false;
    std::stop_source stop;
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    std::atomic<int> fulls{0};
    listen_options o = fast();
    o.full_every = 5ms;
    o.log = [&](linemgr::io::log_level, std::string_view line) {
      std::lock_guard<std::mutex> lock(lines_mutex);
      lines.emplace_back(line);
    };
    o.full = [&]() -> result<run_report> {
      if (++fulls >= 3) stop.request_stop();
      return error{error_kind::refused, "refusing to write 900 changes: more than max_changes = 10"};
    };
    recording_handler h(source);
    auto totals = listen(source, h.handler(), o, stop.get_token());
    REQUIRE(totals);  // not fatal
    CHECK(fulls >= 3);
    CHECK(totals->full_runs == 0);
    std::lock_guard<std::mutex> lock(lines_mutex);
    bool logged = false;
    for (const std::string& l : lines) logged = logged || l.find("full reconcile: refusing to write 900 changes") == 0;
    CHECK(logged);
  }

  TEST_CASE("durations as people write them") {
    CHECK(parse_duration("0") == 0ms);
    CHECK(parse_duration("90s") == 90000ms);
    CHECK(parse_duration("24h") == std::chrono::milliseconds(24 * 3600 * 1000));
    CHECK(parse_duration("1h30m") == std::chrono::milliseconds(90 * 60 * 1000));
    CHECK(parse_duration("7d") == std::chrono::milliseconds(7LL * 24 * 3600 * 1000));
    for (const char* bad : {"", "h", "24", "24x", "-1h", "1.5h", "10 m"}) CHECK_FALSE(parse_duration(bad));
  }
}
