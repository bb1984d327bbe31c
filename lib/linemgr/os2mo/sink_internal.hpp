#pragma once
// Internal to the OS2mo sink: change-to-mutation translation and stale detection.
#include <functional>
#include <optional>
#include <string>

#include <linemgr/core/classes.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/saved_plan.hpp>
#include <linemgr/os2mo/client_internal.hpp>

namespace linemgr::os2mo {

using namespace linemgr::core;

// The kinds of OS2mo object a change can name.
using object_kind = record_kind;

// The text core::record_text gives a record, for an object of a verify query's response.
std::string canonical_response(object_kind kind, const rapidjson::Value& object);
// Writes one change with its v29 mutation; gives the created object's uuid for a create, else "".
// Errors carry OS2mo's message.
result<std::string> write_change(os2mo_client& client, const snapshot& snap, const class_resolver& classes, const change& c);
// Applies a plan: verify, then write in plan order. When OS2mo becomes unreachable, the report's
// `fatal` is set and the rest is not attempted.
apply_report apply_to_os2mo(os2mo_client& client, const snapshot& snap, const plan& p,
                            const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace linemgr::os2mo
