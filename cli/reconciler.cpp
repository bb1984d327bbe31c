#include "reconciler.hpp"

#include <chrono>
#include <cstdio>

#include "environment.hpp"

namespace linemgr::cli {

reconciler::reconciler(loaded source, bool dry_run, bool today_given)
    : source_(std::move(source)), dry_run_(dry_run), today_given_(today_given) {}

batch_outcome reconciler::process(const std::vector<event>& events) {
  if (!state_) return process_batch(events, nullptr, nullptr);
  const auto started = std::chrono::steady_clock::now();
  const apply_report* report = nullptr;
  plan p;
  batch_outcome out = process_batch(events, &report, &p);
  metrics& m = state_->m;
  m.observe("linemgr_reconcile_duration_seconds",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  state_->os2mo_reachable = !out.fatal;
  m.set("linemgr_os2mo_reachable", out.fatal ? 0 : 1);
  for (const event& e : events)
    m.add(out.fatal ? "linemgr_events_failed_total" : "linemgr_events_processed_total", 1, "routing_key", routing_key_of(e.kind));
  if (report) {
    std::vector<bool> bad(p.changes.size(), false);
    for (const auto& f : report->failed) bad[f.change] = true;
    for (const auto& f : report->stale) bad[f.change] = true;
    for (std::size_t i = 0; i < p.changes.size(); ++i)
      m.add(bad[i] ? "linemgr_changes_failed_total" : "linemgr_changes_applied_total", 1, "kind", op_name(p.changes[i].kind));
  }
  return out;
}

batch_outcome reconciler::process_batch(const std::vector<event>& events, const apply_report** report_out, plan* plan_out) {
  batch_outcome out;
  out.events = events.size();
  if (source_.mo) {
    // Read the organisation as it is now: the events say only that something changed.
    auto snap = source_.mo->load_all();
    if (!snap) {
      if (snap.err().kind == error_kind::unavailable) {
        out.fatal = snap.err();
        return out;
      }
      throw failure{snap.err()};
    }
    source_.snap = std::move(snap.value());
  }
  const day today = today_given_ ? source_.today : source_.snap.today ? *source_.snap.today : today_in_copenhagen();
  const std::vector<index_t> seeds = seed_units(source_.snap, events);
  out.units = seeds.size();
  if (seeds.empty()) return out;
  const plan full = make_plan(source_.snap, source_.cfg, today);
  const plan p = scope_plan_units(source_.snap, source_.cfg, full, seeds);
  if (plan_out) *plan_out = p;
  out.changes = p.changes.size();
  if (p.changes.empty()) return out;
  auto announce = [&](const snapshot& planned_from, const apply_report* report) {
    if (!hooks_) return;
    run_summary run{"listen", std::nullopt, today, out.changes, out.ok, out.failed, out.stale, std::nullopt};
    if (out.fatal) run.error = out.fatal->message;
    hooks_->announce(planned_from, p, report, run, dry_run_);
  };
  if (dry_run_) {
    announce(source_.snap, nullptr);
    return out;
  }
  if (hooks_) hooks_->hold(source_.snap, p);
  if (source_.mo) {
    const apply_report report = source_.mo->apply(source_.snap, p, &out.fatal);
    if (report_out) {
      last_report_ = report;
      *report_out = &last_report_;
    }
    out.ok = report.ok;
    out.failed = report.failed.size();
    out.stale = report.stale.size();
    // A batch OS2mo cut short is tried again whole: only its final outcome is announced.
    if (!out.fatal) announce(source_.snap, &report);
  } else {
    std::optional<snapshot> planned_from;
    if (hooks_) planned_from = source_.snap;  // notices describe the records as they were
    const apply_report report = apply_plan(source_.snap, p);
    if (report_out) {
      last_report_ = report;
      *report_out = &last_report_;
    }
    out.ok = report.ok;
    announce(planned_from ? *planned_from : source_.snap, &report);
  }
  return out;
}

}  // namespace linemgr::cli
