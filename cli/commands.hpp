#pragma once
// The subcommands behind the CLI11 front end. Each returns an exit status or throws
// cli::failure, which run() maps to its status in one place.
#include <optional>
#include <string>

#include "core/result.hpp"

namespace linemgr::cli {

// A failure that ends the command with the exit status of its kind.
struct failure {
  linemgr::error err;
};

// Output format of plans.
enum class output_format { automatic, text, json };

// Options shared by the commands that read a snapshot.
struct source_options {
  std::string snapshot;  // a snapshot file, or
  std::string mo_url;    // OS2mo (also $OS2MO_API_URL, $MO_URL)
  std::string token_file;
  std::string ca_file;
  std::string config;  // empty: the default search
  std::string today;   // empty: the snapshot's, else today in Europe/Copenhagen
};

// reconcile-all and reconcile-unit.
struct reconcile_options {
  source_options source;
  std::optional<std::string> unit;  // reconcile-unit's unit
  bool dry_run = false;
  output_format format = output_format::automatic;
  std::string write_snapshot;
  bool fail_on_changes = false;
  long webhook_flush_timeout_s = -1;  // -1: the configuration's ([webhooks] flush_timeout, else 10 s)
  bool quiet = false;                 // no progress bar, warnings and errors only
};
int reconcile(const reconcile_options& o);

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

// listen: events from stdin (JSON Lines) or AMQP, coalesced, reconciled, applied.
struct listen_options {
  source_options source;
  std::string from = "stdin";  // --source
  long coalesce_ms = 500;
  bool dry_run = false;
  std::string write_snapshot;
  output_format format = output_format::automatic;
  // AMQP (--source amqp); the environment fills what flags leave empty.
  std::string amqp_url, amqp_queue, amqp_ca_file, dead_letter_exchange;
  std::string listener_prefix = "linemgr";  // --source mo-events: listener user_keys
  bool declare = false;
  int prefetch = 10, heartbeat_s = 30, max_attempts = 10;
  long webhook_flush_timeout_s = -1;
  std::string metrics_addr;  // HOST:PORT for /metrics and /health/*; empty: off
};
int listen(const listen_options& o);

// The exit status for an error kind (formats.md §5).
int exit_status(linemgr::error_kind kind);

}  // namespace linemgr::cli
