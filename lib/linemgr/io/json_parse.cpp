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

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the `\uXXXX` escape at `at` (the backslash), or -1 when there is none.
long escaped_unit(std::string_view text, std::size_t at) {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return -1;
  long unit = 0;
  for (std::size_t k = at + 2; k < at + 6; ++k) {
    const int d = hex_digit(text[k]);
    if (d < 0) return -1;
    unit = unit * 16 + d;
  }
  return unit;
}

}  // namespace

json_shape scan_json(std::string_view text, std::size_t stop_after) {
  json_shape shape;
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '"') {
        in_string = false;
      } else if (c == '\\') {
        const long unit = escaped_unit(text, i);
        if (unit >= 0xD800 && unit <= 0xDBFF && escaped_unit(text, i + 6) >= 0xDC00 && escaped_unit(text, i + 6) <= 0xDFFF) {
          i += 11;  // a surrogate pair: one code point
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          shape.lone_surrogate = i;
          return shape;
        } else {
          ++i;  // the escaped character cannot end the string
        }
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > shape.depth && (shape.depth = depth) > stop_after) return shape;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return shape;
}

std::optional<std::string> parse_untrusted(rapidjson::Document& doc, std::string_view text, const json_limits& limits) {
  if (text.size() > limits.max_bytes) return fmt::format("is {} bytes, more than {}", text.size(), limits.max_bytes);
  const json_shape shape = scan_json(text, limits.max_depth);
  if (shape.depth > limits.max_depth) return fmt::format("nests more than {} levels deep", limits.max_depth);
  if (shape.lone_surrogate != std::string_view::npos)
    return fmt::format("is not JSON: {} at byte {}", lone_surrogate_message, shape.lone_surrogate);
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError())
    return fmt::format("is not JSON: {} at byte {}", rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset());
  return std::nullopt;
}

}  // namespace linemgr::io
