#include "app.hpp"

#include <cstdio>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "log.hpp"
#include "settings.hpp"
#include "webhooks.hpp"

namespace linemgr::cli {

namespace {

constexpr const char* version_text = "linemgr " LINEMGR_VERSION;

void add_source(CLI::App* sub, source_options& s) {
  auto* snapshot = sub->add_option("--snapshot", s.snapshot, "Snapshot file (linemgr-snapshot/1) to read; - for stdin");
  auto* mo = sub->add_option("--mo-url", s.mo_url,
                             "Read from OS2mo at this URL (default: $OS2MO_API_URL, $MO_URL); token from $OS2MO_API_TOKEN, "
                             "--token-file, or Keycloak client credentials ($CLIENT_ID, $CLIENT_SECRET, $AUTH_SERVER, $AUTH_REALM)");
  snapshot->excludes(mo);
  sub->add_option("--token-file", s.token_file, "A file holding the OS2mo bearer token")->check(CLI::ExistingFile);
  sub->add_option("--ca-file", s.ca_file, "An extra CA certificate bundle for TLS to OS2mo and the identity provider")
      ->check(CLI::ExistingFile);
  sub->add_option("--config", s.config,
                  "Rules configuration (TOML); default: $LINEMGR_CONFIG, $XDG_CONFIG_HOME/linemgr/config.toml, "
                  "/etc/linemgr/config.toml, else the built-in defaults");
  sub->add_option("--today", s.today, "The day to plan for (YYYY-MM-DD); default: the snapshot's, else today in Copenhagen");
}

void add_format(CLI::App* sub, output_format& f) {
  sub->add_option("--format", f, "Output: text or json (default: text on a terminal, json otherwise)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, output_format>{{"text", output_format::text},
                                                                                {"json", output_format::json}}));
}

// How commands log (every subcommand takes these).
struct logging_options {
  std::string format, level;
};

void add_logging(CLI::App* sub, logging_options& l) {
  sub->add_option("--log-format", l.format, "Log lines on standard error as text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--log-level", l.level, "DEBUG, INFO (default; or $LOG_LEVEL), WARN or ERROR");
}

void add_flush_timeout(CLI::App* sub, long& seconds) {
  sub->add_option("--webhook-flush-timeout", seconds,
                  "Seconds to spend delivering webhooks at the end (default: [webhooks] flush_timeout, else 10); "
                  "what is left goes with the next run or `linemgr webhooks deliver`")
      ->check(CLI::Range(0L, 3600L));
}

void add_reconcile(CLI::App* sub, reconcile_options& o) {
  add_source(sub, o.source);
  sub->add_flag("--dry-run", o.dry_run, "Compute and print the plan; apply nothing");
  add_format(sub, o.format);
  sub->add_option("--write-snapshot", o.write_snapshot, "Write the snapshot with the plan applied to this file (atomically)");
  sub->add_flag("--fail-on-changes", o.fail_on_changes, "Exit 1 when the plan is not empty (for checks in cron and CI)");
  add_flush_timeout(sub, o.webhook_flush_timeout_s);
}

}  // namespace

int exit_status(linemgr::error_kind kind) {
  switch (kind) {
    case error_kind::usage: return 64;
    case error_kind::data: return 65;
    case error_kind::unavailable: return 69;
    case error_kind::io: return 74;
    case error_kind::config: return 78;
  }
  return 70;
}

