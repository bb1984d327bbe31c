// Untrusted JSON, bounded: size, nesting depth, and a parser that never recurses.
#include <linemgr/io/json_internal.hpp>

#include <fmt/format.h>

namespace linemgr::io {

std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

std::size_t json_depth(std::string_view text, std::size_t stop_after) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest && (deepest = depth) > stop_after) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::optional<std::string> parse_untrusted(rapidjson::Document& doc, std::string_view text, const json_limits& limits) {
  if (text.size() > limits.max_bytes) return fmt::format("is {} bytes, more than {}", text.size(), limits.max_bytes);
  if (const std::size_t depth = json_depth(text, limits.max_depth); depth > limits.max_depth)
    return fmt::format("nests more than {} levels deep", limits.max_depth);
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError())
    return fmt::format("is not JSON: {} at byte {}", rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset());
  return std::nullopt;
}

}  // namespace linemgr::io
