#pragma once
// Internal to the library: the planner with its final virtual snapshot, for explanations.
#include <span>
#include <string>
#include <vector>

#include <linemgr/core/plan.hpp>

namespace linemgr::core {

// What the planner leaves behind besides the plan.
struct planner_state {
  snapshot virt;  // the input with every module's changes but H's applied
};

// make_plan, also handing back the final virtual snapshot when `state` is given.
plan make_plan_detailed(const snapshot& input, const config& cfg, day today, planner_state* state);

// G6 order for changes (and collapsing identical association ends and moves).
void sort_changes(const snapshot& snap, std::vector<change>& changes);
// G6 order for diagnostics, one per (code, subject).
void sort_diagnostics(std::vector<diagnostic>& diags);
// The parent of a unit in the parent graph (G9): its current segment's parent, else its last's;
// no_index for a root or an unknown parent.
index_t graph_parent(const snapshot& snap, index_t u, day today);
// The parent graph (G9) with each unit's children.
struct parent_graph {
  parent_graph(const snapshot& snap, day today);
  std::vector<index_t> parent;      // graph_parent of each unit
  std::vector<std::uint32_t> start;  // children of u: children[start[u], start[u + 1])
  std::vector<index_t> children;
  std::span<const index_t> children_of(index_t u) const { return {children.data() + start[u], start[u + 1] - start[u]}; }
};
// H: the diagnostic for a configured unit id the snapshot lacks.
diagnostic unknown_configured_unit(const std::string& id);

}  // namespace linemgr::core
