#pragma once
// The durable outbox (SQLite, WAL): every notice and one delivery per sink it matches are
// written in one transaction before any delivery is tried, so a crash loses nothing.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <linemgr/core/result.hpp>

struct sqlite3;

namespace linemgr::webhooks {

using namespace linemgr::core;

// Where a delivery stands: held (written before its change is applied; not sent until the
// change's outcome is known), pending (not tried yet), failed (tried, will be retried),
// delivering (claimed by a running process), delivered, or dead (given up; can be replayed).
enum class delivery_state : std::uint8_t { held, pending, failed, delivering, delivered, dead };
std::string_view delivery_state_name(delivery_state s);
std::optional<delivery_state> parse_delivery_state(std::string_view name);

// One delivery: a notice's rendered body for one sink, and how its attempts went.
struct delivery_row {
  std::int64_t id = 0;
  std::string notice_id, type, sink;
  delivery_state state = delivery_state::pending;
  std::string body, content_type;
  int attempts = 0;
  std::int64_t created_ms = 0, next_attempt_ms = 0;  // created_ms is reset by a replay
  std::optional<int> last_status;
  std::string last_error;
  std::optional<std::int64_t> delivered_ms;
};

// A notice to enqueue: its envelope and, per matching sink, the body to send.
struct outbox_item {
  std::string notice_id, type, time, envelope;
  struct for_sink {
    std::string sink, body, content_type;
  };
  std::vector<for_sink> deliveries;
};

// Counts of deliveries by state for one sink.
struct sink_counts {
  std::string sink;
  std::size_t held = 0, pending = 0, failed = 0, delivering = 0, delivered = 0, dead = 0;
};

// An open outbox file. Several processes may share one file; claims are leases.
class outbox {
 public:
  // Opens (creating the file, its directory and tables when missing) the outbox at `path`.
  static result<outbox> open(const std::string& path);
  outbox(outbox&&) noexcept;
  outbox& operator=(outbox&&) noexcept;
  ~outbox();

  // Writes the items in one transaction. A notice id already in the outbox is not written again
  // (its deliveries stay as they are). Returns the number of deliveries added.
  result<std::size_t> enqueue(const std::vector<outbox_item>& items, std::int64_t now_ms);

  // Before a plan is applied: writes its notices as held by this process, so that a crash while
  // applying loses no announcement. Notices already in the outbox are left as they are.
  result<std::size_t> hold(const std::vector<outbox_item>& items, std::int64_t now_ms);
  // After the plan was applied: drops this process's held notices and enqueues the final ones
  // (whose successes carry the same ids), in one transaction. Held notices of processes that
  // no longer run are settled too: dropped when their id is among `planned_ids` (this run
  // decided that change again), else, when `settle_orphans` (a full reconcile, which would have
  // planned the change were it not in effect), released for delivery.
  result<std::size_t> commit_held(const std::vector<outbox_item>& items, const std::vector<std::string>& planned_ids,
                                  bool settle_orphans, std::int64_t now_ms);

  // Makes deliveries left delivering by a process that no longer runs due again (a crash mid-request).
  status release_interrupted(std::int64_t now_ms);
  // Claims the oldest due delivery of `sink` (pending or failed with next_attempt <= now, or
  // delivering under an expired lease), marks it delivering until `lease_until_ms` and counts the
  // attempt.
  result<std::optional<delivery_row>> claim(const std::string& sink, std::int64_t now_ms, std::int64_t lease_until_ms);
  // The earliest next attempt among the sinks' pending and failed deliveries.
  result<std::optional<std::int64_t>> next_due(const std::vector<std::string>& sinks);

  // Records the outcome of an attempt.
  status mark_delivered(std::int64_t id, int http_status, std::int64_t now_ms);
  status mark_failed(std::int64_t id, std::optional<int> http_status, const std::string& error, std::int64_t next_attempt_ms);
  status mark_dead(std::int64_t id, std::optional<int> http_status, const std::string& error);
  // Puts a claimed delivery back as it was (the run ended before its attempt finished).
  status release(std::int64_t id, std::int64_t now_ms);

  // A sink disabled by a 410 answer, and the URL it had then.
  status disable_sink(const std::string& sink, const std::string& url, const std::string& reason, std::int64_t now_ms);
  // Why the sink is disabled, when it is and its URL is still `url` (a new URL enables it again).
  result<std::optional<std::string>> disabled_reason(const std::string& sink, const std::string& url);

  // Deliveries, newest first, optionally of one state; at most `limit`.
  result<std::vector<delivery_row>> list(std::optional<delivery_state> state, std::size_t limit);
  // Delivery counts per sink.
  result<std::vector<sink_counts>> counts();
  // Makes a delivery (by its number) or every delivery of a notice (by notice id) pending again,
  // now, with its age reset, and enables its sink again. Returns how many were reset.
  result<std::size_t> replay(const std::string& id, std::int64_t now_ms);

 private:
  explicit outbox(sqlite3* db);
  status exec(const char* sql);
  result<std::size_t> insert(const std::vector<outbox_item>& items, std::int64_t now_ms, bool held);
  result<std::size_t> in_transaction(const std::function<result<std::size_t>()>& work);
  sqlite3* db_ = nullptr;
};

}  // namespace linemgr::webhooks
