// The command line as a table of subcommands (name, help, options, what runs), parsed by CLI11;
// failures become exit statuses in one place.
#include "app.hpp"
#include "usage_errors.hpp"

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <map>
#include <new>

#include <CLI/CLI.hpp>

#include "commands.hpp"

#include <linemgr/service/about.hpp>
#include "log.hpp"

namespace linemgr::cli {


namespace {

// The placeholder --help shows for each option's value.
const std::map<std::string, std::string>& placeholders() {
  static const std::map<std::string, std::string> table = {
      {"--snapshot", "FILE"}, {"--mo-url", "URL"}, {"--token-file", "FILE"}, {"--ca-file", "FILE"}, {"--config", "FILE"},
      {"--today", "DATE"}, {"--date", "DATE"}, {"--format", "text|json"}, {"--write-snapshot", "FILE"}, {"--out", "FILE"}, {"--metrics-file", "FILE"},
      {"--max-changes", "N"}, {"--webhook-flush-timeout", "SECONDS"}, {"--timeout", "SECONDS"}, {"--source", "stdin|amqp|mo-events"},
      {"--listener-prefix", "PREFIX"}, {"--coalesce", "MS"}, {"--amqp-url", "URL"}, {"--amqp-queue", "QUEUE"},
      {"--dead-letter-exchange", "EXCHANGE"}, {"--prefetch", "N"}, {"--heartbeat", "SECONDS"}, {"--max-attempts", "N"},
      {"--amqp-ca-file", "FILE"}, {"--full-every", "DURATION"}, {"--metrics-addr", "HOST:PORT"}, {"--state", "STATE"},
      {"--limit", "N"}, {"--log-format", "text|json"}, {"--log-level", "LEVEL"}, {"PLAN", "FILE"}, {"UNIT", "UNIT"},
      {"WHO", "ID"}, {"NAME", "NAME"}, {"ID", "ID"}};
  return table;
}

// --help in linemgr's words: an option's placeholder (FILE, URL, DATE, N), never the parser's
// types and checks.
class help_formatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (opt->get_type_size() == 0 || !opt->nonpositional()) return {};  // a flag, or a positional named by itself
    std::string type = opt->get_type_name();
    type = type.substr(0, type.find(':'));
    return type.empty() ? std::string() : " " + type;
  }
};

// Every option of every subcommand: each command reads its own part.
struct all_options {
  reconcile_options all, unit;
  std::string unit_id;  // reconcile-unit's UNIT
  apply_options apply;
  explain_options explain;
  manager_of_options manager_of;
  listen_options listen;
  webhooks_options webhooks;
  config_options config;
  std::string log_format, log_level;
};

void add_config(CLI::App* sub, std::string& config) {
  sub->add_option("--config", config,
                  "Configuration file (TOML); default: $LINEMGR_CONFIG, $XDG_CONFIG_HOME/linemgr/config.toml, "
                  "/etc/linemgr/config.toml, else the built-in defaults");
}

void add_source(CLI::App* sub, source_options& s) {
  auto* snapshot = sub->add_option("--snapshot", s.snapshot, "Snapshot file (linemgr-snapshot/1) to read; - for stdin");
  auto* mo = sub->add_option("--mo-url", s.flags.mo_url,
                             "Read from OS2mo at this URL (default: $OS2MO_API_URL, $MO_URL); token from $OS2MO_API_TOKEN, "
                             "--token-file, or Keycloak client credentials ($CLIENT_ID, $CLIENT_SECRET, $AUTH_SERVER, $AUTH_REALM)");
  snapshot->excludes(mo);
  sub->add_option("--token-file", s.flags.token_file, "A file holding the OS2mo bearer token")->check(CLI::ExistingFile);
  sub->add_option("--ca-file", s.flags.ca_file, "An extra CA certificate bundle for TLS to OS2mo and the identity provider")
      ->check(CLI::ExistingFile);
  add_config(sub, s.flags.config);
  sub->add_option("--today", s.today, "The day to plan for (YYYY-MM-DD); default: the snapshot's, else today in Copenhagen");
}

