#pragma once
// The one Copenhagen clock (doc/rules.md G1): Europe/Copenhagen from the system's time zone database
// (tzdata, read through Howard Hinnant's date/tz), never by changing the process's TZ.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <linemgr/core/date.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// The Copenhagen calendar day at an instant (seconds since the epoch: years 1 to 9999 fit).
day copenhagen_day_at(std::chrono::sys_seconds instant);
// Today in Copenhagen, from the system clock.
day today_in_copenhagen();
// The Copenhagen calendar day of an OS2mo timestamp ("2026-03-02T00:00:00+01:00", "…Z", or a bare
// date); nullopt when it is not one.
std::optional<day> copenhagen_day(std::string_view timestamp);
// OS2mo's DateTime for local midnight in Copenhagen on day d ("2026-03-02T00:00:00+01:00").
std::string copenhagen_midnight(day d);

}  // namespace linemgr::io
