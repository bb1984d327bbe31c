#pragma once
// Plans: the changes and diagnostics the rules produce (doc/formats.md §3, doc/rules.md G5–G9).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/core/config.hpp>
#include <linemgr/core/model.hpp>
#include <linemgr/core/result.hpp>

namespace linemgr::core {

// The kinds of change, in their G6 order.
enum class op : std::uint8_t {
  create_manager,
  update_manager,
  end_manager,
  vacate_manager,
  end_association,
  move_engagement,
  set_unit_class,
};

// The op's name in the plan format.
std::string_view op_name(op o);

// One change. Indices refer to the snapshot the plan was made from; which fields are set
// depends on the op (doc/formats.md §3). Class-valued fields hold their output strings.
struct change {
  op kind = op::set_unit_class;
  index_t unit = no_index;         // set_unit_class, create_manager, move_engagement (target)
  index_t person = no_index;       // create_manager
  index_t manager = no_index;      // update/end/vacate_manager
  index_t association = no_index;  // end_association
  index_t engagement = no_index;   // move_engagement
  period span;                     // [from, to)
  std::string klass, was;          // set_unit_class; was_null when there was no class
  bool was_null = true;
  std::string level, type;         // create_manager (level, type), update_manager (level)
  std::vector<std::string> responsibilities;
  std::string reason;
};

// How serious a diagnostic is.
enum class severity : std::uint8_t { info, warn, error };
std::string_view severity_name(severity s);

// One diagnostic (doc/rules.md §7).
struct diagnostic {
  std::string code;
  severity level = severity::warn;
  std::string subject;
  std::string message;
};

// A computed plan: changes in G6 order and diagnostics sorted by (code, subject).
struct plan {
  day today = 0;
  std::vector<change> changes;
  std::vector<diagnostic> diagnostics;
};

// What applying a plan did: how many changes took effect and which failed (doc/formats.md §3).
struct apply_report {
  std::size_t ok = 0;
  struct failure {
    std::size_t change;  // index into plan::changes
    std::string error;
  };
  std::vector<failure> failed;
  std::vector<failure> stale;  // skipped: the object changed after it was read (OS2mo sink only)
  struct creation {
    std::size_t change;  // a create_manager change
    std::string id;      // the new manager's id
  };
  std::vector<creation> created;
  // The target became unreachable (OS2mo): the changes not reported above were not attempted.
  std::optional<error> fatal;
};

// plan(snapshot, config, today): runs the enabled modules S → E → V → H over a virtual
// snapshot, merges (G5), sorts (G6). Pure: reads no clock, does no I/O.
plan make_plan(const snapshot& snap, const config& cfg, day today);

// G9: the part of `full` (made from `snap`) whose subject unit lies in Scope(unit_id).
// An unknown unit gives an empty plan with diagnostic UNKNOWN_UNIT.
plan scope_plan(const snapshot& snap, const config& cfg, const plan& full, std::string_view unit_id);

// G9 united over several units (the seeds of a batch of events, H11): the part of `full` whose
// subject unit is one of the roots or an ancestor or descendant of one.
plan scope_plan_units(const snapshot& snap, const config& cfg, const plan& full, const std::vector<index_t>& roots);

// Applies the plan's changes to the snapshot it was made from (doc/rules.md §6), in order.
apply_report apply_plan(snapshot& snap, const plan& p);

// The id of the change's subject record (the manager, association, … or unit).
std::string_view subject_id(const snapshot& snap, const change& c);

}  // namespace linemgr::core
