#include <linemgr/service/listen.hpp>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>

#include <fmt/format.h>

namespace linemgr::service {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One listen run: the source, the pending batch, the batch under way on the worker thread.
class loop {
 public:
  loop(event_source& source, const batch_handler& handle, const listen_options& options, std::stop_token stop,
       listen_observer* observer)
      : source_(source), handle_(handle), o_(options), stop_(std::move(stop)), observer_(observer ? observer : &silent_),
        batcher_(options.coalesce) {}

  result<listen_totals> run() {
    if (auto c = connect(); !c) return c.err();
    if (o_.full_every.count() > 0 && o_.full) next_full_ = clock::now() + o_.full_every;
    while (!stop_.stop_requested() && !final_) {
      if (finished()) settle();
      if (final_) break;
      const auto now = clock::now();
      if (!busy() && next_full_ && now >= *next_full_) {
        start_full();
        continue;
      }
      const bool full = o_.max_batch && batcher_.size() >= o_.max_batch;
      if (!busy() && !batcher_.empty() && (batcher_.due(now) || full || source_.ended()) && now >= retry_at_) {
        start();
        continue;
      }
      if (source_.ended()) {
        if (!busy() && batcher_.empty()) break;
        pause(busy() ? milliseconds(20) : std::max(milliseconds(1), until(retry_at_, now)));
        continue;
      }
      // Wake up often enough to notice a stop and finished work.
      auto wait = milliseconds(busy() ? 20 : 250);
      if (!busy() && next_full_) wait = std::clamp(until(*next_full_, now), milliseconds(1), wait);
      if (!busy() && !batcher_.empty()) wait = std::clamp(until(std::max(batcher_.deadline(), retry_at_), now), milliseconds(1), wait);
      receive(now + wait);
    }
    // Stopping (or at the end of input): finish what was received, acknowledge it, close.
    if (busy()) settle();
    if (!final_ && !batcher_.empty() && connected_) {
      start(true);
      settle();
      if (failures_ > 0 && source_.exhausted() == when_exhausted::fail && !final_) final_ = last_failure_;
    }
    source_.close();
    totals_.stopped = stop_.stop_requested();
    if (final_) return *final_;
    return totals_;
  }

 private:
  template <class... A>
  void log(log_level level, fmt::format_string<A...> f, A&&... args) {
    if (o_.log) o_.log(level, fmt::format(f, std::forward<A>(args)...));
  }

  static milliseconds until(clock::time_point t, clock::time_point now) {
    return std::chrono::duration_cast<milliseconds>(t - now) + milliseconds(1);
  }

  // Sleeps for `d`, or less when a stop is requested.
  void pause(milliseconds d) {
    std::unique_lock<std::mutex> lock(pause_mutex_);
    pause_cv_.wait_for(lock, stop_, d, [] { return false; });
  }

  // Connects, retrying while the source is unreachable; other errors are final.
  status connect() {
    for (int attempt = 0; !stop_.stop_requested(); ++attempt) {
      auto c = source_.connect();
      if (c) {
        connected_ = true;
        observer_->connected(true);
        if (const std::string what = source_.connected_as(); !what.empty()) log(log_level::info, "{}", what);
        return {};
      }
      if (c.err().kind != error_kind::unavailable) return c.err();
      const milliseconds wait = o_.retry.delay(attempt);
      log(log_level::warn, "{}; connecting again in {} ms", c.err().message, wait.count());
      pause(wait);
    }
    return {};
  }

