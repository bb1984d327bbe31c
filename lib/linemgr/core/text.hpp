#pragma once
// Name normalization for the prefix and suffix rules (doc/rules.md §0, G8).
#include <string>
#include <string_view>

namespace linemgr::core {

// Trims Unicode White_Space at both ends and applies Unicode simple case folding.
// Bytes that are not valid UTF-8 are kept as they are.
std::string normalize_name(std::string_view text);

// True when `text` ends with `suffix`; both are taken as already normalized.
inline bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// True when `text` starts with `prefix`; both are taken as already normalized.
inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace linemgr::core
