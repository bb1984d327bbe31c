#pragma once
// Internal to the library: the planner with its final virtual snapshot, for explanations.
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
// Every unit's normalized name.
std::vector<std::string> normalized_names(const snapshot& snap);

}  // namespace linemgr::core
