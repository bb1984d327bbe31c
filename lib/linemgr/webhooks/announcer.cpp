#include <linemgr/webhooks/announcer.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include <linemgr/core/strings.hpp>
#include <linemgr/webhooks/delivery.hpp>
#include <linemgr/webhooks/emit.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;

namespace {

std::string new_run_id() {
  const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
  const std::string seed = fmt::format("{}:{}:{}", now_ms(), ::getpid(), t);
  return uuid_like(hash_string(seed), hash_string(seed + ":run"));
}

}  // namespace

std::string outbox_path_of(const webhook_settings& s) { return s.outbox.empty() ? default_outbox_path() : s.outbox; }

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

announcer::announcer(webhook_settings settings, outbox box, std::string outbox_path, log_sink log)
    : settings_(std::move(settings)), box_(std::move(box)), outbox_path_(std::move(outbox_path)), log_(std::move(log)),
      run_id_(new_run_id()) {}

announcer::~announcer() {
  stop_ = true;
  wake();
  if (worker_.joinable()) worker_.join();
}

result<std::unique_ptr<announcer>> announcer::open(webhook_settings settings, log_sink log) {
  if (settings.sinks.empty()) return std::unique_ptr<announcer>();
  std::string path = outbox_path_of(settings);
  auto box = outbox::open(path);
  if (!box) return box.err();
  return std::unique_ptr<announcer>(new announcer(std::move(settings), std::move(*box), std::move(path), std::move(log)));
}

void announcer::log(log_level level, const std::string& line) const {
  if (log_) log_(level, line);
}

status announcer::hold(const snapshot& snap, const plan& p) {
  if (p.changes.empty()) return {};
  std::vector<notice> planned = notices_for_run(snap, p, nullptr, run_summary{}, {run_id_, utc_now(), false});
  planned.pop_back();  // the run's own notice is written with the outcome
  held_ids_.clear();
  for (const notice& n : planned) held_ids_.push_back(n.id);
  auto items = outbox_items(settings_, planned);
  if (!items) {
    log(log_level::warn, items.err().message);
    return items.err();
  }
  if (auto held = box_.hold(*items, now_ms()); !held) {
    log(log_level::warn, fmt::format("{}: the plan's notices could not be held before applying: {}", outbox_path_, held.err().message));
    return held.err();
  }
  return {};
}

status announcer::announce(const snapshot& snap, const plan& p, const apply_report* report, const run_summary& run, bool dry_run,
                           bool full) {
  const notice_context ctx{run_id_, utc_now(), dry_run};
  auto items = outbox_items(settings_, notices_for_run(snap, p, report, run, ctx));
  if (!items) {
    log(log_level::warn, items.err().message);
    return items.err();
  }
  auto added = box_.commit_held(*items, held_ids_, full && !dry_run, now_ms());
  held_ids_.clear();
  if (!added) {
    log(log_level::warn, fmt::format("{}: the run's notices were NOT written: {}", outbox_path_, added.err().message));
    return added.err();
  }
  wake();
  return {};
}

void announcer::flush() {
  if (worker_.joinable()) {
    stop_ = true;
    wake();
    worker_.join();
    stop_ = false;
  }
  auto sum = deliver_due(box_, settings_, now_ms() + settings_.flush_timeout_ms,
                         [this](const std::string& line) { log(log_level::warn, line); });
  if (!sum) {
    log(log_level::warn, fmt::format("webhooks: {}", sum.err().message));
    return;
  }
  if (on_pass_) on_pass_(*sum);
  const std::string trouble = trouble_text(*sum);
  if (sum->delivered || sum->failed || sum->dead || sum->waiting)
    log(trouble.empty() ? log_level::info : log_level::warn,
        fmt::format("webhooks: {} delivered, {} failed, {} dead; {} waiting{}{}", sum->delivered, sum->failed, sum->dead, sum->waiting,
                    sum->waiting ? " for the next run or `linemgr webhooks deliver`" : "", trouble.empty() ? "" : " (" + trouble + ")"));
}

void announcer::start_background() {
  if (worker_.joinable()) return;
  worker_ = std::thread([this] { background_loop(); });
}

void announcer::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void announcer::background_loop() {
  // Its own connection: the main thread's transactions must not take in the worker's updates.
  auto box = outbox::open(outbox_path_);
  if (!box) {
    log(log_level::warn, fmt::format("webhooks: background delivery stopped: {}", box.err().message));
    return;
  }
  std::map<std::string, delivery_summary::sink_trouble> troubled;  // failures not reported yet
  std::int64_t trouble_logged_ms = 0;
  while (!stop_) {
    // Passes of a second; a pass that ends lets its transfers finish, so none is sent twice.
    auto sum = deliver_due(*box, settings_, now_ms() + 1000, [this](const std::string& line) { log(log_level::warn, line); },
                           &stop_, false);
    if (!sum) log(log_level::warn, fmt::format("webhooks: {}", sum.err().message));
    if (sum && on_pass_) on_pass_(*sum);
    // A sink that keeps failing is reported once a minute, not once per attempt.
    if (sum && !sum->trouble.empty()) {
      for (const auto& [sink, t] : sum->trouble) {
        auto& seen = troubled[sink];
        seen.attempts += t.attempts;
        seen.last_error = t.last_error;
      }
      if (const std::int64_t now = now_ms(); now - trouble_logged_ms >= 60'000) {
        delivery_summary pending;
        pending.trouble.swap(troubled);
        log(log_level::warn, "webhooks: " + trouble_text(pending) + "; retrying");
        trouble_logged_ms = now;
      }
    }
    if (on_counts_)
      if (auto counts = box->counts(); counts) on_counts_(*counts);
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(sum && sum->waiting ? 200 : 2000), [this] { return woken_ || stop_; });
    woken_ = false;
  }
}

}  // namespace linemgr::webhooks
