#pragma once
// Reconciling batches of events: the units they seed (H11), the plan united over their scopes
// (G9), applied to the in-memory snapshot or written to OS2mo.
#include <optional>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/plan.hpp"
#include "ops.hpp"
#include "sources.hpp"
#include "webhooks.hpp"

namespace linemgr::cli {

// What one batch did.
struct batch_outcome {
  std::size_t events = 0, units = 0, changes = 0, ok = 0, failed = 0, stale = 0;
  std::optional<error> fatal;  // OS2mo unreachable: nothing of the batch may be taken as done
};

// Reconciles batches against the source `open_source` opened.
class reconciler {
 public:
  reconciler(loaded source, bool dry_run, bool today_given);
  // Announces each batch that plans changes to these webhooks (not owned; may be null).
  void announce_to(webhooks* hooks) { hooks_ = hooks; }
  // Records batches (durations, events, changes, OS2mo's reachability) here (not owned; may be null).
  void record_to(listen_state* state) { state_ = state; }
  // Plans and applies the changes the events call for.
  batch_outcome process(const std::vector<event>& events);
  // The in-memory snapshot (snapshot source).
  const snapshot& current() const { return source_.snap; }
  // The OS2mo connection, when the source is OS2mo.
  os2mo_connection* connection() { return source_.mo.get(); }

 private:
  loaded source_;
  bool dry_run_;
  bool today_given_;
  webhooks* hooks_ = nullptr;
  listen_state* state_ = nullptr;
  apply_report last_report_;
  batch_outcome process_batch(const std::vector<event>& events, const apply_report** report_out, plan* plan_out);
};

}  // namespace linemgr::cli
