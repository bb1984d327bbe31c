#pragma once
// Delivering the outbox: signed HTTP requests (libcurl), one in flight per sink so a slow sink
// holds up only itself; 2xx is delivered, 410 disables the sink, anything else is retried with
// exponential backoff and jitter (at least Retry-After) until the sink's maximum age.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>
#include <optional>
#include <string>

#include <linemgr/core/result.hpp>
#include <linemgr/webhooks/outbox.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;

// What one HTTP attempt came to.
struct attempt_outcome {
  std::optional<int> status;         // the HTTP status, when there was an answer
  std::string error;                 // why it failed, for people (no secrets)
  std::optional<long> retry_after_s;  // the answer's Retry-After
  long elapsed_ms = 0;
};

// What to do after an attempt.
enum class verdict : std::uint8_t { delivered, retry, dead, disable_sink };

// The policy: 2xx delivered; 410 disables the sink; others retry until `max_age_s` has passed
// since the delivery was created, then dead.
verdict judge(const attempt_outcome& a, std::int64_t age_ms, std::int64_t max_age_s);

// The wait before retry number `attempts` + 1: 2 s doubled per attempt, at most 1 h, scaled by
// a jitter in [0.5, 1] taken from `unit_random` in [0, 1); at least Retry-After.
std::int64_t retry_delay_ms(int attempts, std::optional<long> retry_after_s, double unit_random);

// Counts of one delivery pass.
struct delivery_summary {
  std::size_t delivered = 0, failed = 0, dead = 0;
  std::size_t waiting = 0;  // pending or failed deliveries left for a later pass
  // Attempts that failed and will be retried, per sink, with the last error: summed up in one
  // line per pass (trouble_text), not logged one by one.
  struct sink_trouble {
    std::size_t attempts = 0;
    std::string last_error;
  };
  std::map<std::string, sink_trouble> trouble;
  // Every attempt of the pass per sink, and the failed ones among them (retried, dead or 410).
  struct sink_attempts {
    std::size_t attempts = 0, failures = 0;
  };
  std::map<std::string, sink_attempts> attempts;
  std::vector<double> latency_s;  // per delivery made: seconds from its notice being queued to its 2xx answer
};

// The failed attempts of a pass in one line ("hr-chat: 63 attempts failed, the last: HTTP 503");
// empty when none failed.
std::string trouble_text(const delivery_summary& sum);

// A line for the log (never holds a secret).
using delivery_log = std::function<void(const std::string&)>;

// Delivers what is due, and what falls due before `deadline_ms`, for every configured sink.
// Returns when nothing more is due before the deadline, or at the deadline or when `stop` becomes
// true: with a hard deadline transfers still in flight are put back (to be sent again), else no
// new transfer starts and those in flight finish (each within its sink's timeout) first.
result<delivery_summary> deliver_due(outbox& box, const webhook_settings& settings, std::int64_t deadline_ms,
                                     const delivery_log& log, const std::atomic<bool>* stop = nullptr,
                                     bool hard_deadline = true);

// Sends one body to a sink now, signed, without the outbox (for `webhooks test`).
attempt_outcome send_now(const webhook_sink& sink, const std::string& id, const std::string& body);

// Milliseconds since the Unix epoch, from the system clock.
std::int64_t now_ms();

}  // namespace linemgr::webhooks
