// reconcile-all, reconcile-unit, explain, manager-of and config: options in, the library's
// answer out as text or JSON.
#include "commands.hpp"


#include <fmt/format.h>

#include <linemgr/core/explain.hpp>
#include <linemgr/core/manager_of.hpp>
#include <linemgr/io/explain_output.hpp>
#include <linemgr/io/files.hpp>
#include <linemgr/io/plan_file.hpp>
#include <linemgr/io/plan_output.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <linemgr/service/run_metrics.hpp>

#include "log.hpp"
#include "progress.hpp"

namespace linemgr::cli {

namespace {

// The exit status of a run that finished (doc/formats.md §5): 1 when a change failed or was stale;
// with --fail-on-changes 1, with --detailed-exitcode 2, when there were changes; else 0.
int exit_status_of(bool clean, bool had_changes, bool fail_on_changes, bool detailed_exitcode) {
  if (!clean) return 1;
  if (had_changes && detailed_exitcode) return 2;
  if (had_changes && fail_on_changes) return 1;
  return 0;
}

}  // namespace

int reconcile(const reconcile_options& given) {
  reconcile_options o = given;
  const service::settings s = load_settings(o.source.flags);
  // The gatekeeper's DRY_RUN, unless the command line asks for a written result.
  if (!o.dry_run && o.write_snapshot.empty() && s.dry_run().value_or(false)) o.dry_run = true;
  if (o.dry_run && !o.write_snapshot.empty()) usage("--write-snapshot writes the applied plan; leave out --dry-run to apply it");
  if (!o.out.empty() && !o.write_snapshot.empty())
    usage("--out saves the plan and applies nothing; apply it later with `linemgr apply FILE --write-snapshot ...`");
  if (!o.out.empty()) o.dry_run = true;
  if (!o.write_snapshot.empty()) take(check_output_file(o.write_snapshot, "snapshot to write"));  // before any work
  if (!o.out.empty()) take(check_output_file(o.out, "plan file to write"));
  service::run_metrics_file metrics(o.metrics_file, o.unit ? "reconcile-unit" : "reconcile-all", stderr_log());
  take(metrics.check());
  const std::unique_ptr<announcer> hooks = open_announcer(s, o.webhook_flush_timeout_s);
  service::organisation org = open_organisation(o.source, s);
  const bool to_os2mo = org.os2mo() && o.write_snapshot.empty() && !o.dry_run;
  progress_bar bar("writing to OS2mo", to_os2mo && !o.quiet && stderr_is_terminal() && log_enabled(log_level::info) && !logs_as_json());
  service::run_options run;
  run.command = o.unit ? "reconcile-unit" : "reconcile-all";
  run.unit = o.unit;
  run.dry_run = o.dry_run;
  run.progress = [&bar](std::size_t done, std::size_t all) { bar.update(done, all); };
  run.in_memory = !o.write_snapshot.empty();
  run.log = stderr_log();
  run.confirm = confirm_on_terminal(org.name(), o.yes);
  if (!o.force) {
    run.safety = org.rules().safety;
    if (o.max_changes > 0) run.safety->max_changes = static_cast<std::size_t>(o.max_changes);
  }
  auto done = service::reconcile(org, run, hooks.get());
  bar.finish();
  if (!done) {
    if (hooks) hooks->flush();
    throw failure{done.err()};
  }
  const service::run_report& r = *done;
  const apply_report* applied = r.applied ? &*r.applied : nullptr;
  if (applied && !o.write_snapshot.empty())
    take(write_snapshot_file(o.write_snapshot, org.current()));
  else if (applied && !org.os2mo() && !r.changes.changes.empty())
    log_info("the plan was applied to the snapshot in memory only; pass --write-snapshot FILE to keep the result");
  if (!o.out.empty()) {
    take(write_file_atomically(o.out, plan_to_json(save_plan(org, r.changes, s.rules_digest(), o.unit), nullptr, true)));
    log_info("saved the plan ({} changes) to {}; review it, then apply exactly it with `linemgr apply {}`", r.changes.changes.size(),
             o.out, o.out);
  }
  print_plan(o.format, org.current(), r.changes, applied);
  if (hooks) hooks->flush();
  metrics.finished(r, applied, !applied, r.clean());
  if (applied && applied->fatal) throw failure{*applied->fatal};
  return exit_status_of(r.clean(), !r.changes.changes.empty(), o.fail_on_changes, o.detailed_exitcode);
}

int apply(const apply_options& o) {
  const service::settings s = load_settings(o.source.flags);
  if (!o.write_snapshot.empty()) take(check_output_file(o.write_snapshot, "snapshot to write"));  // before any work
  service::run_metrics_file metrics(o.metrics_file, "apply", stderr_log());
  take(metrics.check());
  const saved_plan saved = take(read_plan_file(o.plan_file));
  const std::unique_ptr<announcer> hooks = open_announcer(s, o.webhook_flush_timeout_s);
  service::organisation org = open_organisation(o.source, s);
  const bool to_os2mo = org.os2mo() && o.write_snapshot.empty();
  progress_bar bar("writing to OS2mo", to_os2mo && !o.quiet && stderr_is_terminal() && log_enabled(log_level::info) && !logs_as_json());
  service::apply_options run;
  run.run.command = "apply";
  run.run.unit = saved.unit;
  run.run.progress = [&bar](std::size_t done, std::size_t all) { bar.update(done, all); };
  run.run.in_memory = !o.write_snapshot.empty();
  run.run.log = stderr_log();
  run.run.confirm = confirm_on_terminal(org.name(), o.yes);
  if (!o.force) {
    run.run.safety = org.rules().safety;
    if (o.max_changes > 0) run.run.safety->max_changes = static_cast<std::size_t>(o.max_changes);
  }
  run.rules_digest = s.rules_digest();
  run.force = o.force;
  auto done = service::apply_saved(org, saved, run, hooks.get());
  bar.finish();
  if (!done) {
    if (hooks) hooks->flush();
    throw failure{done.err()};
  }
  const apply_report& applied = done->applied;
  if (!o.write_snapshot.empty())
    take(write_snapshot_file(o.write_snapshot, org.current()));
  else if (!org.os2mo() && applied.ok)
    log_info("the plan was applied to the snapshot in memory only; pass --write-snapshot FILE to keep the result");
  print_plan(o.format, done->plan, &applied);
  if (hooks) hooks->flush();
  if (applied.fatal) throw failure{*applied.fatal};
  const bool clean = applied.failed.empty() && applied.stale.empty();
  service::run_report report;  // the metrics count the saved plan's changes
  report.changes.today = saved.today;
  report.changes.diagnostics = saved.diagnostics;
  for (const saved_change& c : saved.changes) report.changes.changes.emplace_back().kind = c.kind;
  metrics.finished(report, &applied, false, clean);
  return exit_status_of(clean, !done->plan.changes.empty(), false, o.detailed_exitcode);
}

int explain(const explain_options& o) {
  const service::settings s = load_settings(o.source.flags);
  service::organisation org = open_organisation(o.source, s);
  take(org.load(o.unit));
  const std::string unit = take(unit_argument(org.current(), o.unit));
  const auto x = explain_unit(org.current(), org.rules(), org.today(), unit);
  if (!x) throw failure{{error_kind::data, fmt::format("unit {} is not in {}", o.unit, org.name())}};
  print(wants_json(o.format) ? explanation_to_json(org.current(), org.rules(), org.today(), *x)
                             : explanation_to_text(org.current(), org.rules(), org.today(), *x));
  return 0;
}

int manager_of(const manager_of_options& o) {
  const service::settings s = load_settings(o.source.flags);
  service::organisation org = open_organisation(o.source, s);
  take(org.load());
  const snapshot& snap = org.current();
  day d = org.today();
  if (!o.date.empty()) {
    const auto parsed = parse_date(o.date);
    if (!parsed) usage(fmt::format("--date: not a date: \"{}\" (use YYYY-MM-DD)", o.date));
    d = *parsed;
  }
  std::vector<line_manager> answers;
  if (const index_t e = snap.engagements.ids.find(o.who); e != no_index) {
    if (auto lm = line_manager_of_engagement(snap, e, d)) answers.push_back(std::move(*lm));
  } else if (const index_t p = snap.person_ids.find(o.who); p != no_index) {
    answers = line_managers_of_person(snap, p, d);
  } else {
    throw failure{{error_kind::data, fmt::format("{} is neither a person nor an engagement in {}", o.who, org.name())}};
  }
  print(wants_json(o.format) ? line_managers_to_json(snap, o.who, d, answers) : line_managers_to_text(snap, o.who, d, answers));
  return 0;
}

int config_check(const config_options& o) {
  // Everything `show` reads, read the same way; nothing connects anywhere.
  const service::settings s = load_settings(config_flag(o.config));
  take(s.check());
  const std::size_t settings = s.all().size(), sinks = take(s.webhooks()).sinks.size();
  print(fmt::format("{}: valid ({} settings{})\n", s.file() ? *s.file() : "no configuration file (defaults and environment)", settings,
                    sinks ? fmt::format(", {} webhook sink{}", sinks, sinks > 1 ? "s" : "") : ""));
  return 0;
}

int config_show(const config_options& o) {
  const service::settings s = load_settings(config_flag(o.config));
  take(s.check());
  print(wants_json(o.format) ? service::settings_to_json(s) : service::settings_to_text(s));
  return 0;
}

}  // namespace linemgr::cli
