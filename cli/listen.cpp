// listen: the event source the flags name, the library's listen loop over it, SIGINT/SIGTERM as
// its stop token, metrics served over HTTP, and a summary at the end.
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include <fmt/format.h>

#include <linemgr/io/files.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <linemgr/service/event_sources.hpp>
#include <linemgr/service/listen_metrics.hpp>

#include "commands.hpp"
#include "log.hpp"
#include "metrics_server.hpp"

#ifndef LINEMGR_VERSION
#define LINEMGR_VERSION "0"
#endif

namespace linemgr::cli {


namespace {

// SIGINT and SIGTERM as a stop request: blocked in this thread and every thread started after
// it, and taken by one thread that waits for them.
class signal_stop {
 public:
  signal_stop() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    waiter_ = std::jthread([this](std::stop_token done) {
      const timespec tick{0, 200 * 1000 * 1000};
      while (!done.stop_requested()) {
        if (const int sig = sigtimedwait(&set_, nullptr, &tick); sig > 0) {
          signal_ = sig;
          stop_.request_stop();
        }
      }
    });
  }
  ~signal_stop() {
    waiter_.request_stop();
    waiter_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  std::stop_token token() const { return stop_.get_token(); }
  // The exit status of a run the signal stopped: 130 for SIGINT, 143 for SIGTERM.
  int exit_status() const { return signal_ == SIGINT ? 130 : 143; }

 private:
  sigset_t set_{}, old_{};
  std::stop_source stop_;
  std::atomic<int> signal_{0};
  std::jthread waiter_;
};

std::string summary(const service::listen_totals& t, std::uint64_t lines, bool json) {
  if (json)
    return fmt::format(
        "{{\"format\": \"linemgr-listen/1\", \"lines\": {}, \"events\": {}, \"malformed\": {}, \"ignored\": {}, \"batches\": {}, "
        "\"units\": {}, \"full_reconciles\": {}, \"changes\": {}, \"applied\": {{\"ok\": {}, \"failed\": {}, \"stale\": {}}}}}\n",
        lines, t.events, t.malformed, t.ignored, t.batches, t.units, t.full_runs, t.changes, t.ok, t.failed, t.stale);
  return fmt::format("{} lines: {} events, {} malformed, {} ignored\n{} reconciles of {} units: {} changes, {} applied, {} failed, {} stale\n",
                     lines, t.events, t.malformed, t.ignored, t.batches, t.units, t.changes, t.ok, t.failed, t.stale);
}

}  // namespace

int listen(const listen_options& o) {
  const signal_stop signals;  // first: the threads started below inherit the blocked signals
  if (o.dry_run && !o.write_snapshot.empty()) usage("--write-snapshot writes the applied changes; leave out --dry-run");
  if (!o.write_snapshot.empty()) take(check_output_file(o.write_snapshot, "snapshot to write"));  // before any work
  if (o.source.snapshot == "-") usage("--snapshot -: standard input carries the events");
  if (o.from == "mo-events" && !o.source.snapshot.empty()) usage("--source mo-events reads OS2mo's events: use --mo-url, not --snapshot");
  const auto full_every = service::parse_duration(o.full_every);
  if (!full_every) usage(fmt::format("--full-every {}: use a duration such as 24h, 90m or 1h30m (0: never)", o.full_every));
  const service::settings s = load_settings(o.source.flags);
  const bool dry_run = o.dry_run || (o.write_snapshot.empty() && s.dry_run().value_or(false));
  service::organisation org = open_organisation(o.source, s);
  if (!org.os2mo()) take(org.load());  // a snapshot is read now; OS2mo again for every batch

  std::unique_ptr<service::event_source> source;
  service::line_source* lines = nullptr;
  if (o.from == "amqp") {
    amqp_settings a = take(s.amqp());
    a.declare = o.declare;
    a.dead_letter_exchange = o.dead_letter_exchange;
    a.prefetch = o.prefetch;
    a.heartbeat_s = o.heartbeat_s;
    source = std::make_unique<service::amqp_source>(std::move(a));
  } else if (o.from == "mo-events") {
    source = std::make_unique<service::os2mo_event_source>(take(s.os2mo()), o.listener_prefix);
  } else {
    auto stdin_source = std::make_unique<service::line_source>(STDIN_FILENO, "stdin");
    lines = stdin_source.get();
    source = std::move(stdin_source);
  }

  service::listen_metrics observer(o.from == "amqp", LINEMGR_VERSION);
  std::unique_ptr<metrics_server> server;
  if (!o.metrics_addr.empty()) {
    server = std::make_unique<metrics_server>(o.metrics_addr, observer);
    log_info("serving /metrics, /health/live and /health/ready on port {}", server->port());
  }
  const std::unique_ptr<announcer> hooks = open_announcer(s, o.webhook_flush_timeout_s);
  if (hooks) {
    hooks->on_counts([&observer](const std::vector<sink_counts>& counts) { observer.webhook_counts(counts); });
    hooks->on_pass([&observer](const delivery_summary& pass) { observer.webhook_pass(pass); });
    hooks->start_background();
  }
  service::run_options run;
  run.command = "listen";
  run.dry_run = dry_run;
  run.log = stderr_log();
  run.safety = org.rules().safety;  // an unattended listener is held to the [safety] limits
  const service::batch_handler handle = [&](const std::vector<event>& events) {
    return service::reconcile_batch(org, events, run, hooks.get());
  };
  service::listen_options options;
  options.coalesce = std::chrono::milliseconds(o.coalesce_ms);
  options.max_batch = o.from == "amqp" ? static_cast<std::size_t>(o.prefetch) : 0;  // a full prefetch gets no more messages
  options.max_attempts = o.max_attempts;
  options.log = stderr_log();
  options.full_every = *full_every;
  options.full = [&] { return service::reconcile(org, run, hooks.get()); };
  auto totals = service::listen(*source, handle, options, signals.token(), &observer);
  if (hooks) hooks->flush();
  if (!totals) throw failure{totals.err()};
  if (!o.write_snapshot.empty()) take(write_snapshot_file(o.write_snapshot, org.current()));
  print(summary(*totals, lines ? lines->lines() : totals->messages, wants_json(o.format)));
  if (totals->stopped) return signals.exit_status();
  return totals->failed || totals->stale ? 1 : 0;
}

}  // namespace linemgr::cli
