#include "commands.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "core/explain.hpp"
#include "core/manager_of.hpp"
#include "core/plan.hpp"
#include "environment.hpp"
#include "io/explain_output.hpp"
#include "io/config_file.hpp"
#include "io/plan_output.hpp"
#include "io/snapshot_file.hpp"
#include "os2mo/os2mo.hpp"

namespace linemgr::cli {

namespace {

template <class T>
T take(result<T> r) {
  if (!r) throw failure{r.err()};
  return std::move(r.value());
}

[[noreturn]] void usage(std::string message) { throw failure{{error_kind::usage, std::move(message)}}; }

// What every command starts from: settings, the snapshot and the day.
struct loaded {
  config cfg;
  snapshot snap;
  day today = 0;
  std::unique_ptr<os2mo_connection> mo;  // when the snapshot was read from OS2mo
};

// The first non-empty environment variable of `names`.
std::string env(std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (const char* v = std::getenv(n); v && *v) return v;
  return {};
}

std::string read_secret_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw failure{{error_kind::io, fmt::format("{}: cannot read the token file", path)}};
  std::string text;
  char chunk[4096];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) text.append(chunk, got);
  std::fclose(f);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// OS2mo settings from flags and the environment names the Python integrations use.
os2mo_settings os2mo_settings_from(const source_options& o) {
  os2mo_settings s;
  s.url = o.mo_url;
  s.auth.token = o.token_file.empty() ? env({"OS2MO_API_TOKEN"}) : read_secret_file(o.token_file);
  s.auth.client_id = env({"CLIENT_ID", "FASTRAMQPI__CLIENT_ID"});
  s.auth.client_secret = env({"CLIENT_SECRET", "FASTRAMQPI__CLIENT_SECRET"});
  s.auth.auth_server = env({"AUTH_SERVER", "FASTRAMQPI__AUTH_SERVER"});
  if (const std::string realm = env({"AUTH_REALM", "FASTRAMQPI__AUTH_REALM"}); !realm.empty()) s.auth.realm = realm;
  s.http.ca_file = o.ca_file;
  if (s.auth.token.empty() && !s.auth.uses_client_credentials())
    throw failure{{error_kind::config, "no OS2mo credentials: set OS2MO_API_TOKEN, pass --token-file, or set CLIENT_ID, "
                                       "CLIENT_SECRET and AUTH_SERVER"}};
  if (s.auth.uses_client_credentials() && (s.auth.client_secret.empty() || s.auth.auth_server.empty()))
    throw failure{{error_kind::config, "CLIENT_ID is set: CLIENT_SECRET and AUTH_SERVER are needed too"}};
  return s;
}

// Reads the settings, the snapshot (a file, all of OS2mo, or from OS2mo just what `scope_unit`
// needs) and the day.
loaded load(source_options o, const std::optional<std::string>& scope_unit = std::nullopt) {
  loaded l;
  if (o.snapshot.empty() && o.mo_url.empty()) o.mo_url = env({"OS2MO_API_URL", "MO_URL", "FASTRAMQPI__MO_URL"});
  if (o.snapshot.empty() && o.mo_url.empty())
    usage("name a source: --snapshot FILE, or --mo-url URL (or set OS2MO_API_URL)");
  std::optional<day> given;
  if (!o.today.empty()) {
    given = parse_date(o.today);
    if (!given) usage(fmt::format("--today: not a date: \"{}\" (use YYYY-MM-DD)", o.today));
  }
  const std::optional<std::string> config_path = o.config.empty() ? default_config_path() : std::optional(o.config);
  if (config_path) l.cfg = take(read_config_file(*config_path));
  if (!o.snapshot.empty()) {
    l.snap = take(read_snapshot_file(o.snapshot));
  } else {
    l.mo = std::make_unique<os2mo_connection>(os2mo_settings_from(o));
    l.snap = take(scope_unit ? l.mo->load_scope(*scope_unit) : l.mo->load_all());
    std::fprintf(stderr, "linemgr: read %zu units, %zu engagements, %zu associations and %zu managers from OS2mo in %zu requests\n",
                 l.snap.units.size(), l.snap.engagements.size(), l.snap.associations.size(), l.snap.managers.size(),
                 l.mo->requests());
  }
  l.today = given ? *given : l.snap.today ? *l.snap.today : today_in_copenhagen();
  return l;
}

// The source as people name it in messages.
std::string source_name(const source_options& o) {
  return o.snapshot.empty() ? "OS2mo at " + (o.mo_url.empty() ? env({"OS2MO_API_URL", "MO_URL", "FASTRAMQPI__MO_URL"}) : o.mo_url)
                            : o.snapshot;
}

bool wants_json(output_format f) {
  return f == output_format::json || (f == output_format::automatic && !stdout_is_terminal());
}

void print(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    throw failure{{error_kind::io, "standard output: write error"}};
}

}  // namespace

