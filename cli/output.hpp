#pragma once
// What every command shares: failures mapped to exit statuses, output to standard output, and
// the settings and organisation the source flags name.
#include <functional>
#include <optional>
#include <string>

#include <linemgr/core/result.hpp>
#include <linemgr/io/plan_output.hpp>
#include <linemgr/service/reconcile.hpp>
#include <linemgr/service/settings.hpp>
#include <linemgr/webhooks/announcer.hpp>

namespace linemgr::cli {
using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::os2mo;
using namespace linemgr::amqp;
using namespace linemgr::webhooks;
using namespace linemgr::service;


// A failure that ends the command with the exit status of its kind (run() maps it).
struct failure {
  core::error err;
};

// The value of a result, or a thrown failure.
template <class T>
T take(result<T> r) {
  if (!r) throw failure{r.err()};
  return std::move(r.value());
}
inline void take(status s) {
  if (!s) throw failure{s.err()};
}

// Throws a usage failure (exit 64).
[[noreturn]] void usage(std::string message);

// Output format of plans and listings.
enum class output_format { automatic, text, json };
// True when output should be JSON: asked for with --format json (text is the default, also in a pipe).
bool wants_json(output_format f);
// Writes to standard output, or fails with an I/O error.
void print(const std::string& text);
// Prints a plan over the organisation in `format`, as it is produced.
void print_plan(output_format format, const core::snapshot& snap, const core::plan& p, const core::apply_report* applied);
// Prints a saved plan (apply's) in `format`, as it is produced.
void print_plan(output_format format, const core::saved_plan& p, const core::apply_report* applied);
// True when text on standard output may be coloured: a terminal, NO_COLOR unset or empty, TERM not dumb.
bool colour_output();
// True when standard error is a terminal.
bool stderr_is_terminal();

// The question before writing a plan to `target` when standard input and standard error are a
// terminal (and not --yes): the plan in words, then "Apply? Only yes applies"; empty otherwise
// (cron, systemd, pipes: proceed as asked).
std::function<bool(const core::plan&)> confirm_on_terminal(const std::string& target, bool yes);

// The flags that name a source and its settings.
struct source_options {
  service::setting_flags flags;  // --config, --mo-url, --token-file, --ca-file (and listen's AMQP flags)
  std::string snapshot;          // --snapshot FILE
  std::string today;             // --today YYYY-MM-DD; empty: the snapshot's, else today in Copenhagen
};

// Flags that name only the configuration file.
service::setting_flags config_flag(const std::string& config);
// The settings, read once.
service::settings load_settings(const service::setting_flags& flags);
// The announcer of the configured webhook sinks (null: none), with the flush timeout of the flag
// (-1: the configuration's).
std::unique_ptr<announcer> open_announcer(const service::settings& s, long flush_timeout_s);
// The organisation the options name: the snapshot file, else OS2mo (flag, environment or file).
service::organisation open_organisation(const source_options& o, const service::settings& s);

}  // namespace linemgr::cli
