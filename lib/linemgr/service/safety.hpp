#pragma once
// Guard rails before writing to OS2mo: a plan that says the configuration cannot be right, or that
// changes more than the limits allow, is refused (`--force` overrides for one run).
#include <optional>
#include <string>

#include <linemgr/core/config.hpp>
#include <linemgr/core/model.hpp>
#include <linemgr/core/plan.hpp>

namespace linemgr::service {

using namespace linemgr::core;

// Why `p` (made from `snap`) must not be written without --force, in one line; nullopt when it may.
// Refused: a diagnostic that the configuration cannot be right (NO_TOP_LEVEL, CLASS_UNRESOLVED, a
// configured unit that does not exist), more changes than `max_changes`, more units changing class
// than `max_class_changes_percent` of the current units (when over 10; judged on a whole read only,
// not on a snapshot::partial one such as a listen batch's scopes), more managers ended or
// vacated than `max_managers_ended`. A plan without changes is never refused.
std::optional<std::string> refusal(const snapshot& snap, const plan& p, const config::safety_t& limits);

}  // namespace linemgr::service
