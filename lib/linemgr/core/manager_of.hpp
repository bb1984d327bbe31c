#pragma once
// Who is a person's line manager (the `manager-of` command).
#include <optional>
#include <vector>

#include <linemgr/core/model.hpp>

namespace linemgr::core {

// The line manager found for one engagement.
struct line_manager {
  index_t engagement = no_index;    // the engagement the answer is for
  index_t unit = no_index;          // the engagement's unit on the day
  index_t manager = no_index;       // the manager record, or no_index when none was found
  index_t manager_unit = no_index;  // the unit the manager manages (the unit or an ancestor)
  index_t person = no_index;        // the manager's person
  std::vector<index_t> path;        // units walked, from the engagement's unit upwards
};

// The line manager for an engagement on day d: a manager of its unit, else of the nearest
// ancestor (tree of d) that has one, skipping vacant managers and the engagement's own person.
// Among several managers of one unit the earliest-started, then lowest id, is chosen.
// nullopt when the engagement is not active on d.
std::optional<line_manager> line_manager_of_engagement(const snapshot& snap, index_t engagement, day d);

// line_manager_of_engagement for each of the person's engagements active on d, the primary
// ones first, then by engagement id.
std::vector<line_manager> line_managers_of_person(const snapshot& snap, index_t person, day d);

}  // namespace linemgr::core