  // Takes the next message (until `deadline`) into the pending batch.
  void receive(clock::time_point deadline) {
    auto got = source_.next(deadline);
    if (!got) {
      if (got.err().kind != error_kind::unavailable) {
        final_ = got.err();
        return;
      }
      connected_ = false;
      observer_->connected(false);
      if (source_.reconnect_redelivers()) {
        ++generation_;  // the tags of this connection are void: the broker redelivers those messages
        const std::size_t dropped = batcher_.take_all().events.size();
        log(log_level::warn, "{}; {} unacknowledged messages will be redelivered", got.err().message, dropped);
      } else {
        log(log_level::warn, "{}; connecting again", got.err().message);
      }
      if (busy()) settle();
      if (auto c = connect(); !c) final_ = c.err();
      return;
    }
    if (!*got) return;
    message m = std::move(**got);
    ++totals_.messages;
    observer_->received(m);
    if (!m.parsed) {
      ++totals_.malformed;
      observer_->malformed(m);
      log(log_level::warn, "{}: {}; {}", m.where, m.parsed.err().message, source_.rejected_as());
      if (auto r = source_.reject(m.tag); !r) log(log_level::warn, "{}: rejecting failed: {}", m.where, r.err().message);
      return;
    }
    if (!*m.parsed) {
      ++totals_.ignored;
      if (auto a = source_.ack(m.tag); !a) log(log_level::warn, "{}: acknowledging failed: {}", m.where, a.err().message);
      return;
    }
    ++totals_.events;
    log(log_level::debug, "{}: {} {}", m.where, routing_key_of((*m.parsed)->kind), (*m.parsed)->subject);
    batcher_.add(std::move(**m.parsed), m.tag, clock::now());
  }

  bool busy() const { return running_.valid(); }
  bool finished() const { return busy() && running_.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }

  // Starts the due batch (`everything`: all that is pending, to finish before stopping).
  void start(bool everything = false) {
    full_in_flight_ = false;
    in_flight_ = everything ? batcher_.take_all() : batcher_.take();
    in_flight_generation_ = generation_;
    started_ = clock::now();
    running_ = std::async(std::launch::async, [this, events = in_flight_.events] { return handle_(events); });
  }

  // Starts a full reconcile (drift repair) on the worker thread.
  void start_full() {
    full_in_flight_ = true;
    in_flight_ = {};
    started_ = clock::now();
    log(log_level::info, "full reconcile (drift repair, every {} s)", o_.full_every.count() / 1000);
    running_ = std::async(std::launch::async, [this] { return o_.full(); });
  }

  // The error of a try that failed for want of OS2mo (to be tried again); nullopt when it did not.
  static std::optional<error> failed_try(const result<run_report>& r) {
    if (!r) return r.err().kind == error_kind::unavailable ? std::optional(r.err()) : std::nullopt;
    if (r->applied && r->applied->fatal) return r->applied->fatal;
    return std::nullopt;
  }

  // Adds a finished run to the totals; returns what it did, as the log says it.
  std::string count(const run_report& r) {
    const std::size_t ok = r.applied ? r.applied->ok : 0, failed = r.applied ? r.applied->failed.size() : 0,
                      stale = r.applied ? r.applied->stale.size() : 0;
    totals_.changes += r.changes.changes.size();
    totals_.ok += ok;
    totals_.failed += failed;
    totals_.stale += stale;
    return fmt::format("{} changes ({} applied, {} failed, {} stale)", r.changes.changes.size(), ok, failed, stale);
  }

  // Takes a finished full reconcile: logs and counts it, and schedules the next.
  void settle_full(const result<run_report>& r) {
    observer_->full_done(r, clock::now() - started_);
    const auto now = clock::now();
    if (const auto failed = failed_try(r)) {
      log(log_level::warn, "full reconcile: {}; trying again in {} s", failed->message, o_.retry.cap.count() / 1000);
      next_full_ = now + o_.retry.cap;
      return;
    }
    if (!r && r.err().kind == error_kind::refused) {  // the guard rails: nothing written; the listener goes on
      log(log_level::warn, "full reconcile: {}; trying again in {} s", r.err().message, o_.full_every.count() / 1000);
      next_full_ = now + o_.full_every;
      return;
    }
    if (!r) {
      final_ = r.err();
      return;
    }
    ++totals_.full_runs;
    log(log_level::info, "full reconcile: {}", count(*r));
    next_full_ = now + o_.full_every;
  }