int reconcile(const reconcile_options& o) {
  if (o.dry_run && !o.write_snapshot.empty())
    usage("--write-snapshot writes the applied plan; leave out --dry-run to apply it");
  loaded l = load(o.source, o.unit);
  plan p = make_plan(l.snap, l.cfg, l.today);
  if (o.unit) p = scope_plan(l.snap, l.cfg, p, *o.unit);

  std::optional<apply_report> applied;
  std::optional<error> fatal;
  if (!o.dry_run && l.mo && o.write_snapshot.empty()) {
    const std::size_t before = l.mo->requests();
    applied = l.mo->apply(l.snap, p, &fatal);
    std::fprintf(stderr, "linemgr: wrote to OS2mo: %zu applied, %zu failed, %zu stale, in %zu requests\n", applied->ok,
                 applied->failed.size(), applied->stale.size(), l.mo->requests() - before);
  } else if (!o.dry_run) {
    // Print names from the snapshot the plan was made from; apply to a copy.
    snapshot after = l.snap;
    applied = apply_plan(after, p);
    if (!o.write_snapshot.empty())
      take(write_file_atomically(o.write_snapshot, snapshot_to_json(after)));
    else if (!p.changes.empty())
      std::fprintf(stderr, "linemgr: the plan was applied to the snapshot in memory only; "
                           "pass --write-snapshot FILE to keep the result\n");
  }
  print(wants_json(o.format) ? plan_to_json(l.snap, p, applied ? &*applied : nullptr)
                             : plan_to_text(l.snap, p, applied ? &*applied : nullptr));
  if (fatal) throw failure{*fatal};
  if (applied && (!applied->failed.empty() || !applied->stale.empty())) return 1;
  if (o.fail_on_changes && !p.changes.empty()) return 1;
  return 0;
}

int explain(const explain_options& o) {
  loaded l = load(o.source, o.unit);
  const auto x = explain_unit(l.snap, l.cfg, l.today, o.unit);
  if (!x) throw failure{{error_kind::data, fmt::format("unit {} is not in {}", o.unit, source_name(o.source))}};
  print(wants_json(o.format) ? explanation_to_json(l.snap, l.cfg, l.today, *x) : explanation_to_text(l.snap, l.cfg, l.today, *x));
  return 0;
}

int manager_of(const manager_of_options& o) {
  loaded l = load(o.source);
  day d = l.today;
  if (!o.date.empty()) {
    const auto parsed = parse_date(o.date);
    if (!parsed) usage(fmt::format("--date: not a date: \"{}\" (use YYYY-MM-DD)", o.date));
    d = *parsed;
  }
  std::vector<line_manager> answers;
  if (const index_t e = l.snap.engagements.ids.find(o.who); e != no_index) {
    if (auto lm = line_manager_of_engagement(l.snap, e, d)) answers.push_back(std::move(*lm));
  } else if (const index_t p = l.snap.person_ids.find(o.who); p != no_index) {
    answers = line_managers_of_person(l.snap, p, d);
  } else {
    throw failure{{error_kind::data, fmt::format("{} is neither a person nor an engagement in {}", o.who, source_name(o.source))}};
  }
  print(wants_json(o.format) ? line_managers_to_json(l.snap, o.who, d, answers) : line_managers_to_text(l.snap, o.who, d, answers));
  return 0;
}

}  // namespace linemgr::cli
