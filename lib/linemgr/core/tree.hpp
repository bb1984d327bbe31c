#pragma once
// The tree of one day (doc/rules.md G2, G3): current units, their parents and children, and the
// units on or below a parent cycle. Built iteratively in linear time.
#include <span>
#include <vector>

#include <linemgr/core/model.hpp>
#include <linemgr/core/plan.hpp>

namespace linemgr::core {

// The tree of units active on one day.
struct unit_tree {
  std::vector<const unit_segment*> current;  // per unit: its segment on that day, or nullptr
  std::vector<index_t> parent;                // per unit: its tree parent, or no_index (root)
  std::vector<std::uint8_t> in_cycle;         // per unit: on or below a parent cycle
  std::vector<index_t> order;                 // usable units (current, no cycle), parents first
  std::vector<std::uint32_t> child_start;     // CSR: children of u are child_list[start[u]..start[u+1])
  std::vector<index_t> child_list;

  // True when the unit is current and not on or below a cycle.
  bool usable(index_t u) const { return current[u] != nullptr && !in_cycle[u]; }
  // The usable children of a unit.
  std::span<const index_t> children(index_t u) const {
    return {child_list.data() + child_start[u], child_start[u + 1] - child_start[u]};
  }
};

// Builds the tree of day `d`. When `diags` is given, adds PARENT_NOT_ACTIVE and CYCLE.
unit_tree build_tree(const snapshot& snap, day d, std::vector<diagnostic>* diags);

}  // namespace linemgr::core