int run(int argc, char** argv) {
  CLI::App app{"linemgr keeps the line-management information in OS2mo correct: which units belong to the line "
               "organisation and who manages them.",
               "linemgr"};
  app.set_version_flag("--version", version_text);
  app.require_subcommand(1);
  app.fallthrough(false);

  reconcile_options all, unit;
  auto* all_cmd = app.add_subcommand("reconcile-all", "Plan (and apply) every rule for the whole organisation");
  add_reconcile(all_cmd, all);
  auto* unit_cmd = app.add_subcommand("reconcile-unit", "Plan (and apply) the changes for one unit, its ancestors and descendants");
  std::string unit_id;
  unit_cmd->add_option("UNIT", unit_id, "The unit's id (uuid)")->required();
  add_reconcile(unit_cmd, unit);

  explain_options ex;
  auto* explain_cmd = app.add_subcommand("explain", "Explain why a unit gets its class and its managers");
  explain_cmd->add_option("UNIT", ex.unit, "The unit's id (uuid), or its user_key")->required();
  add_source(explain_cmd, ex.source);
  add_format(explain_cmd, ex.format);

  manager_of_options mo;
  auto* manager_cmd = app.add_subcommand("manager-of", "Show a person's (or an engagement's) line manager");
  manager_cmd->add_option("WHO", mo.who, "A person id or an engagement id")->required();
  add_source(manager_cmd, mo.source);
  manager_cmd->add_option("--date", mo.date, "The day to answer for (YYYY-MM-DD); default: as --today");
  add_format(manager_cmd, mo.format);

  listen_options li;
  auto* listen_cmd = app.add_subcommand("listen", "React to OS2mo events: reconcile the units they affect, batch by batch");
  listen_cmd->add_option("--source", li.from, "Where events come from: stdin (JSON Lines), amqp, or mo-events (OS2mo's GraphQL events)")
      ->check(CLI::IsMember({"stdin", "amqp", "mo-events"}));
  listen_cmd->add_option("--listener-prefix", li.listener_prefix, "mo-events: the listeners' user_key prefix (default linemgr)");
  add_source(listen_cmd, li.source);
  listen_cmd->add_option("--coalesce", li.coalesce_ms, "Events arriving within this many milliseconds become one reconcile (default 500)")
      ->check(CLI::Range(0L, 3600000L));
  listen_cmd->add_flag("--dry-run", li.dry_run, "Plan each batch; apply nothing");
  listen_cmd->add_option("--write-snapshot", li.write_snapshot, "With --snapshot: write the final snapshot here at the end");
  add_format(listen_cmd, li.format);
  listen_cmd->add_option("--amqp-url", li.amqp_url, "amqp[s]://user:password@host:port/vhost (default: $AMQP_URL, $AMQP__URL, "
                                                    "else $AMQP_HOST, $AMQP_PORT, $AMQP_USERNAME, $AMQP_PASSWORD, $AMQP_VHOST)");
  listen_cmd->add_option("--amqp-queue", li.amqp_queue, "The queue to consume (default: $AMQP_QUEUE, else linemgr)");
  listen_cmd->add_flag("--declare", li.declare, "Declare the durable topic exchange os2mo, a durable quorum queue with a dead-letter "
                                                "queue, and bind the routing keys linemgr handles");
  listen_cmd->add_option("--dead-letter-exchange", li.dead_letter_exchange, "The queue has this dead-letter exchange (without --declare)");
  listen_cmd->add_option("--prefetch", li.prefetch, "Unacknowledged messages at a time (default 10)")->check(CLI::Range(1, 65535));
  listen_cmd->add_option("--heartbeat", li.heartbeat_s, "AMQP heartbeat in seconds (default 30)")->check(CLI::Range(0, 3600));
  listen_cmd->add_option("--max-attempts", li.max_attempts, "Tries of a batch before its messages are dead-lettered (default 10)")
      ->check(CLI::Range(1, 1000));
  listen_cmd->add_option("--amqp-ca-file", li.amqp_ca_file, "A CA to trust for amqps://")->check(CLI::ExistingFile);
  add_flush_timeout(listen_cmd, li.webhook_flush_timeout_s);
  listen_cmd->add_option("--metrics-addr", li.metrics_addr,
                         "Serve Prometheus /metrics, /health/live and /health/ready on HOST:PORT (default: off)");

  webhooks_options wh;
  auto* hooks_cmd = app.add_subcommand("webhooks", "Webhook sinks: list them, test one, deliver, inspect and replay deliveries");
  hooks_cmd->require_subcommand(1);
  auto add_config = [&](CLI::App* sub) {
    sub->add_option("--config", wh.config, "Configuration file with the [[webhook]] sinks (default: as for reconcile-all)");
  };
  auto* hooks_list = hooks_cmd->add_subcommand("list", "List the sinks (secrets masked) and their deliveries by state");
  add_config(hooks_list);
  add_format(hooks_list, wh.format);
  auto* hooks_test = hooks_cmd->add_subcommand("test", "Send a sample notice (type webhook.test) to a sink now");
  hooks_test->add_option("NAME", wh.name, "The sink's name")->required();
  add_config(hooks_test);
  auto* hooks_deliver = hooks_cmd->add_subcommand("deliver", "Deliver what is due (for cron or a timer)");
  hooks_deliver->add_option("--timeout", wh.timeout_s, "Seconds to keep delivering and retrying (default: the flush timeout)")
      ->check(CLI::Range(0L, 86400L));
  add_config(hooks_deliver);
  add_format(hooks_deliver, wh.format);
  auto* hooks_deliveries = hooks_cmd->add_subcommand("deliveries", "Show deliveries, newest first");
  hooks_deliveries->add_option("--state", wh.state, "Only deliveries in this state")
      ->check(CLI::IsMember({"held", "pending", "failed", "delivering", "delivered", "dead"}));
  hooks_deliveries->add_option("--limit", wh.limit, "At most this many (default 50)")->check(CLI::Range(1, 100000));
  add_config(hooks_deliveries);
  add_format(hooks_deliveries, wh.format);
  auto* hooks_replay = hooks_cmd->add_subcommand("replay", "Queue a delivery (by number) or a notice's deliveries (by id) again");
  hooks_replay->add_option("ID", wh.id, "A delivery number or a notice id, as `webhooks deliveries` shows them")->required();
  add_config(hooks_replay);

  config_options co;
  auto* config_cmd = app.add_subcommand("config", "Show the effective configuration, or check it without connecting anywhere");
  config_cmd->require_subcommand(1);
  auto* config_show = config_cmd->add_subcommand("show", "Every setting, its value (secrets masked) and where it came from");
  config_show->add_option("--config", co.config, "The configuration file (default: as for reconcile-all)");
  add_format(config_show, co.format);
  auto* config_check = config_cmd->add_subcommand("check", "Read and validate the configuration, the environment and the sinks");
  config_check->add_option("--config", co.config, "The configuration file (default: as for reconcile-all)");

  logging_options logging;
  for (CLI::App* sub : {all_cmd, unit_cmd, explain_cmd, manager_cmd, listen_cmd, hooks_list, hooks_test, hooks_deliver,
                        hooks_deliveries, hooks_replay, config_show, config_check})
    add_logging(sub, logging);
  for (const auto& [sub, o] : {std::pair{all_cmd, &all}, {unit_cmd, &unit}})
    sub->add_flag("--quiet", o->quiet, "No progress bar and no informational log lines (warnings and errors still)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 64;
  }

  try {
    configure_logging(logging.format, logging.level.empty() && (all.quiet || unit.quiet) ? "WARN" : logging.level);
    if (all_cmd->parsed()) return reconcile(all);
    if (unit_cmd->parsed()) {
      unit.unit = unit_id;
      return reconcile(unit);
    }
    if (explain_cmd->parsed()) return explain(ex);
    if (manager_cmd->parsed()) return manager_of(mo);
    if (listen_cmd->parsed()) return listen(li);
    if (config_cmd->parsed()) {
      co.action = config_show->parsed() ? "show" : "check";
      return config_command(co);
    }
    if (hooks_cmd->parsed()) {
      for (CLI::App* sub : hooks_cmd->get_subcommands()) wh.action = sub->get_name();
      return webhooks_command(wh);
    }
  } catch (const failure& f) {
    log_message(log_level::error, f.err.message);
    return exit_status(f.err.kind);
  } catch (const std::bad_alloc&) {
    log_message(log_level::error, "out of memory");
    return 70;
  }
  return 64;
}

}  // namespace linemgr::cli
