#include <doctest/doctest.h>

#include <linemgr/core/text.hpp>

using namespace linemgr::core;

TEST_SUITE("core::text") {
  TEST_CASE("trims Unicode white space and folds case") {
    CHECK(normalize_name("  Skoler_LEDER \t") == "skoler_leder");
    CHECK(normalize_name("\u00a0Ø_Park_leder\u3000") == "ø_park_leder");
    CHECK(normalize_name("Ø_") == normalize_name("ø_"));
    CHECK(normalize_name("ÆØÅ") == "æøå");
    CHECK(normalize_name("Byudvikling LED-ADM") == "byudvikling led-adm");
  }

  TEST_CASE("simple case folding beyond ASCII") {
    CHECK(normalize_name("ΣΑΣ") == "σασ");
    CHECK(normalize_name("ς") == "σ");       // final sigma folds to sigma
    CHECK(normalize_name("ẞ") == "ß");       // simple folding keeps one character
    CHECK(normalize_name("ſ") == "s");
    CHECK(normalize_name("Ǆ") == "ǆ");
    CHECK(normalize_name("ДОМ") == "дом");
  }

  TEST_CASE("inner white space is kept and invalid UTF-8 survives") {
    CHECK(normalize_name(" a  b ") == "a  b");
    CHECK(normalize_name(std::string("A\xff" "B")) == std::string("a\xff" "b"));
    CHECK(normalize_name("   ").empty());
  }

  TEST_CASE("prefix and suffix tests") {
    CHECK(ends_with("skoler_leder", "_leder"));
    CHECK_FALSE(ends_with("leder", "_leder"));
    CHECK(starts_with("ø_park", "ø_"));
    CHECK_FALSE(starts_with("park", "ø_"));
  }
}
