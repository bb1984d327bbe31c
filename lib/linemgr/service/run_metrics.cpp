#include <linemgr/service/run_metrics.hpp>

#include <array>

#include <linemgr/io/files.hpp>
#include <linemgr/io/metrics.hpp>
#include <linemgr/io/snapshot_file.hpp>

namespace linemgr::service {

std::string run_metrics_text(const run_outcome& o) {
  using k = metrics::kind;
  metrics m;
  m.declare("linemgr_run_last_timestamp_seconds", k::gauge, "When the last run ended (seconds since the epoch).");
  m.declare("linemgr_run_duration_seconds", k::gauge, "How long the last run took.");
  m.declare("linemgr_run_success", k::gauge, "1 when the last run finished and every change took effect, else 0.");
  m.declare("linemgr_run_dry_run", k::gauge, "1 when the last run applied nothing (--dry-run, --out).");
  m.declare("linemgr_run_changes", k::gauge, "Changes the last run planned, by kind (plan op).");
  m.declare("linemgr_run_changes_applied", k::gauge, "Changes the last run applied.");
  m.declare("linemgr_run_changes_failed", k::gauge, "Changes that failed in the last run.");
  m.declare("linemgr_run_changes_stale", k::gauge, "Changes the last run skipped as stale (their records changed after they were read).");
  m.declare("linemgr_run_diagnostics", k::gauge, "Diagnostics of the last run's plan, by severity.");
  const std::string_view c = o.command;
  m.set("linemgr_run_last_timestamp_seconds", o.finished_unix_s, "command", c);
  m.set("linemgr_run_duration_seconds", o.duration_s, "command", c);
  m.set("linemgr_run_success", o.success ? 1 : 0, "command", c);
  m.set("linemgr_run_dry_run", o.dry_run ? 1 : 0, "command", c);
  std::array<double, 7> by_op{};
  std::array<double, 3> by_severity{};
  if (o.report) {
    for (const change& ch : o.report->changes.changes) ++by_op[static_cast<std::size_t>(ch.kind)];
    for (const diagnostic& d : o.report->changes.diagnostics) ++by_severity[static_cast<std::size_t>(d.level)];
  }
  for (std::size_t i = 0; i < by_op.size(); ++i) m.set("linemgr_run_changes", by_op[i], "kind", op_name(static_cast<op>(i)));
  for (std::size_t i = 0; i < by_severity.size(); ++i)
    m.set("linemgr_run_diagnostics", by_severity[i], "severity", severity_name(static_cast<severity>(i)));
  m.set("linemgr_run_changes_applied", o.applied ? static_cast<double>(o.applied->ok) : 0, "command", c);
  m.set("linemgr_run_changes_failed", o.applied ? static_cast<double>(o.applied->failed.size()) : 0, "command", c);
  m.set("linemgr_run_changes_stale", o.applied ? static_cast<double>(o.applied->stale.size()) : 0, "command", c);
  return m.exposition();
}

run_metrics_file::run_metrics_file(std::string path, std::string command, log_sink log)
    : path_(std::move(path)), log_(std::move(log)) {
  outcome_.command = std::move(command);
}

run_metrics_file::~run_metrics_file() {
  if (path_.empty()) return;
  if (text_.empty()) text_ = render();
  if (auto written = write_file_atomically(path_, text_); !written && log_)
    log_(log_level::warn, "--metrics-file: " + written.err().message);
}

status run_metrics_file::check() {
  if (path_.empty()) return {};
  auto usable = check_output_file(path_, "metrics file");
  if (!usable) path_.clear();  // said once, not tried again at the end
  return usable;
}

void run_metrics_file::finished(const run_report& r, const apply_report* applied, bool dry_run, bool success) {
  if (path_.empty()) return;
  outcome_.report = &r;
  outcome_.applied = applied;
  outcome_.dry_run = dry_run;
  outcome_.success = success;
  text_ = render();  // now, while the report lives
}

std::string run_metrics_file::render() {
  outcome_.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  outcome_.finished_unix_s = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return run_metrics_text(outcome_);
}

}  // namespace linemgr::service
