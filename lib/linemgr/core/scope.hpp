#pragma once
// Planning a scope without planning the organisation: the part of a snapshot the scope's rules
// read (the same part the OS2mo source reads for reconcile-unit), and a plan made from it.
#include <vector>

#include <linemgr/core/config.hpp>
#include <linemgr/core/model.hpp>
#include <linemgr/core/plan.hpp>

namespace linemgr::core {

// The part of `full` that planning Scope(roots) (G9) reads, as a snapshot of its own (sharing
// `full`'s strings): the roots' paths to the root and their subtrees (complete), the children and
// grandchildren of the paths, every engagement, association and manager in those units, the other
// engagements and manager roles of their persons, and the units those name. Units outside paths and
// subtrees are frozen (snapshot::frozen): the hierarchy rules take their stored class as given.
// Records keep their order in `full`. Costs one pass over `full`'s tables, no planning.
snapshot scope_snapshot(const snapshot& full, const std::vector<index_t>& roots, day today);

// `p`, made from `part`, with every index translated to `full` by id (a record of `part` that
// `full` lacks maps to no_index; scope_snapshot's parts lack none).
plan translate_plan(const plan& p, const snapshot& part, const snapshot& full);

// The G9 plan of Scope(roots) (indices of `full`) made from `part` = scope_snapshot(full, roots, today)
// and translated to `full`: equal to scope_plan_units(full, cfg, make_plan(full, cfg, today), roots)
// whenever the units outside the scope hold the classes the rules give them.
plan plan_part(const snapshot& full, const snapshot& part, const config& cfg, day today, const std::vector<index_t>& roots);

// The G9 plan of Scope(roots) at a cost that follows the scope, not the organisation: plan_part
// of the scope's part, or, when the scope reads more than a quarter of the units, the whole plan
// scoped (as fast, and exact).
plan plan_scope(const snapshot& full, const config& cfg, day today, const std::vector<index_t>& roots);

}  // namespace linemgr::core
