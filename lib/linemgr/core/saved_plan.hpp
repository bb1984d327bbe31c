#pragma once
// Saved plans (doc/formats.md §3 "Saved plans"): a plan written with `--out`, reviewed, and applied
// later by `linemgr apply`. Each change carries a fingerprint of the records it reads and writes;
// applying resolves the changes by id in the organisation as it is then, and a change whose
// records differ is stale: reported, never applied, never re-planned. Pure: no I/O, no clock.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/core/events.hpp>
#include <linemgr/core/model.hpp>
#include <linemgr/core/plan.hpp>

namespace linemgr::core {

// The kinds of record a change can name.
enum class record_kind : std::uint8_t { unit, engagement, association, manager };

// The record as comparable text: its segments with every field the rules read (classes by their
// plain text, else uuid). Equal text: the record has not changed.
std::string record_text(const snapshot& s, record_kind kind, index_t r);

// A short, stable digest of text ("fnv1a64:" and 16 hex digits). Detects change; not a secret.
std::string digest_of(std::string_view text);

// The fingerprint of each change of `p` (made from `s`), in order: the digest of the records the
// change reads and writes — the unit (set_unit_class); the unit and its managers (create_manager);
// the manager (update/end/vacate_manager); the association (end_association); the engagement and
// its target unit (move_engagement).
std::vector<std::string> change_fingerprints(const snapshot& s, const plan& p);

// A change as a saved plan holds it: ids and class strings instead of indices.
struct saved_change {
  op kind = op::set_unit_class;
  std::string unit, person, manager, association, engagement;  // the ids the op names
  period span;
  std::string klass, was;
  bool was_null = true;
  std::string level, type;
  std::vector<std::string> responsibilities;
  std::string reason;
  std::string fingerprint;             // empty until change_fingerprints() fills it
  // For people (not saved; empty when unknown): the names of the unit and person the op names,
  // the person whose manager role, association or engagement it is, and the unit the change is
  // shown under (its subject's unit).
  std::string unit_name, person_name, subject_person_name;
  std::string group_unit, group_unit_name;
};

// A saved plan and what it was made from.
struct saved_plan {
  day today = 0;
  std::string source;         // how the source was named: "OS2mo at URL", or the snapshot file
  std::string config_digest;  // digest of the rule settings it was planned under
  std::string made_at;        // when, as UTC text
  std::optional<std::string> unit;  // reconcile-unit's unit
  std::vector<saved_change> changes;
  std::vector<diagnostic> diagnostics;
};

// A saved plan found in a snapshot: the changes whose records are unchanged, as a plan over
// `s`, and the others, stale, with the reason. `origin[i]` is the saved index of `fresh.changes[i]`;
// stale entries carry saved indices.
struct resolved_plan {
  plan fresh;
  std::vector<std::size_t> origin;
  std::vector<apply_report::failure> stale;
};

// The plan with ids in place of indices (no fingerprints, no basis): what every output of a plan shows.
saved_plan saved_from(const snapshot& s, const plan& p);
// One change of a plan over `s` as saved_from gives it, into `out` (replacing what it held).
void saved_change_of(const snapshot& s, const change& c, saved_change& out);

// Fills in the names of a change (saved_change's fields for people) from `s` by its ids.
void describe(const snapshot& s, saved_change& c);

// Resolves `saved` in `s` (the organisation as it is now, `where` naming it in reasons).
resolved_plan resolve_saved_plan(const snapshot& s, const saved_plan& saved, std::string_view where);

// The records the saved plan names, as events (H11 finds the units whose scopes hold them).
std::vector<event> saved_plan_events(const saved_plan& saved);

// An apply report over `resolved.fresh` translated to the saved plan's indices, with the stale
// changes added (in saved order).
apply_report report_in_saved_order(const resolved_plan& resolved, const apply_report& fresh);

}  // namespace linemgr::core
