#include "reconciler.hpp"

#include <cstdio>

#include "environment.hpp"

namespace linemgr::cli {

reconciler::reconciler(loaded source, bool dry_run, bool today_given)
    : source_(std::move(source)), dry_run_(dry_run), today_given_(today_given) {}

batch_outcome reconciler::process(const std::vector<event>& events) {
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
  out.changes = p.changes.size();
  if (dry_run_ || p.changes.empty()) return out;
  if (source_.mo) {
    const apply_report report = source_.mo->apply(source_.snap, p, &out.fatal);
    out.ok = report.ok;
    out.failed = report.failed.size();
    out.stale = report.stale.size();
  } else {
    out.ok = apply_plan(source_.snap, p).ok;
  }
  return out;
}

}  // namespace linemgr::cli
