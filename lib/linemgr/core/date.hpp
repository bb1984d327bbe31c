#pragma once
// Calendar days and half-open periods. Pure arithmetic: no clock, no time zone.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace linemgr::core {

// A calendar day, counted from 1970-01-01 (day 0).
using day = std::int32_t;

// Days since 1970-01-01 of the proleptic Gregorian date y-m-d.
constexpr day days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<day>(era * 146097 + static_cast<int>(doe) - 719468);
}

// The first representable day, 0001-01-01: an absent `from` means this day.
inline constexpr day beginning_of_time = days_from_civil(1, 1, 1);
// The `to` of an open-ended period (`to: null`).
inline constexpr day open_end = std::numeric_limits<day>::max();

// Parses a strict `YYYY-MM-DD` date (year 0001..9999); nullopt when it is not one.
std::optional<day> parse_date(std::string_view text);
// Formats a day as `YYYY-MM-DD`.
std::string format_date(day d);

// A half-open interval [from, to) of days; to == open_end is open-ended.
struct period {
  day from = beginning_of_time;
  day to = open_end;
  // True when from <= d < to.
  constexpr bool contains(day d) const { return from <= d && d < to; }
  // True when the two periods share at least one day.
  constexpr bool overlaps(const period& o) const { return from < o.to && o.from < to; }
  constexpr bool empty() const { return from >= to; }
  friend constexpr bool operator==(const period&, const period&) = default;
};

// Sorts periods by start and joins overlapping or touching ones, in place.
void unite(std::vector<period>& periods);
// Appends to `out` the parts of `span` that no period of `covered` (united and sorted) covers.
void subtract(period span, const std::vector<period>& covered, std::vector<period>& out);

}  // namespace linemgr::core
