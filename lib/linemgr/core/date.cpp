#include <linemgr/core/date.hpp>

#include <algorithm>
#include <array>

namespace linemgr::core {

namespace {
bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, unsigned m) {
  static constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool digits(std::string_view s, int& out) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}
}  // namespace

std::optional<day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!digits(text.substr(0, 4), y) || !digits(text.substr(5, 2), m) || !digits(text.substr(8, 2), d))
    return std::nullopt;
  if (y < 1 || m < 1 || m > 12 || d < 1) return std::nullopt;
  if (static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(m))) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string format_date(day z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  std::string out(10, '0');
  auto put = [&out](std::size_t pos, unsigned value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) {
      out[pos + width - 1 - i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, static_cast<unsigned>(y), 4);
  out[4] = '-';
  put(5, m, 2);
  out[7] = '-';
  put(8, d, 2);
  return out;
}

void unite(std::vector<period>& ps) {
  std::sort(ps.begin(), ps.end(), [](const period& a, const period& b) { return a.from < b.from; });
  std::size_t w = 0;
  for (const period& p : ps) {
    if (w > 0 && p.from <= ps[w - 1].to)
      ps[w - 1].to = std::max(ps[w - 1].to, p.to);
    else
      ps[w++] = p;
  }
  ps.resize(w);
}

void subtract(period span, const std::vector<period>& covered, std::vector<period>& out) {
  day cursor = span.from;
  auto it = std::upper_bound(covered.begin(), covered.end(), cursor, [](day d, const period& p) { return d < p.to; });
  for (; it != covered.end() && it->from < span.to; ++it) {
    if (it->from > cursor) out.push_back({cursor, it->from});
    cursor = std::max(cursor, it->to);
    if (cursor >= span.to) return;
  }
  if (cursor < span.to) out.push_back({cursor, span.to});
}

}  // namespace linemgr::core
