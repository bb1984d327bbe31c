// What the commands share: where the organisation comes from, and how output goes out.
#include "sources.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "environment.hpp"
#include "io/config_file.hpp"
#include "io/snapshot_file.hpp"
#include "io/config_env.hpp"
#include "log.hpp"
#include "settings.hpp"
#include "webhooks.hpp"

namespace linemgr::cli {

os2mo_settings os2mo_settings_from(const source_options& o) {
  const file_connections file = read_file_connections(o.config);
  os2mo_settings s;
  s.url = resolve("os2mo.url", file, o.mo_url).value;
  if (o.token_file.empty()) {
    s.auth.token = resolve("os2mo.token", file).value;
  } else if (auto token = read_secret_file(o.token_file)) {
    s.auth.token = *token;
  } else {
    throw failure{{error_kind::io, fmt::format("{}: cannot read the token file", o.token_file)}};
  }
  s.auth.client_id = resolve("os2mo.client_id", file).value;
  s.auth.client_secret = resolve("os2mo.client_secret", file).value;
  s.auth.auth_server = resolve("os2mo.auth_server", file).value;
  s.auth.realm = resolve("os2mo.auth_realm", file).value;
  s.http.ca_file = resolve("os2mo.ca_file", file, o.ca_file).value;
  if (s.auth.token.empty() && !s.auth.uses_client_credentials())
    throw failure{{error_kind::config, "no OS2mo credentials: set OS2MO_API_TOKEN, pass --token-file, set CLIENT_ID, "
                                       "CLIENT_SECRET and AUTH_SERVER, or give [os2mo] token in the configuration file"}};
  if (s.auth.uses_client_credentials() && (s.auth.client_secret.empty() || s.auth.auth_server.empty()))
    throw failure{{error_kind::config, "CLIENT_ID is set: CLIENT_SECRET and AUTH_SERVER are needed too"}};
  return s;
}

// The OS2mo URL from the flag, the environment or the file (empty when none names one).
std::string mo_url_of(const source_options& o) {
  if (!o.mo_url.empty() || !o.snapshot.empty()) return o.mo_url;
  return resolve("os2mo.url", read_file_connections(o.config)).value;
}

loaded open_source(source_options o) {
  loaded l;
  o.mo_url = mo_url_of(o);
  if (o.snapshot.empty() && o.mo_url.empty())
    usage("name a source: --snapshot FILE, or --mo-url URL (or set OS2MO_API_URL, or [os2mo] url in the configuration file)");
  if (!o.today.empty()) {
    const auto given = parse_date(o.today);
    if (!given) usage(fmt::format("--today: not a date: \"{}\" (use YYYY-MM-DD)", o.today));
    l.today = *given;
  }
  if (const auto path = config_path(o.config)) l.cfg = take(read_config_file(*path));
  take(apply_config_env(l.cfg, process_env));  // the gatekeeper's environment overrides the file
  if (o.snapshot.empty()) {
    l.mo = std::make_unique<os2mo_connection>(os2mo_settings_from(o));
  } else {
    l.snap = take(read_snapshot_file(o.snapshot));
    if (o.today.empty() && l.snap.today) l.today = *l.snap.today;
  }
  return l;
}

loaded load(source_options o, const std::optional<std::string>& scope_unit) {
  loaded l = open_source(o);
  if (l.mo) {
    l.snap = take(scope_unit ? l.mo->load_scope(*scope_unit) : l.mo->load_all());
    log_info("read {} units, {} engagements, {} associations and {} managers from OS2mo in {} requests",
                 l.snap.units.size(), l.snap.engagements.size(), l.snap.associations.size(), l.snap.managers.size(),
                 l.mo->requests());
  }
  if (o.today.empty()) l.today = l.snap.today ? *l.snap.today : today_in_copenhagen();
  return l;
}

// The source as people name it in messages.
std::string source_name(const source_options& o) {
  return o.snapshot.empty() ? "OS2mo at " + mo_url_of(o) : o.snapshot;
}

void usage(std::string message) { throw failure{{error_kind::usage, std::move(message)}}; }

bool wants_json(output_format f) {
  return f == output_format::json || (f == output_format::automatic && !stdout_is_terminal());
}

void print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    throw failure{{error_kind::io, "standard output: write error"}};
}



}  // namespace linemgr::cli
