#pragma once
// Notices: the outbound events that tell other systems what a run changed (one per change
// applied or failed, one per run), and the filters webhook sinks choose them with. Pure: the
// time and the run's id are passed in.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <linemgr/core/plan.hpp>

namespace linemgr::core {

// What a notice is about, or is related to: a kind (unit, manager, association, engagement,
// person, run) and an id (empty when not known, as for a manager not yet created).
struct notice_target {
  std::string kind, id;
};

// One named value before or after a change; nullopt is JSON null.
struct notice_field {
  std::string name;
  std::optional<std::string> value;
};

// How a run went, for reconcile.completed / reconcile.failed.
struct run_summary {
  std::string command;               // reconcile-all, reconcile-unit, listen
  std::optional<std::string> scope;  // reconcile-unit's unit
  day today = 0;
  std::size_t changes = 0, ok = 0, failed = 0, stale = 0;
  std::optional<std::string> error;  // a fatal error that ended the run
};

// One outbound event (the webhook envelope's content).
struct notice {
  std::string id;    // stable: derived from the change and its outcome, or from the run
  std::string type;  // unit.class_changed, manager.created, …, reconcile.completed
  std::string time;  // RFC 3339, UTC
  bool success = true;
  bool dry_run = false;
  notice_target subject;
  std::vector<notice_target> related;  // the unit, the person, the unit moved to
  std::vector<std::string> unit_path;  // the subject's unit and its ancestors today, nearest first
  std::string unit_name, person_name;  // display names, when there is a unit or a person
  std::optional<day> from, to;         // the change's period (to: nullopt is open-ended)
  std::vector<notice_field> before, after;
  std::string reason;
  std::optional<std::string> error;  // why the change failed (success == false)
  std::optional<run_summary> run;    // run notices only
};

// Where notices come from: the run's id and time, and whether it was a dry run.
struct notice_context {
  std::string run_id;
  std::string time;
  bool dry_run = false;
};

// The notices for a plan: one per change (success, or failure with the error from `report`;
// stale changes are failures), in plan order, then one reconcile.completed or reconcile.failed.
// `report` is null for a dry run (every change is announced as planned, success); its
// `created` list gives the ids of created managers.
std::vector<notice> notices_for_run(const snapshot& snap, const plan& p, const apply_report* report,
                                    const run_summary& run, const notice_context& ctx);

// The event type a change is announced as.
std::string_view notice_type(op o);

// The kinds of outcome a sink wants.
enum class outcome_filter : std::uint8_t { any, success_only, error_only };

// A sink's filter. Fields AND together, entries of one field OR, an empty field matches all.
struct notice_filter {
  std::vector<std::string> types;         // exact, or a prefix ending in ".*" ("manager.*"), or "*"
  outcome_filter outcome = outcome_filter::any;
  std::vector<std::string> target_types;  // matched against the subject and the related targets
  std::vector<std::string> target_ids;    // likewise
  std::vector<std::string> subtrees;      // units: the notice's unit is one of them or below one
  bool include_dry_run = false;           // dry-run notices match only when this is set
};

// True when the filter selects the notice.
bool matches(const notice_filter& f, const notice& n);

// A type pattern's check: "*", an exact type, or "prefix.*"; false for anything else.
bool valid_type_pattern(std::string_view pattern);

// The event types linemgr emits.
const std::vector<std::string_view>& notice_types();

}  // namespace linemgr::core
