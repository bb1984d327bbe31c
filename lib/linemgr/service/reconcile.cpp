#include <linemgr/service/reconcile.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include <linemgr/core/explain.hpp>
#include <linemgr/core/scope.hpp>
#include <linemgr/service/safety.hpp>
#include <linemgr/io/copenhagen.hpp>
#include <linemgr/io/snapshot_file.hpp>

namespace linemgr::service {

using namespace linemgr::io;

namespace {

void log_to(const log_sink& log, log_level level, const std::string& line) {
  if (log) log(level, line);
}

// How the protocol announces a run.
struct announce_policy {
  bool full = false;             // a whole-organisation run: settles notices held by crashed runs
  bool when_cut_short = true;    // announce a run that OS2mo cut short (a listen batch is retried instead)
  bool when_empty = true;        // announce a run that planned nothing
};

// The protocol after planning: hold the notices, apply, announce.
run_report execute(organisation& org, plan p, const run_options& o, announcer* hooks, announce_policy policy) {
  run_report r;
  r.changes = std::move(p);
  const plan& planned = r.changes;
  std::optional<snapshot> planned_from;  // offline: the snapshot before the changes, for the notices
  if (!o.dry_run) {
    if (hooks) (void)hooks->hold(org.current(), planned);  // a failure is logged; the run goes on
    if (os2mo_connection* mo = org.os2mo(); mo && !o.in_memory) {
      const std::size_t before = mo->requests();
      r.applied = mo->apply(org.current(), planned, o.progress);
      log_to(o.log, log_level::info,
             fmt::format("wrote to OS2mo: {} applied, {} failed, {} stale, in {} requests", r.applied->ok, r.applied->failed.size(),
                         r.applied->stale.size(), mo->requests() - before));
    } else {
      if (hooks) planned_from = org.current();  // notices describe the records as they were
      r.applied = apply_plan(org.current(), planned);
    }
  }
  const bool cut_short = r.applied && r.applied->fatal;
  if (!hooks || (cut_short && !policy.when_cut_short) || (planned.changes.empty() && !policy.when_empty)) return r;
  run_summary run{o.command, o.unit, planned.today, planned.changes.size(), 0, 0, 0, std::nullopt};
  if (r.applied) {
    run.ok = r.applied->ok;
    run.failed = r.applied->failed.size();
    run.stale = r.applied->stale.size();
    if (r.applied->fatal) run.error = r.applied->fatal->message;
  }
  (void)hooks->announce(planned_from ? *planned_from : org.current(), planned, r.applied ? &*r.applied : nullptr, run, o.dry_run,
                        policy.full);  // a failure is logged; the changes stand
  return r;
}

}  // namespace

organisation organisation::from_snapshot_file(const std::string& path, config rules, std::optional<day> today) {
  organisation org = from_snapshot(snapshot{}, std::move(rules), path, today);
  org.unread_file_ = path;
  return org;
}

organisation organisation::from_snapshot(snapshot snap, config rules, std::string name, std::optional<day> today) {
  organisation org;
  org.snap_ = std::move(snap);
  org.rules_ = std::move(rules);
  org.today_ = today;
  org.name_ = std::move(name);
  return org;
}

organisation organisation::from_os2mo(os2mo_settings settings, config rules, std::optional<day> today,
                                      std::unique_ptr<http_transport> transport) {
  organisation org;
  org.name_ = "OS2mo at " + settings.url;
  org.rules_ = std::move(rules);
  org.today_ = today;
  org.mo_ = std::make_unique<os2mo_connection>(std::move(settings), std::move(transport));
  return org;
}

status organisation::load(const std::optional<std::string>& scope_unit) {
  if (unread_file_) {
    auto read = read_snapshot_file(*unread_file_);
    if (!read) return read.err();
    snap_ = std::move(*read);
    unread_file_.reset();
    return {};
  }
  if (!mo_) return {};
  auto read = scope_unit ? mo_->load_scope(*scope_unit) : mo_->load_all();
  if (!read) return read.err();
  snap_ = std::move(*read);
  return {};
}

status organisation::load_units(const std::vector<std::string>& unit_ids) {
  if (!mo_) return load();
  auto read = mo_->load_scope(unit_ids);
  if (!read) return read.err();
  snap_ = std::move(*read);
  return {};
}

day organisation::today() const {
  if (today_) return *today_;
  return snap_.today ? *snap_.today : today_in_copenhagen();
}

namespace {

// A run that cannot get as far as applying is announced as failed; gives the error back.
error announce_failure(announcer* hooks, const run_options& o, day today, error e) {
  if (hooks && e.kind != error_kind::usage) {
    run_summary run{o.command, o.unit, today, 0, 0, 0, 0, e.message};
    (void)hooks->announce(snapshot{}, plan{today, {}, {}}, nullptr, run, o.dry_run);
  }
  return e;
}

// True for text shaped like a uuid (8-4-4-4-12 hex digits).
bool looks_like_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

constexpr const char* not_confirmed = "nothing was written: the plan was not confirmed";

// False when the operator was asked and said no.
bool confirmed(organisation& org, const plan& p, const run_options& o) {
  if (!o.confirm || o.dry_run || !org.os2mo() || o.in_memory || p.changes.empty()) return true;
  return o.confirm(p);
}

}  // namespace

result<run_report> reconcile(organisation& org, const run_options& o, announcer* hooks) {
  const day started = org.today();
  auto failed = [&](error e) -> result<run_report> { return announce_failure(hooks, o, started, std::move(e)); };
  std::optional<std::string> unit = o.unit;
  // OS2mo reads a unit's scope by uuid: a user_key is looked up first (one request).
  if (os2mo_connection* mo = org.os2mo(); unit && mo && !looks_like_uuid(*unit)) {
    auto named = mo->units_with_user_key(*unit);
    if (!named) return failed(named.err());
    if (named->size() > 1) return ambiguous_user_key(*unit, *named);
    if (named->empty()) {  // G9: an unknown unit plans nothing, and says so
      plan none = scope_plan(snapshot{}, org.rules(), plan{started, {}, {}}, *unit);
      return execute(org, std::move(none), o, hooks, {.full = false, .when_cut_short = true, .when_empty = true});
    }
    unit = named->front().first;
  }
  if (auto loaded = org.load(unit); !loaded) return failed(loaded.err());
  if (unit) {
    auto named = unit_argument(org.current(), *unit);
    if (!named) return named.err();
    unit = *named;
  }
  if (os2mo_connection* mo = org.os2mo()) {
    const snapshot& s = org.current();
    log_to(o.log, log_level::info,
           fmt::format("read {} units, {} engagements, {} associations and {} managers from OS2mo in {} requests", s.units.size(),
                       s.engagements.size(), s.associations.size(), s.managers.size(), mo->requests()));
  }
  const day today = org.today();
  plan p = make_plan(org.current(), org.rules(), today);
  if (unit) p = scope_plan(org.current(), org.rules(), p, *unit);
  if (o.safety && !o.dry_run && org.os2mo() && !o.in_memory)
    if (const auto why = refusal(org.current(), p, *o.safety)) return failed(error{error_kind::refused, *why});
  if (!confirmed(org, p, o)) return error{error_kind::refused, not_confirmed};
  return execute(org, std::move(p), o, hooks, {.full = !o.unit, .when_cut_short = true, .when_empty = true});
}

result<run_report> reconcile_batch(organisation& org, const std::vector<event>& events, const run_options& o, announcer* hooks) {
  run_report empty;
  std::vector<index_t> seeds;
  plan p;
  if (os2mo_connection* mo = org.os2mo()) {
    // OS2mo as it is now (the events say only that something changed): the units the events seed,
    // then only their scopes. A bounded number of requests, whatever the organisation's size.
    const std::size_t before = mo->requests();
    auto seed_ids = mo->event_units(events);
    if (!seed_ids) return seed_ids.err();
    // A burst that seeds more units than a page holds reads everything: as few requests, and
    // exact without the assumption about the units outside the scopes.
    const bool whole = seed_ids->size() > static_cast<std::size_t>(std::max(1, mo->settings().page_size));
    if (!seed_ids->empty()) {
      if (auto loaded = whole ? org.load() : org.load_units(*seed_ids); !loaded) return loaded.err();
      for (const std::string& id : *seed_ids)
        if (const index_t u = org.current().units.ids.find(id); u != no_index) seeds.push_back(u);
    }
    log_to(o.log, log_level::debug,
           fmt::format("batch of {} events: {} seed units, read in {} requests", events.size(), seeds.size(), mo->requests() - before));
    const snapshot& s = org.current();
    if (!seeds.empty()) p = scope_plan_units(s, org.rules(), make_plan(s, org.rules(), org.today()), seeds);
  } else {
    // A snapshot: plan the seeds' scopes from the part of it they read (core/scope.hpp).
    if (auto loaded = org.load(); !loaded) return loaded.err();
    seeds = seed_units(org.current(), events);
    if (!seeds.empty()) p = plan_scope(org.current(), org.rules(), org.today(), seeds);
  }
  empty.changes.today = org.today();
  empty.units = seeds.size();
  if (seeds.empty()) return empty;
  if (p.changes.empty()) {
    empty.changes = std::move(p);
    return empty;
  }
  if (o.safety && !o.dry_run && org.os2mo() && !o.in_memory)
    if (const auto why = refusal(org.current(), p, *o.safety)) return error{error_kind::refused, *why};
  run_report r = execute(org, std::move(p), o, hooks, {.full = false, .when_cut_short = false, .when_empty = false});
  r.units = seeds.size();
  return r;
}

std::string source_identity(const organisation& org) {
  if (org.is_os2mo() || org.name() == "-") return org.name();
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(org.name(), ec);
  return ec ? org.name() : absolute.lexically_normal().string();
}

saved_plan save_plan(const organisation& org, const plan& p, std::string rules_digest, std::optional<std::string> unit) {
  saved_plan out = saved_from(org.current(), p);
  const std::vector<std::string> prints = change_fingerprints(org.current(), p);
  for (std::size_t i = 0; i < out.changes.size(); ++i) out.changes[i].fingerprint = prints[i];
  out.source = source_identity(org);
  out.config_digest = std::move(rules_digest);
  out.unit = std::move(unit);
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  out.made_at = stamp;
  return out;
}

result<apply_outcome> apply_saved(organisation& org, const saved_plan& saved, const apply_options& o, announcer* hooks) {
  auto failed = [&](error e) -> result<apply_outcome> { return announce_failure(hooks, o.run, saved.today, std::move(e)); };
  if (!o.force) {
    if (const std::string here = source_identity(org); saved.source != here)
      return failed({error_kind::refused, fmt::format("the plan was made from {}, not {}: apply it there, make a new plan here, "
                                                      "or pass --force", saved.source, here)});
    if (saved.config_digest != o.rules_digest)
      return failed({error_kind::refused, "the rules changed since the plan was made (its config_digest differs): make a new "
                                          "plan, or pass --force to apply this one under the new rules"});
  }
  if (os2mo_connection* mo = org.os2mo()) {
    // OS2mo as it is now, only where the plan's records are: the units they seed (H11), their scopes.
    const std::vector<event> events = saved_plan_events(saved);
    if (events.empty()) return apply_outcome{saved, apply_report{}};  // nothing to read, nothing to write
    auto seed_ids = mo->event_units(events);
    if (!seed_ids) return failed(seed_ids.err());
    const bool whole = seed_ids->size() > static_cast<std::size_t>(std::max(1, mo->settings().page_size));
    if (auto loaded = whole ? org.load() : org.load_units(*seed_ids); !loaded) return failed(loaded.err());
  } else if (auto loaded = org.load(); !loaded) {
    return failed(loaded.err());
  }
  resolved_plan resolved = resolve_saved_plan(org.current(), saved, org.name());
  if (o.run.safety && org.os2mo() && !o.run.in_memory)
    if (const auto why = refusal(org.current(), resolved.fresh, *o.run.safety)) return failed({error_kind::refused, *why});
  if (!confirmed(org, resolved.fresh, o.run)) return error{error_kind::refused, not_confirmed};
  if (!resolved.stale.empty())
    log_to(o.run.log, log_level::warn,
           fmt::format("{} of the plan's {} changes are stale (their records changed since the plan was made); they are not applied",
                       resolved.stale.size(), saved.changes.size()));
  run_options run = o.run;
  run.dry_run = false;
  const run_report r = execute(org, resolved.fresh, run, hooks, {.full = false, .when_cut_short = true, .when_empty = true});
  apply_outcome out;
  out.plan = saved;
  const snapshot& now = org.current();
  for (saved_change& c : out.plan.changes) describe(now, c);
  out.applied = report_in_saved_order(resolved, r.applied ? *r.applied : apply_report{});
  return out;
}

}  // namespace linemgr::service
