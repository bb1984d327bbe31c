#include <linemgr/io/copenhagen.hpp>

#include <cctype>

#include <date/tz.h>
#include <fmt/format.h>

namespace linemgr::io {

namespace {

using namespace std::chrono;

// The zone, looked up once (thread-safe); a system without tzdata fails here with its reason.
const date::time_zone& copenhagen() {
  static const date::time_zone* zone = date::locate_zone("Europe/Copenhagen");
  return *zone;
}

// The UTC offset of Copenhagen at a time point. Before standard time (1894) tzdata has mean solar
// time (+00:50:20); OS2mo writes those dates, its beginning of time among them, in CET (+01:00),
// so that is what they are read and written in.
seconds offset_of(const date::sys_info& info) {
  return info.offset % minutes(1) != seconds(0) ? seconds(hours(1)) : info.offset;
}

// Days since 1970-01-01 are the library's `day`.
day day_of(date::local_days d) { return static_cast<day>(d.time_since_epoch().count()); }

}  // namespace

day copenhagen_day_at(sys_seconds utc) {
  const date::local_seconds local{utc.time_since_epoch() + offset_of(copenhagen().get_info(utc))};
  return day_of(floor<date::days>(local));
}

day today_in_copenhagen() { return copenhagen_day_at(floor<seconds>(system_clock::now())); }

std::optional<day> copenhagen_day(std::string_view t) {
  const auto date = parse_date(t.substr(0, 10));
  if (!date) return std::nullopt;
  if (t.size() == 10) return date;
  if (t.size() < 19 || t[10] != 'T') return std::nullopt;
  for (std::size_t pos : {11u, 12u, 14u, 15u, 17u, 18u})
    if (!std::isdigit(static_cast<unsigned char>(t[pos]))) return std::nullopt;
  auto num = [&](std::size_t pos) { return (t[pos] - '0') * 10 + (t[pos + 1] - '0'); };
  long long seconds_utc = static_cast<long long>(*date) * 86400 + num(11) * 3600 + num(14) * 60 + num(17);
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.')
    while (++pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {
    }
  if (pos < t.size() && (t[pos] == '+' || t[pos] == '-') && pos + 6 <= t.size()) {
    const int offset = num(pos + 1) * 3600 + num(pos + 4) * 60;
    seconds_utc -= t[pos] == '+' ? offset : -offset;
  } else if (pos < t.size() && t[pos] != 'Z') {
    return std::nullopt;
  }
  return copenhagen_day_at(sys_seconds(seconds(seconds_utc)));
}

std::string copenhagen_midnight(day d) {
  const date::local_seconds midnight{date::local_days{date::days{d}}};
  const auto offset = duration_cast<minutes>(offset_of(copenhagen().get_info(midnight).first));
  const long long m = offset.count() < 0 ? -offset.count() : offset.count();
  return fmt::format("{}T00:00:00{}{:02}:{:02}", format_date(d), offset.count() < 0 ? '-' : '+', m / 60, m % 60);
}

}  // namespace linemgr::io
