#pragma once
// The listen loop: events from a source, coalesced into batches, each batch reconciled and only
// then acknowledged. One loop for every source (stdin, AMQP, OS2mo's event system, an embedder's).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <linemgr/core/backoff.hpp>
#include <linemgr/core/events.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/log.hpp>
#include <linemgr/service/reconcile.hpp>

namespace linemgr::service {

using namespace linemgr::core;
using namespace linemgr::io;

// One message from an event source.
struct message {
  std::uint64_t tag = 0;    // the source's handle for ack() and reject()
  std::string routing_key;  // as received ("" when the source has none)
  std::string where;        // for log lines: "standard input line 3", "delivery 7 (org_unit)"
  // The event; nullopt for a routing key linemgr does not handle; an error when malformed.
  result<std::optional<event>> parsed = std::optional<event>();
};

// What the loop does with a batch that failed max_attempts times in a row.
enum class when_exhausted {
  dead_letter,  // reject its messages (to the dead-letter queue, where a person looks at them)
  fail,         // end listen with the batch's error
  keep_trying,  // keep trying at the longest backoff
};

// Where events come from. The loop calls it from one thread only.
class event_source {
 public:
  virtual ~event_source() = default;
  // Connects (and declares what it needs). An error of kind unavailable is retried with backoff;
  // any other kind ends listen.
  virtual status connect() = 0;
  // Waits until `deadline` at most for the next message: a message, or nullopt when none came
  // (or the source has ended). An error of kind unavailable means the connection was lost (the
  // loop connects again); any other kind ends listen.
  virtual result<std::optional<message>> next(std::chrono::steady_clock::time_point deadline) = 0;
  // What the log says once connected ("consuming queue q on host:5672"); empty: nothing.
  virtual std::string connected_as() const { return {}; }
  // True when no message will come again (end of input).
  virtual bool ended() const { return false; }
  // Acknowledges a message whose changes are applied.
  virtual status ack(std::uint64_t tag) = 0;
  // Rejects a message for good (malformed, or its batch exhausted): dead-lettered where the source can.
  virtual status reject(std::uint64_t tag) = 0;
  // What the loop does with a batch that keeps failing.
  virtual when_exhausted exhausted() const = 0;
  // True when a lost connection voids the tags of unacknowledged messages (the broker redelivers them).
  virtual bool reconnect_redelivers() const { return false; }
  // How a rejected malformed message is described in the log ("skipped", "rejected to the dead-letter exchange").
  virtual std::string rejected_as() const { return "rejected"; }
  // Closes the connection (after the last batch is settled).
  virtual void close() {}
};

// What the loop reports as it goes (for metrics and health); every method has an empty default.
class listen_observer {
 public:
  virtual ~listen_observer() = default;
  // The source connected (true) or lost its connection (false).
  virtual void connected(bool) {}
  // A message arrived (before parsing).
  virtual void received(const message&) {}
  // A message could not be parsed.
  virtual void malformed(const message&) {}
  // A batch was reconciled: its events and report (an error when it failed), and how long it took.
  virtual void batch_done(const std::vector<event>&, const result<run_report>&, std::chrono::duration<double>) {}
  // A batch's messages were dead-lettered.
  virtual void dead_lettered(const std::vector<event>&) {}
  // A full reconcile (drift repair) ran: its report (an error when it failed), and how long it took.
  virtual void full_done(const result<run_report>&, std::chrono::duration<double>) {}
};

// How the loop batches and retries.
struct listen_options {
  std::chrono::milliseconds coalesce{500};  // a batch falls due this long after its first event
  std::size_t max_batch = 0;                // a batch this large goes at once (AMQP: the prefetch); 0: no limit
  int max_attempts = 10;                    // tries of a batch before the source's when_exhausted
  backoff_policy retry{std::chrono::milliseconds(500), std::chrono::milliseconds(30000)};  // between tries and connects
  log_sink log;                             // what happens (info) and trouble (warn); may be empty
  // Drift repair: every `full_every` (0: never), between batches, `full` runs (a reconcile-all), so
  // that a listener stays correct when an event was lost upstream. One that fails is tried again
  // after the longest retry wait.
  std::chrono::milliseconds full_every{0};
  std::function<result<run_report>()> full;
};

// Totals over a listen run.
struct listen_totals {
  std::size_t messages = 0, events = 0, malformed = 0, ignored = 0, batches = 0, units = 0, changes = 0, ok = 0, failed = 0,
              stale = 0, dead_lettered = 0, full_runs = 0;
  bool stopped = false;  // ended by the stop token (not by the end of input)
};

// Reconciles one batch: typically reconcile_batch() over an organisation. An error of kind
// unavailable, or a report whose `applied->fatal` is set, is a try that failed: the batch is tried
// again whole. Any other error ends listen.
using batch_handler = std::function<result<run_report>(const std::vector<event>&)>;

// A duration as people write it: "0", "90s", "30m", "24h", "7d", or a sum such as "1h30m";
// nullopt when it is not one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Runs until the source ends, `stop` is requested (then the batch under way and the pending one
// are finished and acknowledged first), or a final error. Each batch runs on a worker thread while
// this thread keeps serving the source (heartbeats, the next messages). A message is acknowledged
// only after its batch's changes are applied; malformed messages are rejected at once.
result<listen_totals> listen(event_source& source, const batch_handler& handle, const listen_options& options,
                             std::stop_token stop, listen_observer* observer = nullptr);

}  // namespace linemgr::service
