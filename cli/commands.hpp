#pragma once
// The subcommands behind the CLI11 table: each takes its options, returns an exit status or
// throws cli::failure, which run() maps to its status in one place.
#include <optional>
#include <string>

#include "output.hpp"

namespace linemgr::cli {


// reconcile-all and reconcile-unit.
struct reconcile_options {
  source_options source;
  std::optional<std::string> unit;  // reconcile-unit's unit
  bool dry_run = false;
  output_format format = output_format::automatic;
  std::string write_snapshot;
  bool fail_on_changes = false;
  bool detailed_exitcode = false;  // 0 no changes, 2 changes (planned or applied), 1 failed
  std::string out;                 // --out: save the plan for `apply` (applies nothing)
  std::string metrics_file;        // --metrics-file: the run's metrics for node_exporter's textfile collector
  bool force = false;    // no guard rails for this run
  bool yes = false;      // no question on a terminal
  long max_changes = 0;  // 0: [safety] max_changes
  long webhook_flush_timeout_s = -1;  // -1: the configuration's ([webhooks] flush_timeout, else 10 s)
  bool quiet = false;                 // no progress bar, warnings and errors only
};
int reconcile(const reconcile_options& o);

// apply PLAN: a plan saved with --out, applied as it was reviewed.
struct apply_options {
  source_options source;
  std::string plan_file;
  output_format format = output_format::automatic;
  std::string write_snapshot;
  std::string metrics_file;
  bool detailed_exitcode = false;
  bool force = false;
  bool yes = false;
  long max_changes = 0;
  long webhook_flush_timeout_s = -1;
  bool quiet = false;
};
int apply(const apply_options& o);

// explain UNIT.
struct explain_options {
  source_options source;
  std::string unit;
  output_format format = output_format::automatic;
};
int explain(const explain_options& o);

// manager-of PERSON|ENGAGEMENT.
struct manager_of_options {
  source_options source;
  std::string who;
  std::string date;  // empty: the day of the source options
  output_format format = output_format::automatic;
};
int manager_of(const manager_of_options& o);

// listen: events from stdin (JSON Lines), AMQP or OS2mo's event system, batched and reconciled.
struct listen_options {
  source_options source;
  std::string from = "stdin";  // --source
  long coalesce_ms = 500;
  bool dry_run = false;
  std::string write_snapshot;
  output_format format = output_format::automatic;
  std::string dead_letter_exchange;
  std::string listener_prefix = "linemgr";  // --source mo-events: listener user_keys
  bool declare = false;
  int prefetch = 10, heartbeat_s = 30, max_attempts = 10;
  long webhook_flush_timeout_s = -1;
  std::string metrics_addr;  // HOST:PORT for /metrics and /health/*; empty: off
  std::string full_every = "24h";  // drift repair: a full reconcile between batches this often ("0": never)
};
int listen(const listen_options& o);

// webhooks list|test|deliver|deliveries|replay.
struct webhooks_options {
  std::string config;
  std::string name;    // test: the sink
  std::string id;      // replay: a delivery number or a notice id
  std::string state;   // deliveries: held, pending, failed, delivering, delivered, dead (empty: all)
  std::size_t limit = 50;
  long timeout_s = -1;  // deliver: how long (default: the flush timeout)
  output_format format = output_format::automatic;
};
int webhooks_list(const webhooks_options& o);
int webhooks_test(const webhooks_options& o);
int webhooks_deliver(const webhooks_options& o);
int webhooks_deliveries(const webhooks_options& o);
int webhooks_replay(const webhooks_options& o);

// config show|check.
struct config_options {
  std::string config;
  output_format format = output_format::automatic;
};
int config_show(const config_options& o);
int config_check(const config_options& o);

// The exit status for an error kind (doc/formats.md §5).
int exit_status(core::error_kind kind);

}  // namespace linemgr::cli
