#pragma once
// Webhooks for the commands: sinks from the configuration file, the outbox, announcing what a
// run did, delivering (at the end of a run, in the background while listening, or on demand).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "commands.hpp"
#include "core/notices.hpp"
#include "webhooks/delivery.hpp"
#include "webhooks/outbox.hpp"
#include "webhooks/sinks.hpp"

namespace linemgr::cli {

// The configuration file a command reads: --config, else the default search (or none).
std::optional<std::string> config_path(const std::string& flag);

// The webhook sinks of the configuration and their outbox, for one command.
class webhooks {
 public:
  // The sinks of the configuration file; null when it declares none (then nothing is written).
  // A bad [[webhook]] table is a configuration failure (exit 78), before anything is changed.
  static std::unique_ptr<webhooks> open(const std::string& config_flag, long flush_timeout_flag_s);
  ~webhooks();

  // Before a plan is applied: holds its notices in the outbox (not sent before the outcome is
  // known), so a crash while applying loses no announcement.
  bool hold(const snapshot& snap, const plan& p);
  // Writes the notices of one reconcile (its changes and the run) to the outbox, replacing what
  // hold() wrote. `full` is a whole-organisation reconcile, which settles notices held by runs
  // that ended while applying. A failure to write is reported on stderr and returned as false;
  // the changes themselves stand.
  bool announce(const snapshot& snap, const plan& p, const apply_report* report, const run_summary& run, bool dry_run,
                bool full = false);
  // Delivers for up to the flush timeout and reports the outcome on stderr.
  void flush();
  // Starts delivering in the background (listen); flush() stops it first.
  void start_background();
  // Wakes the background delivery (new notices were written).
  void wake();
  // Called by the background delivery with the outbox's counts after each pass (for metrics).
  void on_counts(std::function<void(const std::vector<sink_counts>&)> f) { on_counts_ = std::move(f); }

 private:
  webhooks(webhook_settings settings, outbox box, std::string outbox_path);
  void background_loop();
  webhook_settings settings_;
  outbox box_;
  std::string outbox_path_;
  std::string run_id_;
  std::vector<std::string> held_ids_;  // what hold() wrote, until announce()
  std::thread worker_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::function<void(const std::vector<sink_counts>&)> on_counts_;
};

// The time now as RFC 3339 UTC (seconds).
std::string utc_now();

// linemgr webhooks list|test|deliver|deliveries|replay.
struct webhooks_options {
  std::string action;  // list, test, deliver, deliveries, replay
  std::string config;
  std::string name;    // test: the sink
  std::string id;      // replay: a delivery number or a notice id
  std::string state;   // deliveries: held, pending, failed, delivering, delivered, dead (empty: all)
  std::size_t limit = 50;
  long timeout_s = -1;  // deliver: how long (default: the flush timeout)
  output_format format = output_format::automatic;
};
int webhooks_command(const webhooks_options& o);

}  // namespace linemgr::cli
