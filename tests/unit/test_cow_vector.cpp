// core::cow_vector: copies share their elements until one of them is changed.
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include <linemgr/core/cow_vector.hpp>
#include <linemgr/core/strings.hpp>

using linemgr::core::cow_vector;
using linemgr::core::id_index;

TEST_SUITE("core::cow_vector") {
  TEST_CASE("a copy shares the elements while both only read, and a change is seen by its own copy only") {
    cow_vector<int> a{1, 2, 3};
    const cow_vector<int> b = a;
    CHECK(std::as_const(a).data() == b.data());  // shared: nothing copied
    a.push_back(4);
    CHECK(std::as_const(a).data() != b.data());
    CHECK(a.size() == 4);
    CHECK(b.size() == 3);
    CHECK(b[2] == 3);
    cow_vector<int> c = b;
    c[0] = 9;
    CHECK(b[0] == 1);
    CHECK(c[0] == 9);
    // The only owner changes in place.
    const int* before = std::as_const(c).data();
    c[1] = 8;
    CHECK(std::as_const(c).data() == before);
  }

  TEST_CASE("an empty vector reads as empty and grows on the first change") {
    cow_vector<int> v;
    CHECK(v.empty());
    CHECK(std::as_const(v).begin() == std::as_const(v).end());
    const std::vector<int> more{5, 6};
    v.insert(std::as_const(v).end(), more.begin(), more.end());
    CHECK(v.size() == 2);
    CHECK(v.back() == 6);
  }

  TEST_CASE("id indexes share their table until one of the copies adds a key") {
    id_index a;
    CHECK(a.insert("x", 0) == 0);
    id_index b = a;
    CHECK(b.insert("x", 5) == 0);  // present: nothing changes, nothing copied
    CHECK(b.insert("y", 1) == 1);
    CHECK(a.find("y") == linemgr::core::no_index);
    CHECK(b.find("y") == 1);
    CHECK(a.find("x") == 0);
    CHECK(b.find("x") == 0);
  }
}
