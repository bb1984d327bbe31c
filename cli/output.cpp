#include "output.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "log.hpp"

namespace linemgr::cli {


void usage(std::string message) { throw failure{{error_kind::usage, std::move(message)}}; }

bool wants_json(output_format f) { return f == output_format::json || (f == output_format::automatic && ::isatty(STDOUT_FILENO) != 1); }

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    throw failure{{error_kind::io, "standard output: write error"}};
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
