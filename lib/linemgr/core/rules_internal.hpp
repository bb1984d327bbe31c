#pragma once
// Internal to the planner: what every rule module gets, and the modules themselves.
#include <string>
#include <vector>

#include <linemgr/core/classes.hpp>
#include <linemgr/core/config.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/tree.hpp>

namespace linemgr::core {

// What a module reads: the virtual snapshot of its stage, the settings, and shared indices.
struct rule_context {
  const snapshot& snap;
  const config& cfg;
  day today;
  const class_resolver& classes;
  const unit_tree& tree;                        // the tree of today (units never change before H)
  const std::vector<std::string>& normalized;   // per unit: its normalized name
  std::vector<diagnostic>& diags;

  // The id of a unit, a person and a manager as strings.
  std::string unit_id(index_t u) const { return std::string(snap.units.records[u].id); }
  std::string person_id(index_t p) const { return std::string(snap.persons[p].id); }
  std::string manager_id(index_t m) const { return std::string(snap.managers.records[m].id); }
};

// The hierarchy classes of H2, in precedence order.
enum class unit_class : std::uint8_t { hidden, self_owned, external, line_management, outside, none };

// Why a unit got its target class.
enum class class_rule : std::uint8_t { none, hidden_root, self_owned_root, external_root, top_level, own_check, propagation, outside, stored };

// H's evaluation of every unit of today's tree, kept for explanations.
struct hierarchy_eval {
  std::vector<unit_class> target;   // per unit; none for units that are not usable
  std::vector<class_rule> rule;
  std::vector<index_t> root_cause;  // hidden/self-owned/external: the configured root that counted
  std::vector<std::uint8_t> level_ok, people_ok, below_top;
  std::vector<index_t> lm_child;    // propagation: a line-management child
};

// Evaluates H1–H8 over the context's snapshot.
hierarchy_eval evaluate_hierarchy(const rule_context& ctx);

// The configured class value of a target class.
const std::string& class_value(const config& cfg, unit_class c);

// Who has a current manager appointment (any type), anywhere and per unit.
struct current_appointments {
  std::vector<std::uint8_t> anywhere;                  // per person
  std::vector<std::pair<index_t, index_t>> pairs;      // sorted (person, unit)
  bool in_unit(index_t person, index_t unit) const;
};
current_appointments find_current_appointments(const snapshot& snap, day today);

// Why an engagement segment current in its unit is left out of E′(u) (H6.3), or nullptr
// when it counts.
const char* engagement_excluded(const rule_context& ctx, const engagement_segment& s,
                                const current_appointments& appointments);

// The start and end of the run of `segs` that contains the segment `at`, where `same` tells
// whether two neighbouring segments belong to one run (they must also touch).
template <class Segment, class Same>
period run_containing(std::span<const Segment> segs, std::size_t at, Same same) {
  std::size_t first = at, last = at;
  while (first > 0 && segs[first - 1].valid.to == segs[first].valid.from && same(segs[first - 1], segs[first]))
    --first;
  while (last + 1 < segs.size() && segs[last].valid.to == segs[last + 1].valid.from && same(segs[last], segs[last + 1]))
    ++last;
  return {segs[first].valid.from, segs[last].valid.to};
}

// S: manager sync from _leder units (doc/rules.md §3).
std::vector<change> run_managers(const rule_context& ctx);
// E: elevation (doc/rules.md §5).
std::vector<change> run_elevation(const rule_context& ctx);
// V: manager validity (doc/rules.md §4).
std::vector<change> run_validity(const rule_context& ctx);
// H: hierarchy classification (doc/rules.md §2).
std::vector<change> run_hierarchy(const rule_context& ctx);

}  // namespace linemgr::core