  // Takes the finished batch: acknowledges its messages when its changes are applied; a failed
  // try puts it back for later, or, after max_attempts, to the source's when_exhausted.
  void settle() {
    const result<run_report> r = running_.get();
    if (full_in_flight_) {
      full_in_flight_ = false;
      settle_full(r);
      return;
    }
    const coalescer::batch b = std::move(in_flight_);
    in_flight_ = {};
    observer_->batch_done(b.events, r, clock::now() - started_);
    if (in_flight_generation_ != generation_) {
      log(log_level::warn, "the connection was lost while {} events were handled; the broker redelivers them", b.events.size());
      return;
    }
    if (const auto failed = failed_try(r)) {
      retry(b, *failed);
      return;
    }
    if (!r) {
      final_ = r.err();
      return;
    }
    failures_ = 0;
    for (std::uint64_t tag : b.tags)
      if (auto a = source_.ack(tag); !a) log(log_level::warn, "acknowledging an event failed ({}); it will be handled again", a.err().message);
    ++totals_.batches;
    totals_.units += r->units;
    log(log_level::info, "{} events -> {} units, {}; acknowledged", b.events.size(), r->units, count(*r));
  }

  void retry(const coalescer::batch& b, const error& why) {
    ++failures_;
    last_failure_ = why;
    if (failures_ >= o_.max_attempts) {
      switch (source_.exhausted()) {
        case when_exhausted::dead_letter:
          for (std::uint64_t tag : b.tags)
            if (auto r = source_.reject(tag); !r) log(log_level::warn, "dead-lettering failed: {}", r.err().message);
          totals_.dead_lettered += b.tags.size();
          observer_->dead_lettered(b.events);
          log(log_level::warn, "{} (try {} of {}); {} messages dead-lettered", why.message, failures_, o_.max_attempts, b.tags.size());
          failures_ = 0;
          return;
        case when_exhausted::fail:
          log(log_level::warn, "{} (try {} of {}); giving up", why.message, failures_, o_.max_attempts);
          final_ = why;
          return;
        case when_exhausted::keep_trying: break;
      }
    }
    const milliseconds wait = o_.retry.delay(failures_ - 1);
    log(log_level::warn, "{} (try {} of {}); trying the batch again in {} ms", why.message, failures_, o_.max_attempts, wait.count());
    const auto now = clock::now();
    for (std::size_t i = 0; i < b.events.size(); ++i) batcher_.add(b.events[i], b.tags[i], now);
    retry_at_ = now + wait;
  }

  event_source& source_;
  const batch_handler& handle_;
  const listen_options& o_;
  std::stop_token stop_;
  listen_observer silent_;
  listen_observer* observer_;
  coalescer batcher_;
  std::future<result<run_report>> running_;
  coalescer::batch in_flight_;
  std::uint64_t generation_ = 0, in_flight_generation_ = 0;  // a lost connection voids its tags
  clock::time_point started_{}, retry_at_{};
  int failures_ = 0;  // consecutive failed tries of the pending batch
  bool connected_ = false;
  bool full_in_flight_ = false;                 // the worker runs a full reconcile, not a batch
  std::optional<clock::time_point> next_full_;  // when the next full reconcile is due
  std::optional<error> final_, last_failure_;
  listen_totals totals_;
  std::mutex pause_mutex_;
  std::condition_variable_any pause_cv_;
};

}  // namespace

std::optional<milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return milliseconds(0);
  milliseconds total{0};
  std::size_t i = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    std::size_t digits = i;
    long long n = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9' && n < 1000000000) n = n * 10 + (text[digits++] - '0');
    if (digits == i || digits >= text.size()) return std::nullopt;
    long long unit_ms = 0;
    switch (text[digits]) {
      case 's': unit_ms = 1000; break;
      case 'm': unit_ms = 60 * 1000; break;
      case 'h': unit_ms = 3600 * 1000; break;
      case 'd': unit_ms = 24 * 3600 * 1000; break;
      default: return std::nullopt;
    }
    total += milliseconds(n * unit_ms);
    i = digits + 1;
  }
  return total;
}

result<listen_totals> listen(event_source& source, const batch_handler& handle, const listen_options& options, std::stop_token stop,
                             listen_observer* observer) {
  return loop(source, handle, options, std::move(stop), observer).run();
}

}  // namespace linemgr::service