void add_format(CLI::App* sub, output_format& f) {
  sub->add_option("--format", f, "Output: text (default) or json")
      ->transform(CLI::CheckedTransformer(std::map<std::string, output_format>{{"text", output_format::text},
                                                                                {"json", output_format::json}}));
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
  sub->add_flag("--detailed-exitcode", o.detailed_exitcode,
                "Exit 0 when there is nothing to change, 2 when the plan has changes (and all were applied), 1 when a change failed");
  sub->add_option("--out", o.out, "Save the plan to FILE for review, and apply nothing; `linemgr apply FILE` applies exactly it")
      ->type_name("FILE");
  sub->add_flag("--force", o.force, "Write to OS2mo even when the guard rails ([safety] limits, a configuration that cannot be right) "
                                    "refuse the plan");
  sub->add_flag("--yes", o.yes, "Do not ask before writing to OS2mo (asked only on a terminal)");
  sub->add_option("--metrics-file", o.metrics_file, "Write the run's metrics to FILE (Prometheus text, for node_exporter's textfile "
                                                    "collector), however the run ends");
  sub->add_option("--max-changes", o.max_changes, "Refuse to write to OS2mo a plan of more than N changes (default: [safety] "
                                                  "max_changes, else no limit)")
      ->check(CLI::Range(1L, 100000000L));
  add_flush_timeout(sub, o.webhook_flush_timeout_s);
  sub->add_flag("--quiet", o.quiet, "No progress bar and no informational log lines (warnings and errors still)");
}

void add_listen(CLI::App* sub, listen_options& o) {
  sub->add_option("--source", o.from, "Where events come from: stdin (JSON Lines), amqp, or mo-events (OS2mo's GraphQL events)")
      ->check(CLI::IsMember({"stdin", "amqp", "mo-events"}));
  sub->add_option("--listener-prefix", o.listener_prefix, "mo-events: the listeners' user_key prefix (default linemgr)");
  add_source(sub, o.source);
  sub->add_option("--coalesce", o.coalesce_ms, "Events arriving within this many milliseconds become one reconcile (default 500)")
      ->check(CLI::Range(0L, 3600000L));
  sub->add_flag("--dry-run", o.dry_run, "Plan each batch; apply nothing");
  sub->add_option("--write-snapshot", o.write_snapshot, "With --snapshot: write the final snapshot here at the end");
  add_format(sub, o.format);
  sub->add_option("--amqp-url", o.source.flags.amqp_url, "amqp[s]://user:password@host:port/vhost (default: $AMQP_URL, $AMQP__URL, "
                                                         "else $AMQP_HOST, $AMQP_PORT, $AMQP_USERNAME, $AMQP_PASSWORD, $AMQP_VHOST)");
  sub->add_option("--amqp-queue", o.source.flags.amqp_queue, "The queue to consume (default: $AMQP_QUEUE, else linemgr)");
  sub->add_flag("--declare", o.declare, "Declare the durable topic exchange os2mo, a durable quorum queue with a dead-letter "
                                        "queue, and bind the routing keys linemgr handles");
  sub->add_option("--dead-letter-exchange", o.dead_letter_exchange, "The queue has this dead-letter exchange (without --declare)");
  sub->add_option("--prefetch", o.prefetch, "Unacknowledged messages at a time (default 10)")->check(CLI::Range(1, 65535));
  sub->add_option("--heartbeat", o.heartbeat_s, "AMQP heartbeat in seconds (default 30)")->check(CLI::Range(0, 3600));
  sub->add_option("--max-attempts", o.max_attempts, "Tries of a batch before its messages are dead-lettered (default 10)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--amqp-ca-file", o.source.flags.amqp_ca_file, "A CA to trust for amqps://")->check(CLI::ExistingFile);
  add_flush_timeout(sub, o.webhook_flush_timeout_s);
  sub->add_option("--full-every", o.full_every,
                  "Drift repair: a full read and reconcile-all between batches this often, e.g. 24h, 90m (default 24h; 0: never)");
  sub->add_option("--metrics-addr", o.metrics_addr,
                  "Serve Prometheus /metrics, /health/live and /health/ready on HOST:PORT (default: off)");
}

// One subcommand: its path ("webhooks list"), help, options and what runs it.
struct subcommand {
  const char* path;
  const char* help;
  std::function<void(CLI::App*, all_options&)> options;
  std::function<int(all_options&)> run;
};

