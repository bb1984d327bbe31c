#pragma once
// The one place RapidJSON is configured: every translation unit includes it through here.
#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace linemgr::io {

// Bounds for JSON from outside linemgr (files, OS2mo, the identity provider, events, the environment).
struct json_limits {
  std::size_t max_bytes = std::size_t{1} << 20;
  std::size_t max_depth = 64;  // nesting of arrays and objects
};

// The 1-based line and column of a byte offset in `text` (for messages about JSON text).
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset);

// What one linear pass over JSON text finds before it is parsed.
struct json_shape {
  std::size_t depth = 0;  // the deepest nesting of arrays and objects, or the first past `stop_after`
  // The byte offset of an escaped low surrogate (u+DC00..u+DFFF) that follows no high one, or npos.
  // RapidJSON decodes such an escape to bytes that are not UTF-8 (and refuses them when it reads
  // them back), so linemgr refuses them on input: no text it writes can be unreadable.
  std::size_t lone_surrogate = std::string_view::npos;
};

// Scans `text` (strings skipped but their escapes checked), stopping early once the nesting
// passes `stop_after` or a lone surrogate is found. Linear, no recursion.
json_shape scan_json(std::string_view text, std::size_t stop_after);

// What to say of a lone surrogate, after "file:line:col: not valid JSON: ".
inline constexpr std::string_view lone_surrogate_message =
    "an escaped UTF-16 surrogate without its pair is not a character (write the character, or its pair)";

// The one entry point for untrusted JSON: at most `limits.max_bytes`, at most `limits.max_depth`
// levels, parsed with the iterative parser (no recursion whatever the input) and UTF-8 checked.
// nullopt when `doc` holds the document; else why not, in words ("is 2000000 bytes, more than
// 1048576", "nests 300 levels deep, more than 64", "not JSON: Invalid value. at byte 7").
std::optional<std::string> parse_untrusted(rapidjson::Document& doc, std::string_view text, const json_limits& limits);

}  // namespace linemgr::io
