#pragma once
// One run's metrics for node_exporter's textfile collector (`reconcile-* --metrics-file`): when the
// run ended, how long it took, whether it succeeded, and its changes by kind and outcome.
#include <chrono>
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

// A run's metrics file (`--metrics-file`), written when this object goes away, however the run
// ended: a run that never reached finished() counts as failed. An empty path writes nothing.
class run_metrics_file {
 public:
  run_metrics_file(std::string path, std::string command, log_sink log);
  ~run_metrics_file();
  run_metrics_file(const run_metrics_file&) = delete;
  run_metrics_file& operator=(const run_metrics_file&) = delete;
  // Whether the file can be written (to ask before any work); errors of kind io, and then nothing
  // is written at the end.
  status check();
  // The run finished: its report, what was applied (null: nothing), whether all of it took effect.
  void finished(const run_report& r, const apply_report* applied, bool dry_run, bool success);

 private:
  std::string render();
  std::string path_, text_;
  run_outcome outcome_;
  log_sink log_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace linemgr::service
