#pragma once
// Announcing what runs did to the webhook sinks, crash-safe: a plan's notices are held in the
// outbox before it is applied and replaced by the outcome after; delivery at the end of a run or
// on a background thread while listening.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <linemgr/core/notices.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/log.hpp>
#include <linemgr/webhooks/delivery.hpp>
#include <linemgr/webhooks/outbox.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;
using namespace linemgr::io;

// The webhook sinks of a configuration and their outbox, for one process.
class announcer {
 public:
  // Opens the outbox of `settings`; null when no sink is configured (then nothing is written).
  // `log` takes delivery failures (warn) and summaries (info); it may be empty.
  static result<std::unique_ptr<announcer>> open(webhook_settings settings, log_sink log = {});
  ~announcer();
  announcer(const announcer&) = delete;
  announcer& operator=(const announcer&) = delete;

  // Before a plan is applied: holds its notices in the outbox (not sent before the outcome is
  // known), so a crash while applying loses no announcement. A failure is logged and returned;
  // the run goes on.
  status hold(const snapshot& snap, const plan& p);
  // Writes the notices of one run (its changes and the run itself) to the outbox, replacing what
  // hold() wrote. `full` is a whole-organisation run, which settles notices held by runs that
  // ended while applying. A failure is logged and returned; the changes themselves stand.
  status announce(const snapshot& snap, const plan& p, const apply_report* report, const run_summary& run, bool dry_run,
                  bool full = false);
  // Delivers for up to the flush timeout (stopping the background delivery first) and logs the outcome.
  void flush();
  // Starts delivering in the background; flush() or destruction stops it.
  void start_background();
  // Called by the background delivery with the outbox's counts after each pass (for metrics).
  void on_counts(std::function<void(const std::vector<sink_counts>&)> f) { on_counts_ = std::move(f); }
  // Called after every delivery pass of the background worker and of flush() with what it did.
  void on_pass(std::function<void(const delivery_summary&)> f) { on_pass_ = std::move(f); }
  // The outbox file.
  const std::string& outbox_path() const { return outbox_path_; }

 private:
  announcer(webhook_settings settings, outbox box, std::string outbox_path, log_sink log);
  void wake();
  void background_loop();
  void log(log_level level, const std::string& line) const;
  webhook_settings settings_;
  outbox box_;
  std::string outbox_path_;
  log_sink log_;
  std::string run_id_;
  std::vector<std::string> held_ids_;  // what hold() wrote, until announce()
  std::thread worker_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::function<void(const std::vector<sink_counts>&)> on_counts_;
  std::function<void(const delivery_summary&)> on_pass_;
};

// The outbox path of the settings: their own, else default_outbox_path().
std::string outbox_path_of(const webhook_settings& s);

// The time now as RFC 3339 UTC (seconds).
std::string utc_now();

}  // namespace linemgr::webhooks
