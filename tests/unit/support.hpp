#pragma once
// Helpers for the unit tests: snapshots and configurations from text through the real readers,
// and plans rendered as compact lines that are easy to compare.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <linemgr/core/plan.hpp>
#include <linemgr/io/config_file.hpp>
#include <linemgr/io/snapshot_file.hpp>

namespace linemgr::test {
using namespace linemgr::core;
using namespace linemgr::io;


// A snapshot from JSON text; fails the test when it does not parse.
inline snapshot snap_of(const std::string& json) {
  auto s = parse_snapshot(json, "test.json");
  if (!s) FAIL(s.err().message);
  return std::move(s.value());
}

// A configuration from TOML text; fails the test when it does not parse.
inline config cfg_of(const std::string& toml) {
  auto c = parse_config(toml, "test.toml");
  if (!c) FAIL(c.err().message);
  return std::move(c.value());
}

// The day of a YYYY-MM-DD string.
inline day d(const char* text) { return *parse_date(text); }

// One line per change: "op subject [unit/person/class/level] from..to".
inline std::vector<std::string> lines(const snapshot& s, const plan& p) {
  std::vector<std::string> out;
  for (const change& c : p.changes) {
    std::string line = std::string(op_name(c.kind)) + " " + std::string(subject_id(s, c));
    if (c.kind == op::create_manager) line += " " + std::string(s.persons[c.person].id) + " " + c.level;
    if (c.kind == op::set_unit_class) line += " " + c.klass;
    if (c.kind == op::update_manager) line += " " + c.level;
    if (c.kind == op::move_engagement) line += " ->" + std::string(s.units.records[c.unit].id);
    line += " " + format_date(c.span.from) + ".." + (c.span.to == open_end ? std::string("") : format_date(c.span.to));
    out.push_back(line);
  }
  return out;
}

// "CODE subject" per diagnostic.
inline std::vector<std::string> diags(const plan& p) {
  std::vector<std::string> out;
  for (const diagnostic& x : p.diagnostics) out.push_back(x.code + " " + x.subject);
  return out;
}

// True when `items` contains `item`.
inline bool has(const std::vector<std::string>& items, const std::string& item) {
  for (const auto& i : items)
    if (i == item) return true;
  return false;
}

}  // namespace linemgr::test

namespace linemgr::test {

// A snapshot document for 2026-03-02 in organisation ORG around the given members.
inline std::string doc(const std::string& members) {
  return R"({"format": "linemgr-snapshot/1", "today": "2026-03-02", "organisation": "ORG", )" + members + "}";
}

// A flat unit record.
inline std::string unit(const std::string& id, const std::string& parent, const std::string& level = "NY3-niveau",
                        const std::string& name = "", const std::string& klass = "null") {
  return R"({"id": ")" + id + R"(", "name": ")" + (name.empty() ? id : name) + R"(", "parent": ")" + parent +
         R"(", "level": )" + (level.empty() ? std::string("null") : "\"" + level + "\"") + R"(, "class": )" + klass +
         R"(, "from": "2000-01-01"})";
}

// A flat engagement, association or manager record with a person, unit and period.
inline std::string rec(const std::string& id, const std::string& person, const std::string& unit_id, const std::string& from,
                       const std::string& to = "", const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "person": )" + (person.empty() ? std::string("null") : "\"" + person + "\"") +
         R"(, "unit": ")" + unit_id + R"(", "from": ")" + from + R"(", "to": )" + (to.empty() ? std::string("null") : "\"" + to + "\"") +
         extra + "}";
}

}  // namespace linemgr::test
