#pragma once
// Patterns matched against data (level names from OS2mo or a snapshot), compiled with RE2: linear
// time and no recursion whatever the text, so no input can make a match slow or crash it.
#include <memory>
#include <string>
#include <string_view>

#include <linemgr/core/config.hpp>
#include <linemgr/core/result.hpp>

namespace linemgr::io {

// The most program memory one pattern may take (RE2's max_mem).
inline constexpr long max_pattern_memory = 1L << 20;
// The longest pattern source accepted.
inline constexpr std::size_t max_pattern_length = 1000;

// `source` as a full-match pattern (RE2 syntax: ECMAScript's classes, groups, alternation and
// repetition; no back-references or look-around). Why RE2 refuses it (or it is too long or too
// big) is the error's message, without a place: the caller names the key.
core::result<std::shared_ptr<const core::text_pattern>> compile_pattern(std::string_view source);

}  // namespace linemgr::io
