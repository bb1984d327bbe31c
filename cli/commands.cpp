#include "commands.hpp"
#include "log.hpp"
#include "progress.hpp"
#include "sources.hpp"

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
#include "settings.hpp"
#include "webhooks.hpp"

namespace linemgr::cli {

int reconcile(const reconcile_options& given) {
  reconcile_options o = given;
  // The gatekeeper's DRY_RUN, unless the command line asks for a written result.
  if (!o.dry_run && o.write_snapshot.empty() && env_dry_run().value_or(false)) o.dry_run = true;
  if (o.dry_run && !o.write_snapshot.empty())
    usage("--write-snapshot writes the applied plan; leave out --dry-run to apply it");
  // Sinks first: a bad [[webhook]] table stops the run before anything is changed.
  const std::unique_ptr<webhooks> hooks = webhooks::open(o.source.config, o.webhook_flush_timeout_s);
  run_summary run{o.unit ? "reconcile-unit" : "reconcile-all", o.unit, 0, 0, 0, 0, 0, std::nullopt};
  bool announced = false;
  try {
    loaded l = load(o.source, o.unit);
    run.today = l.today;
    plan p = make_plan(l.snap, l.cfg, l.today);
    if (o.unit) p = scope_plan(l.snap, l.cfg, p, *o.unit);

    std::optional<apply_report> applied;
    std::optional<error> fatal;
    if (hooks && !o.dry_run) hooks->hold(l.snap, p);
    if (!o.dry_run && l.mo && o.write_snapshot.empty()) {
      const std::size_t before = l.mo->requests();
      progress_bar bar("writing to OS2mo", !o.quiet && stderr_is_terminal() && log_enabled(log_level::info) && !logs_as_json());
      applied = l.mo->apply(l.snap, p, &fatal, [&bar](std::size_t done, std::size_t total) { bar.update(done, total); });
      bar.finish();
      log_info("wrote to OS2mo: {} applied, {} failed, {} stale, in {} requests", applied->ok,
                   applied->failed.size(), applied->stale.size(), l.mo->requests() - before);
    } else if (!o.dry_run) {
      // Print names from the snapshot the plan was made from; apply to a copy.
      snapshot after = l.snap;
      applied = apply_plan(after, p);
      if (!o.write_snapshot.empty())
        take(write_file_atomically(o.write_snapshot, snapshot_to_json(after)));
      else if (!p.changes.empty())
        log_info("the plan was applied to the snapshot in memory only; pass --write-snapshot FILE to keep the result");
    }
    if (hooks) {
      run.changes = p.changes.size();
      if (applied) {
        run.ok = applied->ok;
        run.failed = applied->failed.size();
        run.stale = applied->stale.size();
      }
      if (fatal) run.error = fatal->message;
      hooks->announce(l.snap, p, applied ? &*applied : nullptr, run, o.dry_run, !o.unit);
      announced = true;
    }
    print(wants_json(o.format) ? plan_to_json(l.snap, p, applied ? &*applied : nullptr)
                               : plan_to_text(l.snap, p, applied ? &*applied : nullptr));
    if (hooks) hooks->flush();
    if (fatal) throw failure{*fatal};
    if (applied && (!applied->failed.empty() || !applied->stale.empty())) return 1;
    if (o.fail_on_changes && !p.changes.empty()) return 1;
    return 0;
  } catch (const failure& f) {
    // The run could not finish before its announcement: announce that it failed.
    if (hooks && !announced && f.err.kind != error_kind::usage) {
      run.error = f.err.message;
      hooks->announce(snapshot{}, plan{run.today, {}, {}}, nullptr, run, o.dry_run);
      hooks->flush();
    }
    throw;
  }
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