const std::vector<subcommand>& subcommands() {
  static const std::vector<subcommand> table = {
      {"reconcile-all", "Plan (and apply) every rule for the whole organisation",
       [](CLI::App* s, all_options& o) { add_reconcile(s, o.all); }, [](all_options& o) { return reconcile(o.all); }},
      {"reconcile-unit", "Plan (and apply) the changes for one unit, its ancestors and descendants",
       [](CLI::App* s, all_options& o) {
         s->add_option("UNIT", o.unit_id, "The unit's id (uuid), or its user_key")->required();
         add_reconcile(s, o.unit);
       },
       [](all_options& o) {
         o.unit.unit = o.unit_id;
         return reconcile(o.unit);
       }},
      {"apply", "Apply a plan that reconcile-all/reconcile-unit saved, exactly as reviewed: a change whose records changed since is stale, not applied",
       [](CLI::App* s, all_options& o) {
         s->add_option("PLAN", o.apply.plan_file, "The plan file that reconcile-all or reconcile-unit saved")->required();
         add_source(s, o.apply.source);
         add_format(s, o.apply.format);
         s->add_option("--write-snapshot", o.apply.write_snapshot, "Write the snapshot with the plan applied to this file (atomically)")
             ->type_name("FILE");
         s->add_flag("--detailed-exitcode", o.apply.detailed_exitcode,
                     "Exit 0 when the plan is empty, 2 when its changes were all applied, 1 when one failed or was stale");
         s->add_flag("--force", o.apply.force, "Apply although the plan was made from another source or under other rules, "
                                               "or the guard rails refuse it");
         s->add_flag("--yes", o.apply.yes, "Do not ask before writing to OS2mo (asked only on a terminal)");
         s->add_option("--metrics-file", o.apply.metrics_file, "Write the run's metrics to FILE (Prometheus text), however the run ends");
         s->add_option("--max-changes", o.apply.max_changes, "Refuse to write to OS2mo a plan of more than N changes")
             ->check(CLI::Range(1L, 100000000L));
         add_flush_timeout(s, o.apply.webhook_flush_timeout_s);
         s->add_flag("--quiet", o.apply.quiet, "No progress bar and no informational log lines");
       },
       [](all_options& o) { return apply(o.apply); }},
      {"explain", "Explain why a unit gets its class and its managers",
       [](CLI::App* s, all_options& o) {
         s->add_option("UNIT", o.explain.unit, "The unit's id (uuid), or its user_key")->required();
         add_source(s, o.explain.source);
         add_format(s, o.explain.format);
       },
       [](all_options& o) { return explain(o.explain); }},
      {"manager-of", "Show a person's (or an engagement's) line manager",
       [](CLI::App* s, all_options& o) {
         s->add_option("WHO", o.manager_of.who, "A person id or an engagement id")->required();
         add_source(s, o.manager_of.source);
         s->add_option("--date", o.manager_of.date, "The day to answer for (YYYY-MM-DD); default: as --today");
         add_format(s, o.manager_of.format);
       },
       [](all_options& o) { return manager_of(o.manager_of); }},
      {"listen", "React to OS2mo events: reconcile the units they affect, batch by batch",
       [](CLI::App* s, all_options& o) { add_listen(s, o.listen); }, [](all_options& o) { return listen(o.listen); }},
      {"webhooks", "Webhook sinks: list them, test one, deliver, inspect and replay deliveries", nullptr, nullptr},
      {"webhooks list", "List the sinks (secrets masked) and their deliveries by state",
       [](CLI::App* s, all_options& o) { add_format(s, o.webhooks.format); }, [](all_options& o) { return webhooks_list(o.webhooks); }},
      {"webhooks test", "Send a sample notice (type webhook.test) to a sink now",
       [](CLI::App* s, all_options& o) { s->add_option("NAME", o.webhooks.name, "The sink's name")->required(); },
       [](all_options& o) { return webhooks_test(o.webhooks); }},
      {"webhooks deliver", "Deliver what is due (for cron or a timer)",
       [](CLI::App* s, all_options& o) {
         s->add_option("--timeout", o.webhooks.timeout_s, "Seconds to keep delivering and retrying (default: the flush timeout)")
             ->check(CLI::Range(0L, 86400L));
         add_format(s, o.webhooks.format);
       },
       [](all_options& o) { return webhooks_deliver(o.webhooks); }},
      {"webhooks deliveries", "Show deliveries, newest first",
       [](CLI::App* s, all_options& o) {
         s->add_option("--state", o.webhooks.state, "Only deliveries in this state")
             ->check(CLI::IsMember({"held", "pending", "failed", "delivering", "delivered", "dead"}));
         s->add_option("--limit", o.webhooks.limit, "At most this many (default 50)")->check(CLI::Range(1, 100000));
         add_format(s, o.webhooks.format);
       },
       [](all_options& o) { return webhooks_deliveries(o.webhooks); }},
      {"webhooks replay", "Queue a delivery (by number) or a notice's deliveries (by id) again",
       [](CLI::App* s, all_options& o) {
         s->add_option("ID", o.webhooks.id, "A delivery number or a notice id, as `webhooks deliveries` shows them")->required();
       },
       [](all_options& o) { return webhooks_replay(o.webhooks); }},
      {"config", "Show the effective configuration, or check it without connecting anywhere", nullptr, nullptr},
      {"config show", "Every setting, its value (secrets masked) and where it came from",
       [](CLI::App* s, all_options& o) {
         add_config(s, o.config.config);
         add_format(s, o.config.format);
       },
       [](all_options& o) { return config_show(o.config); }},
      {"config check", "Read and validate the configuration, the environment and the sinks",
       [](CLI::App* s, all_options& o) { add_config(s, o.config.config); }, [](all_options& o) { return config_check(o.config); }},
  };
  return table;
}

}  // namespace

