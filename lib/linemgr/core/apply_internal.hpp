#pragma once
// Internal to the rules: applying one change, and the id an offline create gets.
#include <string>

#include <linemgr/core/plan.hpp>

namespace linemgr::core {

// Applies one change (doc/rules.md §6). For create_manager returns the new manager's index and
// tags it with `tag`; otherwise returns no_index.
index_t apply_change(snapshot& snap, const change& c, std::uint32_t tag);

// A unique, deterministic uuid-shaped id for the manager a create_manager change makes.
std::string created_manager_id(const snapshot& snap, const change& c);

}  // namespace linemgr::core
