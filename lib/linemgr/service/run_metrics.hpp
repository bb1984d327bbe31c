#pragma once
// One run's metrics for node_exporter's textfile collector (`reconcile-* --metrics-file`): when the
// run ended, how long it took, whether it succeeded, and its changes by kind and outcome.
#include <optional>
#include <string>

#include <linemgr/service/reconcile.hpp>

namespace linemgr::service {

// What a run left behind, for its metrics.
struct run_outcome {
  std::string command;                   // reconcile-all, reconcile-unit, apply
  const run_report* report = nullptr;    // null when the run failed before it had a plan
  const apply_report* applied = nullptr; // null for a dry run or a failed run
  bool dry_run = false;
  bool success = false;       // finished, and every change took effect
  double duration_s = 0;
  double finished_unix_s = 0;  // seconds since the epoch
};

// The Prometheus text exposition of the run (metric names linemgr_run_*, label command).
std::string run_metrics_text(const run_outcome& o);

}  // namespace linemgr::service
