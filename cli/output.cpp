#include "output.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "log.hpp"

#include <linemgr/io/plan_output.hpp>

namespace linemgr::cli {


void usage(std::string message) { throw failure{{error_kind::usage, std::move(message)}}; }

bool wants_json(output_format f) { return f == output_format::json; }

bool colour_output() {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) == 1 && (!no_colour || !*no_colour) && !(term && std::string_view(term) == "dumb");
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

namespace {
// Standard output's sink done with: a failed write is an I/O failure.
void finish(io::stdio_sink& out) {
  if (!out.finish()) throw failure{{error_kind::io, "standard output: write error"}};
}
}  // namespace

void print(const std::string& text) {
  io::stdio_sink out(stdout);
  out.write(text);
  finish(out);
}

void print_plan(output_format format, const core::snapshot& snap, const core::plan& p, const core::apply_report* applied) {
  io::stdio_sink out(stdout);
  wants_json(format) ? io::write_plan_json(out, snap, p, applied) : io::write_plan_text(out, snap, p, applied, colour_output());
  finish(out);
}

void print_plan(output_format format, const core::saved_plan& p, const core::apply_report* applied) {
  io::stdio_sink out(stdout);
  wants_json(format) ? io::write_plan_json(out, p, applied) : io::write_plan_text(out, p, applied, colour_output());
  finish(out);
}

std::function<bool(const core::plan&)> confirm_on_terminal(const std::string& target, bool yes) {
  if (yes || ::isatty(STDIN_FILENO) != 1 || ::isatty(STDERR_FILENO) != 1) return {};
  return [target](const core::plan& p) {
    std::fprintf(stderr, "linemgr will %s in %s (%zu changes for %s).\nApply them? Only 'yes' applies: ", plan_in_words(p).c_str(),
                 target.c_str(), p.changes.size(), format_date(p.today).c_str());
    std::fflush(stderr);
    char answer[64] = {};
    if (!std::fgets(answer, sizeof answer, stdin)) return false;
    std::string a(answer);
    while (!a.empty() && (a.back() == '\n' || a.back() == '\r' || a.back() == ' ')) a.pop_back();
    return a == "yes" || a == "y";
  };
}

service::setting_flags config_flag(const std::string& config) {
  service::setting_flags f;
  f.config = config;
  return f;
}

service::settings load_settings(const service::setting_flags& flags) {
  service::settings s = take(service::settings::load(flags));
  for (const std::string& w : s.warnings()) log_warn("{}", w);
  return s;
}

std::unique_ptr<announcer> open_announcer(const service::settings& s, long flush_timeout_s) {
  webhook_settings hooks = take(s.webhooks());
  if (flush_timeout_s >= 0) hooks.flush_timeout_ms = flush_timeout_s * 1000;
  return take(announcer::open(std::move(hooks), stderr_log()));
}

service::organisation open_organisation(const source_options& o, const service::settings& s) {
  std::optional<day> today;
  if (!o.today.empty()) {
    today = parse_date(o.today);
    if (!today) usage(fmt::format("--today: not a date: \"{}\" (use YYYY-MM-DD)", o.today));
  }
  if (!o.snapshot.empty()) return service::organisation::from_snapshot_file(o.snapshot, s.rules(), today);
  return service::organisation::from_os2mo(take(s.os2mo()), s.rules(), today);
}

}  // namespace linemgr::cli
