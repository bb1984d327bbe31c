// H11 against OS2mo (os2mo_connection::event_units): which requests a batch's events cost and which
// units they seed, through a scripted transport that answers by operation name.
#include <deque>
#include <string>

#include <doctest/doctest.h>

#include <linemgr/os2mo/os2mo.hpp>

using namespace linemgr::os2mo;

namespace {

// Answers each request with the next scripted body and keeps what was sent.
struct scripted final : http_transport {
  std::deque<std::string> bodies;
  std::vector<std::string> sent;  // request bodies
  result<http_response> send(const http_request& r) override {
    sent.push_back(r.body);
    REQUIRE_FALSE(bodies.empty());
    std::string b = bodies.front();
    bodies.pop_front();
    return http_response{200, b, ""};
  }
};

struct forward final : http_transport {
  scripted& to;
  explicit forward(scripted& s) : to(s) {}
  result<http_response> send(const http_request& r) override { return to.send(r); }
};

os2mo_connection connect(scripted& s, int page_size = 500) {
  os2mo_settings settings;
  settings.url = "http://mo.test";
  settings.auth.token = "t";
  settings.max_attempts = 1;
  settings.page_size = page_size;
  return os2mo_connection(settings, std::make_unique<forward>(s));
}

const char* const no_objects = R"({"objects": []})";

// A LinemgrEventObjects answer with the given org_units and engagements members.
std::string objects_answer(const std::string& units, const std::string& engagements, const std::string& managers = no_objects) {
  return R"({"data": {"org_units": )" + units + R"(, "engagements": )" + engagements + R"(, "associations": {"objects": []}, "managers": )" +
         managers + R"(, "person_engagements": {"objects": []}, "person_associations": {"objects": []}, "person_managers": {"objects": []}}})";
}

}  // namespace

TEST_SUITE("os2mo::event_units") {
  TEST_CASE("a moved engagement seeds both its units and its person's manager units, in two requests") {
    scripted s;
    s.bodies.push_back(objects_answer(
        R"({"objects": [{"uuid": "U", "validities": [{"parent_response": {"uuid": "OLD"}}, {"parent_response": {"uuid": "NEW"}}]}]})",
        R"({"objects": [{"validities": [{"person_response": {"uuid": "P"}, "org_unit_response": {"uuid": "A"}},
                                         {"person_response": {"uuid": "P"}, "org_unit_response": {"uuid": "B"}}]}]})"));
    s.bodies.push_back(R"({"data": {"managers": {"objects": [{"validities": [{"org_unit_response": {"uuid": "M"}}]}]},
                                    "engagements": {"objects": []}}})");
    os2mo_connection mo = connect(s);
    auto seeds = mo.event_units({{event_kind::engagement, "E"}, {event_kind::org_unit, "U"}, {event_kind::ituser, "I"}});
    REQUIRE(seeds);
    CHECK(*seeds == std::vector<std::string>{"A", "B", "M", "NEW", "OLD", "U"});
    REQUIRE(s.sent.size() == 2);
    CHECK(s.sent[0].find(R"("operationName":"LinemgrEventObjects")") != std::string::npos);
    CHECK(s.sent[0].find(R"("engagements":["E"])") != std::string::npos);
    CHECK(s.sent[0].find(R"("units":["U"])") != std::string::npos);
    CHECK(s.sent[0].find(R"("persons":[])") != std::string::npos);  // [] is none in OS2mo; null would be all
    CHECK(s.sent[1].find(R"("engagement_persons":["P"])") != std::string::npos);
  }

  TEST_CASE("a unit that no longer exists seeds its own id; it-user events cost nothing") {
    scripted s;
    s.bodies.push_back(objects_answer(no_objects, no_objects));
    os2mo_connection mo = connect(s);
    auto seeds = mo.event_units({{event_kind::org_unit, "GONE"}});
    REQUIRE(seeds);
    CHECK(*seeds == std::vector<std::string>{"GONE"});
    CHECK(s.sent.size() == 1);  // no engagement or manager: no second request
    auto none = mo.event_units({{event_kind::ituser, "I"}});
    REQUIRE(none);
    CHECK(none->empty());
    CHECK(s.sent.size() == 1);
  }

  TEST_CASE("a list longer than a page is sent a page at a time") {
    scripted s;
    for (int i = 0; i < 3; ++i) s.bodies.push_back(objects_answer(no_objects, no_objects));
    os2mo_connection mo = connect(s, 2);
    auto seeds = mo.event_units({{event_kind::org_unit, "U1"}, {event_kind::org_unit, "U2"}, {event_kind::org_unit, "U3"},
                                 {event_kind::org_unit, "U4"}, {event_kind::org_unit, "U5"}});
    REQUIRE(seeds);
    CHECK(seeds->size() == 5);
    REQUIRE(s.sent.size() == 3);
    CHECK(s.sent[2].find(R"("units":["U5"])") != std::string::npos);
  }

  TEST_CASE("a malformed answer is an error that names the operation and the path") {
    scripted s;
    s.bodies.push_back(objects_answer(no_objects, R"({"objects": [{"validities": [{"person_response": null}]}]})"));
    os2mo_connection mo = connect(s);
    auto seeds = mo.event_units({{event_kind::engagement, "E"}});
    REQUIRE_FALSE(seeds);
    CHECK(seeds.err().kind == error_kind::data);
    CHECK(seeds.err().message ==
          "malformed response from OS2mo: LinemgrEventObjects: data.engagements.objects[0].validities[0].org_unit_response: missing");
  }
}