int exit_status(core::error_kind kind) {
  switch (kind) {
    case error_kind::usage: return 64;
    case error_kind::data: return 65;
    case error_kind::unavailable: return 69;
    case error_kind::io: return 74;
    case error_kind::config: return 78;
    case error_kind::refused: return 1;
  }
  return 70;
}

int run(int argc, char** argv) {
  // SIGINT and SIGTERM wait (blocked) until the subcommand is known: listen takes them as a stop
  // request from its first moment; every other command lets them end it as before.
  sigset_t stops;
  sigemptyset(&stops);
  sigaddset(&stops, SIGINT);
  sigaddset(&stops, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stops, nullptr);
  CLI::App app{"linemgr keeps the line-management information in OS2mo correct: which units belong to the line "
               "organisation and who manages them.",
               "linemgr"};
  app.formatter(std::make_shared<help_formatter>());

  app.set_version_flag("--version", [] {
    std::string v = service::version_report();
    v.pop_back();  // the line break; the CLI adds its own
    return v + ", CLI11 " CLI11_VERSION;
  }, "Show the version, the source revision and the libraries' versions");
  app.require_subcommand(1);
  app.fallthrough(false);

  all_options o;
  std::map<std::string, CLI::App*> apps;
  std::vector<std::pair<CLI::App*, const subcommand*>> runnable;
  for (const subcommand& c : subcommands()) {
    const std::string path = c.path;
    const std::size_t space = path.rfind(' ');
    CLI::App* parent = space == std::string::npos ? &app : apps.at(path.substr(0, space));
    CLI::App* sub = parent->add_subcommand(path.substr(space == std::string::npos ? 0 : space + 1), c.help);
    apps[path] = sub;
    if (!c.run) {
      sub->require_subcommand(1);
      continue;
    }
    c.options(sub, o);
    if (path.starts_with("webhooks ")) add_config(sub, o.webhooks.config);
    sub->add_option("--log-format", o.log_format, "Log lines on standard error as text (default) or json")
        ->check(CLI::IsMember({"text", "json"}));
    sub->add_option("--log-level", o.log_level, "DEBUG, INFO (default; or $LOG_LEVEL), WARN or ERROR");
    for (CLI::Option* opt : sub->get_options()) {
      const std::string name = opt->get_name(false, false);
      if (const auto p = placeholders().find(name.substr(0, name.find(','))); p != placeholders().end()) opt->type_name(p->second);
    }
    runnable.emplace_back(sub, &c);
  }

  app.footer(  // the root only: set after the subcommands, which would inherit it
      "Examples:\n"
      "  linemgr reconcile-all --snapshot org.json --config config.toml --dry-run    plan, change nothing\n"
      "  linemgr reconcile-all --mo-url https://os2mo.example.dk --out plan.json    save a plan to review\n"
      "  linemgr apply plan.json --mo-url https://os2mo.example.dk                  apply exactly the reviewed plan\n"
      "  linemgr explain SKOLE-01 --snapshot org.json                               why a unit gets its class\n"
      "  linemgr help COMMAND                                                       a command's options\n"
      "Manual: man linemgr; formats and rules: share/doc/linemgr/formats.md, rules.md");

  // `linemgr help [COMMAND …]` is `linemgr [COMMAND …] --help`.
  std::vector<std::string> words(argv + 1, argv + argc);
  if (!words.empty() && words.front() == "help") {
    words.erase(words.begin());
    // A word that names no command is left for the parser to call unknown (with a suggestion).
    CLI::App* at = &app;
    bool known = true;
    for (const std::string& w : words) {
      const auto subs = at->get_subcommands([&](CLI::App* sub) { return sub->get_name() == w; });
      if (subs.empty()) {
        known = false;
        break;
      }
      at = subs.front();
    }
    if (known) words.emplace_back("--help");
  }
  std::vector<std::string> parsed(words.rbegin(), words.rend());  // CLI11 takes the arguments last first
  try {
    app.parse(parsed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "%s\n", usage_error_message(app, e, words).c_str());
    return 64;
  }

  if (!apps.at("listen")->parsed()) pthread_sigmask(SIG_UNBLOCK, &stops, nullptr);
  try {
    configure_logging(o.log_format, o.log_level.empty() && (o.all.quiet || o.unit.quiet || o.apply.quiet) ? "WARN" : o.log_level);
    for (const auto& [sub, c] : runnable)
      if (sub->parsed()) return c->run(o);
  } catch (const failure& f) {
    log_message(log_level::error, f.err.message);
    return exit_status(f.err.kind);
  } catch (const std::bad_alloc&) {
    log_message(log_level::error, "out of memory");
    return 70;
  } catch (const std::exception& e) {
    log_message(log_level::error, fmt::format("internal error: {}", e.what()));
    return 70;
  }
  return 64;
}

}  // namespace linemgr::cli
