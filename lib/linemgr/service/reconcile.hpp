#pragma once
// The run protocol, once: read the organisation, plan, hold the plan's notices, apply (to OS2mo
// or to the snapshot), announce the outcome. reconcile-all, reconcile-unit and every listen batch
// go through here.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <linemgr/core/config.hpp>
#include <linemgr/core/events.hpp>
#include <linemgr/core/model.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/core/saved_plan.hpp>
#include <linemgr/io/log.hpp>
#include <linemgr/os2mo/http.hpp>
#include <linemgr/os2mo/os2mo.hpp>
#include <linemgr/webhooks/announcer.hpp>

namespace linemgr::service {

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::os2mo;
using namespace linemgr::webhooks;

// Where the organisation comes from (a snapshot, or OS2mo) and the rules that judge it.
class organisation {
 public:
  // A snapshot file ("-": standard input), read by the first load(); its `today` is the day to
  // plan for unless `today` is given.
  static organisation from_snapshot_file(const std::string& path, config rules, std::optional<day> today = {});
  // A snapshot in memory; `name` is how messages call it.
  static organisation from_snapshot(snapshot snap, config rules, std::string name, std::optional<day> today = {});
  // OS2mo: nothing is read before load(). `transport` replaces libcurl (tests).
  static organisation from_os2mo(os2mo_settings settings, config rules, std::optional<day> today = {},
                                 std::unique_ptr<http_transport> transport = nullptr);

  // OS2mo: reads the organisation again, all of it or what reconcile-unit of `scope_unit` needs
  // (errors of kind unavailable when OS2mo cannot be reached). A snapshot file: read the first
  // time (errors name the file and the place in it), then kept as changes leave it.
  status load(const std::optional<std::string>& scope_unit = std::nullopt);
  // OS2mo: reads the union of the units' scopes (a listen batch's seeds); a snapshot: as load().
  status load_units(const std::vector<std::string>& unit_ids);
  // The organisation as last read (a snapshot: as changes left it).
  const snapshot& current() const { return snap_; }
  snapshot& current() { return snap_; }
  // The rules.
  const config& rules() const { return rules_; }
  // The day to plan for: the given one, else the snapshot's, else today in Copenhagen.
  day today() const;
  // The OS2mo connection; null for a snapshot.
  os2mo_connection* os2mo() { return mo_.get(); }
  // True when the source is OS2mo.
  bool is_os2mo() const { return mo_ != nullptr; }
  // How messages name the source: the file, or "OS2mo at URL".
  const std::string& name() const { return name_; }

 private:
  organisation() = default;
  snapshot snap_;
  config rules_;
  std::optional<day> today_;
  std::unique_ptr<os2mo_connection> mo_;
  std::string name_;
  std::optional<std::string> unread_file_;  // a snapshot file not read yet
};

// How one run goes.
struct run_options {
  std::string command = "reconcile-all";  // as the run's notice names it: reconcile-all, reconcile-unit, listen
  std::optional<std::string> unit;        // reconcile-unit: plan only this unit's scope (G9)
  bool dry_run = false;                   // plan (and announce as a dry run), apply nothing
  // Called after each change written to OS2mo with (done, all).
  std::function<void(std::size_t, std::size_t)> progress;
  bool in_memory = false;  // apply to the snapshot in memory even when it was read from OS2mo (to write it out)
  // Guard rails for a write to OS2mo (service/safety.hpp); none: no limits (--force).
  std::optional<config::safety_t> safety;
  // Asked with the plan just before it is written to OS2mo (the CLI's prompt on a terminal); when
  // it answers false nothing is written and the run ends with an error of kind refused. May be empty.
  std::function<bool(const plan&)> confirm;
  log_sink log;  // progress lines (info) and trouble (warn); may be empty
};

// What a run did.
struct run_report {
  plan changes;                         // the plan, in the order it was applied
  std::optional<apply_report> applied;  // none in a dry run; `applied->fatal` when OS2mo went away mid-way
  std::size_t units = 0;                // listen: the units the events seeded
  // True when every planned change took effect (or there was nothing to apply).
  bool clean() const { return !applied || (applied->failed.empty() && applied->stale.empty() && !applied->fatal); }
};

// reconcile-all / reconcile-unit: reads (all, or the unit's scope), plans, holds the notices in
// `hooks` (may be null), applies to OS2mo or to the snapshot in memory, and announces the outcome.
// A failure before the announcement is announced as a failed run, then returned. A write to OS2mo
// that the guard rails refuse (`options.safety`) is an error of kind refused, and nothing is written.
result<run_report> reconcile(organisation& org, const run_options& options, announcer* hooks);

// One listen batch: finds the units the events seed (H11) and plans their scopes (G9) from what
// those scopes read: from OS2mo, the events' objects and then the scopes alone (about six requests,
// whatever the organisation's size); from a snapshot, its part that the scopes read
// (core::plan_scope). Units outside the scopes are taken to hold their right classes (a full
// reconcile, `listen --full-every`, repairs them when not). Then applies and announces. A batch that OS2mo cut short (`applied->fatal`) is not announced: it is
// to be tried again whole, and only its final outcome is.
result<run_report> reconcile_batch(organisation& org, const std::vector<event>& events, const run_options& options,
                                   announcer* hooks);

// How messages and saved plans name the organisation's source: "OS2mo at URL", or the snapshot
// file's absolute path.
std::string source_identity(const organisation& org);

// The plan as `--out` saves it (doc/formats.md §3 "Saved plans"): ids, the fingerprint of every
// change, and its basis (the source, the rules' digest, the time, the unit of reconcile-unit).
saved_plan save_plan(const organisation& org, const plan& p, std::string rules_digest, std::optional<std::string> unit);

// What `linemgr apply` checks beyond a run.
struct apply_options {
  run_options run;           // command "apply"; guard rails, progress, log, in_memory
  std::string rules_digest;  // the rules in force now (settings::rules_digest)
  bool force = false;        // apply although the plan was made from another source or under other rules
};

// What applying a saved plan did.
struct apply_outcome {
  saved_plan plan;       // as saved; names filled in from the organisation where found
  apply_report applied;  // in the saved plan's indices; stale changes included
};

// linemgr apply: refuses (kind refused) a plan made from another source or under other rules unless
// forced; reads what the plan's changes name (OS2mo: only their units' scopes; a snapshot: the
// file); resolves every change by id — one whose records differ from its fingerprint is stale,
// reported and not applied, never planned again; applies the rest in the saved order as a run does
// (guard rails, notices, the OS2mo sink's own check just before writing).
result<apply_outcome> apply_saved(organisation& org, const saved_plan& saved, const apply_options& o, announcer* hooks);

}  // namespace linemgr::service
