#include <linemgr/core/text.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace linemgr::core {

namespace {

struct fold_pair {
  std::uint32_t from;
  std::uint32_t to;
};

constexpr fold_pair fold_table[] = {
#include <linemgr/core/case_fold_table.inc>
};

bool is_white_space(std::uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

std::uint32_t fold(std::uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  const auto* end = std::end(fold_table);
  const auto* it = std::lower_bound(std::begin(fold_table), end, cp,
                                    [](const fold_pair& p, std::uint32_t v) { return p.from < v; });
  return it != end && it->from == cp ? it->to : cp;
}

// Decodes one UTF-8 code point at text[pos]; returns its length, or 0 when invalid.
std::size_t decode(std::string_view text, std::size_t pos, std::uint32_t& cp) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(pos);
  std::size_t len = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (pos + len > text.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(pos + i) & 0x3Fu);
  }
  static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void encode(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string normalize_name(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pending_space = 0;  // bytes of white space seen since the last other character
  std::size_t pos = 0;
  bool started = false;
  while (pos < text.size()) {
    std::uint32_t cp = 0;
    const std::size_t len = decode(text, pos, cp);
    if (len == 0) {  // invalid byte: keep it verbatim
      if (pending_space) out.append(text.substr(pos - pending_space, pending_space));
      pending_space = 0;
      out += text[pos];
      started = true;
      ++pos;
      continue;
    }
    if (is_white_space(cp)) {
      if (started) pending_space += len;
      pos += len;
      continue;
    }
    if (pending_space) out.append(text.substr(pos - pending_space, pending_space));
    pending_space = 0;
    started = true;
    encode(fold(cp), out);
    pos += len;
  }
  return out;
}

}  // namespace linemgr::core
