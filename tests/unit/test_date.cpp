#include <doctest/doctest.h>

#include <linemgr/core/date.hpp>

using namespace linemgr::core;

TEST_SUITE("core::date") {
  TEST_CASE("parse and format round-trip, including leap days and the first day") {
    for (const char* text : {"1970-01-01", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "2026-03-02"}) {
      const auto parsed = parse_date(text);
      REQUIRE(parsed);
      CHECK(format_date(*parsed) == text);
    }
    CHECK(*parse_date("1970-01-02") == 1);
    CHECK(*parse_date("0001-01-01") == beginning_of_time);
  }

  TEST_CASE("invalid dates are rejected") {
    for (const char* text : {"2026-13-01", "2023-02-29", "1900-02-29", "2026-04-31", "2026-1-01", "2026-01-01T00:00",
                             "0000-01-01", "abcd-ef-gh", "", "2026-00-10", "2026-01-00"})
      CHECK_FALSE(parse_date(text));
  }

  TEST_CASE("periods are half-open") {
    const period p{*parse_date("2026-01-01"), *parse_date("2026-02-01")};
    CHECK(p.contains(*parse_date("2026-01-01")));
    CHECK(p.contains(*parse_date("2026-01-31")));
    CHECK_FALSE(p.contains(*parse_date("2026-02-01")));
    CHECK(p.overlaps(period{*parse_date("2026-01-31"), open_end}));
    CHECK_FALSE(p.overlaps(period{*parse_date("2026-02-01"), open_end}));
  }
}
