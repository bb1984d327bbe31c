#pragma once
// Explanations and line-manager answers as text and JSON.
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/core/explain.hpp>
#include <linemgr/core/manager_of.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// A unit's explanation for people.
std::string explanation_to_text(const snapshot& snap, const config& cfg, day today, const unit_explanation& x);
// A unit's explanation as one JSON document (`linemgr-explain/1`).
std::string explanation_to_json(const snapshot& snap, const config& cfg, day today, const unit_explanation& x);
// The answers of manager-of for people.
std::string line_managers_to_text(const snapshot& snap, std::string_view who, day d, const std::vector<line_manager>& answers);
// The answers of manager-of as one JSON document (`linemgr-manager-of/1`).
std::string line_managers_to_json(const snapshot& snap, std::string_view who, day d, const std::vector<line_manager>& answers);

}  // namespace linemgr::io
