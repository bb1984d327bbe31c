#include <linemgr/io/snapshot_handoff_internal.hpp>

#include <string>

#include "support.hpp"

using namespace linemgr::core;
using namespace linemgr::io;

namespace {
// A unit record built in the handoff's pool, as the parser builds it.
rapidjson::Value unit_record(record_handoff& h, const std::string& id, const std::string& parent) {
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("id", rapidjson::Value(id.c_str(), static_cast<rapidjson::SizeType>(id.size()), h.pool()), h.pool());
  v.AddMember("parent", rapidjson::Value(parent.c_str(), static_cast<rapidjson::SizeType>(parent.size()), h.pool()), h.pool());
  return v;
}
}  // namespace

TEST_SUITE("io::snapshot_handoff") {
  TEST_CASE("records handed over in many batches are read in order, with the root's members and the end of the units") {
    snapshot snap;
    record_reader reader(snap);
    record_handoff h(reader);
    const std::string org = "ORG";
    CHECK(h.root(root_field::organisation, rapidjson::Value(rapidjson::StringRef(org.c_str()))));
    for (std::size_t i = 0; i < 2000; ++i) {
      rapidjson::Value v = unit_record(h, "U" + std::to_string(i), i ? "U" + std::to_string(i / 2) : "ORG");
      REQUIRE(h.record(section::units, i, v));
      CHECK(v.IsNull());  // its contents were taken
    }
    CHECK(h.units_done());
    CHECK_FALSE(h.finish().has_value());
    REQUIRE(snap.units.size() == 2000);
    CHECK(snap.organisation == "ORG");
    CHECK(snap.units.records[1999].id == "U1999");
    CHECK(snap.units.segments[1999].parent == snap.units.ids.find("U999"));  // resolved by units_done
    CHECK(snap.units.segments[0].parent == no_index);
  }

  TEST_CASE("the first refusal is told, later records are not read, and the parser learns of it") {
    snapshot snap;
    record_reader reader(snap);
    record_handoff h(reader);
    bool told = false;
    for (std::size_t i = 0; i < 5000 && !told; ++i) {
      rapidjson::Value v = unit_record(h, i == 300 || i == 400 ? "U1" : "U" + std::to_string(i), "ORG");
      told = !h.record(section::units, i, v);
    }
    CHECK(told);  // the parser stops handing over once it knows
    CHECK(h.finish() == std::optional<std::string>("units[300].id: duplicate id \"U1\" in units"));
    CHECK(snap.units.size() == 300);
  }

  TEST_CASE("a handoff that is dropped without finish() ends its thread") {
    snapshot snap;
    record_reader reader(snap);
    {
      record_handoff h(reader);
      rapidjson::Value v = unit_record(h, "A", "ORG");
      CHECK(h.record(section::units, 0, v));
    }
    CHECK(snap.units.size() == 1);
  }
}
