#include <doctest/doctest.h>

#include <linemgr/io/copenhagen.hpp>
#include <linemgr/os2mo/os2mo.hpp>

using namespace linemgr::io;
using namespace linemgr::os2mo;

TEST_SUITE("os2mo::source") {
  TEST_CASE("OS2mo timestamps become Copenhagen calendar days") {
    auto day_of = [](const char* t) { return format_date(*copenhagen_day(t)); };
    CHECK(day_of("2026-03-02T00:00:00+01:00") == "2026-03-02");
    CHECK(day_of("2026-03-01T23:00:00+00:00") == "2026-03-02");  // midnight in Copenhagen, written in UTC
    CHECK(day_of("2026-07-01T22:00:00Z") == "2026-07-02");       // summer time: UTC+2
    CHECK(day_of("2026-07-01T21:59:59.5Z") == "2026-07-01");
    CHECK(day_of("2026-10-25T00:30:00Z") == "2026-10-25");        // the last Sunday of October, before 01:00 UTC
    CHECK(day_of("0001-01-01T00:00:00+01:00") == "0001-01-01");
    CHECK(day_of("2026-03-02") == "2026-03-02");
    CHECK_FALSE(copenhagen_day("2026-13-02T00:00:00+01:00"));
    CHECK_FALSE(copenhagen_day("yesterday"));
    CHECK_FALSE(copenhagen_day("2026-03-02T00:00:00 nonsense"));
  }
}

#include <linemgr/os2mo/sink_internal.hpp>

TEST_SUITE("os2mo::sink") {
  TEST_CASE("writes use Copenhagen local midnight, with summer time") {
    CHECK(copenhagen_midnight(*parse_date("2026-03-02")) == "2026-03-02T00:00:00+01:00");
    CHECK(copenhagen_midnight(*parse_date("2026-03-29")) == "2026-03-29T00:00:00+01:00");  // the switch happens at 02:00
    CHECK(copenhagen_midnight(*parse_date("2026-03-30")) == "2026-03-30T00:00:00+02:00");
    CHECK(copenhagen_midnight(*parse_date("2026-10-25")) == "2026-10-25T00:00:00+02:00");  // back at 03:00
    CHECK(copenhagen_midnight(*parse_date("2026-10-26")) == "2026-10-26T00:00:00+01:00");
    for (const char* d : {"2026-01-15", "2026-06-30", "2026-10-25", "2027-03-28"})
      CHECK(format_date(*copenhagen_day(copenhagen_midnight(*parse_date(d)))) == d);
  }
}
