#include <linemgr/core/events.hpp>

#include <linemgr/io/event_parse.hpp>
#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::test;
using namespace std::chrono_literals;

namespace {

// The seed units' ids, in the snapshot's unit order.
std::vector<std::string> seeds(const snapshot& s, std::vector<event> events) {
  std::vector<std::string> out;
  for (index_t u : seed_units(s, events)) out.emplace_back(s.units.records[u].id);
  return out;
}

const char* org = R"({"units": [{"id": "R"}, {"id": "A", "parent": "R"}, {"id": "B", "parent": "R"},
  {"id": "M", "segments": [{"parent": "A", "from": "2000-01-01", "to": "2020-01-01"}, {"parent": "B", "from": "2020-01-01"}]},
  {"id": "X", "parent": "R"}],
  "engagements": [{"id": "E", "person": "P", "segments": [{"unit": "A", "from": "2000-01-01", "to": "2010-01-01"}, {"unit": "X", "from": "2010-01-01"}]}],
  "associations": [{"id": "S", "person": "P", "unit": "B"}],
  "managers": [{"id": "MG", "person": "P", "unit": "M"}, {"id": "MQ", "person": "Q", "unit": "R"}]})";

}  // namespace

TEST_SUITE("core::events") {
  TEST_CASE("routing keys: one-part and legacy three-part") {
    CHECK(event_kind_of("org_unit") == event_kind::org_unit);
    CHECK(event_kind_of("ituser") == event_kind::ituser);
    CHECK(event_kind_of("person") == event_kind::person);
    CHECK(event_kind_of("org_unit.manager.create") == event_kind::manager);
    CHECK(event_kind_of("employee.engagement.edit") == event_kind::engagement);
    CHECK(event_kind_of("employee.employee.terminate") == event_kind::person);
    CHECK(event_kind_of("employee.it.create") == event_kind::ituser);
    CHECK_FALSE(event_kind_of("class"));
    CHECK_FALSE(event_kind_of("org_unit.kle.edit"));
    CHECK_FALSE(event_kind_of("other.manager.edit"));
    CHECK_FALSE(event_kind_of("a.b.c.d"));
    CHECK_FALSE(event_kind_of("employee"));
  }

  TEST_CASE("seed units follow the H11 table") {
    snapshot s = snap_of(org);
    CHECK(seeds(s, {{event_kind::org_unit, "M"}}) == std::vector<std::string>{"A", "B", "M"});  // M and every former parent
    CHECK(seeds(s, {{event_kind::engagement, "E"}}) == std::vector<std::string>{"A", "M", "X"});  // its units + P's manager units
    CHECK(seeds(s, {{event_kind::association, "S"}}) == std::vector<std::string>{"B"});
    CHECK(seeds(s, {{event_kind::manager, "MG"}}) == std::vector<std::string>{"A", "M", "X"});  // its unit + P's engagement units
    CHECK(seeds(s, {{event_kind::person, "P"}}) == std::vector<std::string>{"A", "B", "M", "X"});
    CHECK(seeds(s, {{event_kind::ituser, "I"}}).empty());
    CHECK(seeds(s, {{event_kind::org_unit, "GONE"}}).empty());
    // A batch gives the distinct union.
    CHECK(seeds(s, {{event_kind::association, "S"}, {event_kind::org_unit, "M"}, {event_kind::association, "S"}}) ==
          std::vector<std::string>{"A", "B", "M"});
    std::vector<index_t> one;
    seed_units(s, event{event_kind::manager, "MQ"}, one);
    CHECK(one.size() == 1);
  }

  TEST_CASE("a burst within the window becomes one batch") {
    coalescer c(500ms);
    const auto t0 = coalescer::clock::time_point{} + 1000s;
    CHECK(c.empty());
    for (int i = 0; i < 10000; ++i) c.add({event_kind::org_unit, "A"}, static_cast<std::uint64_t>(i), t0 + std::chrono::microseconds(i * 40));
    CHECK_FALSE(c.due(t0 + 499ms));
    CHECK(c.due(t0 + 500ms));
    CHECK(c.deadline() == t0 + 500ms);
    const auto b = c.take();
    CHECK(b.events.size() == 10000);
    CHECK(b.tags.front() == 0);
    CHECK(b.tags.back() == 9999);
    CHECK(c.empty());
    CHECK_FALSE(c.due(t0 + 10s));
  }
}

TEST_SUITE("io::event_parse") {
  TEST_CASE("every form of doc/formats.md §4") {
    auto subject = [](result<std::optional<event>> r) {
      REQUIRE(r);
      REQUIRE(*r);
      return (*r)->subject;
    };
    CHECK(subject(parse_event_line(R"({"routing_key": "org_unit", "subject": "0b5e"})")) == "0b5e");
    CHECK(subject(parse_event_line(R"({"routing_key": "engagement", "body": "\"0b5e\""})")) == "0b5e");
    CHECK(subject(parse_event_line(R"({"routing_key": "engagement", "body": "0b5e"})")) == "0b5e");
    CHECK(subject(parse_event_line(R"({"routing_key": "org_unit.engagement.edit", "body": {"uuid": "U", "object_uuid": "E", "time": "2026-03-02T10:00:00"}})")) == "E");
    CHECK(subject(parse_event_body("manager", "\"c390b9a2-7202-48e6-972b-ce36a90065c4\"")) == "c390b9a2-7202-48e6-972b-ce36a90065c4");
    CHECK(subject(parse_event_body("manager", " c390b9a2 \n")) == "c390b9a2");
    CHECK(subject(parse_event_body("org_unit.manager.create", R"({"uuid": "U", "object_uuid": "M", "time": "x"})")) == "M");
    auto ignored = parse_event_line(R"({"routing_key": "class", "subject": "x"})");
    REQUIRE(ignored);
    CHECK_FALSE(*ignored);
  }

  TEST_CASE("malformed events say why") {
    auto why = [](result<std::optional<event>> r) {
      REQUIRE_FALSE(r);
      CHECK(r.err().kind == error_kind::data);
      return r.err().message;
    };
    CHECK(why(parse_event_line("not json")).find("not JSON") == 0);
    CHECK(why(parse_event_line("[1]")) == "an event is a JSON object");
    CHECK(why(parse_event_line(R"({"subject": "x"})")) == "routing_key: missing or not a string");
    CHECK(why(parse_event_line(R"({"routing_key": "org_unit"})")) == "neither subject nor body");
    CHECK(why(parse_event_line(R"({"routing_key": "org_unit", "subject": ""})")) == "routing key org_unit: \"\" is not an object id");
    CHECK(why(parse_event_body("manager", "")) == "routing key manager: empty body");
    CHECK(why(parse_event_body("manager", "\"a b\"")) == "routing key manager: \"a b\" is not an object id");
    CHECK(why(parse_event_body("org_unit.manager.edit", R"({"uuid": "U"})")) ==
          "routing key org_unit.manager.edit: a legacy body needs a string object_uuid");
    CHECK(why(parse_event_body("manager", "{broken")).find("body is not JSON") != std::string::npos);
  }
}
