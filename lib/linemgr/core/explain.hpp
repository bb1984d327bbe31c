#pragma once
// Why a unit gets its class and its managers (the `explain` command).
#include <optional>
#include <string>
#include <vector>

#include <linemgr/core/config.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/result.hpp>

namespace linemgr::core {

// The unit a command-line argument names: the unit with that id, else the one unit with that
// user_key. Several units sharing the user_key: an error of kind usage listing them (id and name).
// No match: the argument itself (the rules then report UNKNOWN_UNIT).
result<std::string> unit_argument(const snapshot& snap, std::string_view id_or_user_key);
// The error unit_argument gives when several units, (id, name) each, share `user_key`.
error ambiguous_user_key(std::string_view user_key, const std::vector<std::pair<std::string, std::string>>& units);

// One engagement of the unit and whether H6.3 counted it.
struct engagement_note {
  index_t engagement = no_index;
  index_t person = no_index;
  std::string excluded_because;  // empty when counted
};

// One leder child of the unit and what it designates (S).
struct leder_note {
  index_t unit = no_index;
  std::vector<index_t> associations;  // its current associations
};

// The facts behind a unit's classification and managers, taken after S, E and V.
struct unit_explanation {
  index_t unit = no_index;
  bool current = false, in_cycle = false;
  std::string current_class;  // empty when none
  std::string target_class;   // empty when the unit is not classified
  std::string rule;           // "H3" … "H8", the deciding rule
  std::string rule_text;      // the rule in words
  index_t root_cause = no_index;  // hidden/self-owned/external root that counted
  std::vector<index_t> ancestors;  // parent first
  index_t top_level_ancestor = no_index;
  std::string level;          // the level key the regexes saw; empty when none
  bool level_ok = false, people_ok = false;
  std::vector<engagement_note> engagements;
  std::vector<index_t> associations;
  std::vector<index_t> line_children;  // children whose final class is line management
  std::vector<index_t> managers;       // manager records current in the unit after the plan's S, E and V
  std::vector<leder_note> leder_children;
  plan planned;                        // the plan restricted to this unit (G9)
};

// Explains a unit, named by id or else by user_key; nullopt when no unit has it.
std::optional<unit_explanation> explain_unit(const snapshot& snap, const config& cfg, day today, std::string_view unit_id);

}  // namespace linemgr::core
