#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <linemgr/core/strings.hpp>

using namespace linemgr::core;

TEST_SUITE("core::strings") {
  TEST_CASE("the id index keeps the first value and finds every key after growing") {
    string_arena arena;
    id_index idx;
    std::vector<std::string_view> keys;
    for (int i = 0; i < 5000; ++i) keys.push_back(arena.store("key-" + std::to_string(i)));
    for (index_t i = 0; i < keys.size(); ++i) CHECK(idx.insert(keys[i], i) == i);
    CHECK(idx.size() == 5000);
    CHECK(idx.insert(keys[42], 999) == 42);
    for (index_t i = 0; i < keys.size(); ++i) REQUIRE(idx.find(keys[i]) == i);
    CHECK(idx.find("key-5000") == no_index);
    CHECK(id_index{}.find("anything") == no_index);
  }

  TEST_CASE("a copy of the id index shares it until it inserts; values may leave gaps") {
    string_arena arena;
    id_index a;
    std::vector<std::string_view> keys;
    for (int i = 0; i < 3000; ++i) keys.push_back(arena.store("id-" + std::to_string(i * 7919)));
    for (index_t i = 0; i < keys.size(); ++i) CHECK(a.insert(keys[i], i * 3) == i * 3);  // values with gaps
    id_index b = a;
    const std::string_view extra = arena.store("only-in-b");
    CHECK(b.insert(extra, 9000) == 9000);
    CHECK(b.find(extra) == 9000);
    CHECK(a.find(extra) == no_index);
    CHECK((a.size() == 3000 && b.size() == 3001));
    for (index_t i = 0; i < keys.size(); ++i) {
      REQUIRE(a.find(keys[i]) == i * 3);
      REQUIRE(b.find(keys[i]) == i * 3);
    }
    CHECK(a.insert(extra, 1) == 1);
    CHECK(a.find(extra) == 1);
    CHECK(b.find(extra) == 9000);
  }

  TEST_CASE("arena views stay valid across many blocks") {
    string_arena arena;
    std::vector<std::string_view> views;
    for (int i = 0; i < 20000; ++i) views.push_back(arena.store(std::string(10, static_cast<char>('a' + i % 26))));
    views.push_back(arena.store(std::string(100000, 'z')));
    for (int i = 0; i < 20000; ++i) REQUIRE(views[static_cast<std::size_t>(i)] == std::string(10, static_cast<char>('a' + i % 26)));
    CHECK(views.back().size() == 100000);
  }
}
