#pragma once
// The records of a `linemgr-snapshot/1` document (doc/formats.md §1), checked one at a time and
// added to a snapshot: what the snapshot reader's stream hands over as it meets each record.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <linemgr/core/model.hpp>
#include <linemgr/io/json_internal.hpp>

namespace linemgr::io {

// Thrown by record_reader; the snapshot reader turns it into an error naming the file.
struct bad_input {
  std::string message;  // "units[3].from: not a date: \"2026-13-01\""
};

// The top-level arrays, in the order a snapshot is read: a later one may refer to an earlier one.
enum class section : std::uint8_t { classes, units, persons, engagements, associations, it_users, managers, count };
inline constexpr std::array<std::string_view, 7> section_names = {"classes",      "units",    "persons", "engagements",
                                                                  "associations", "it_users", "managers"};

// A JSON value as messages show it: a string quoted, else its kind ("a number", "an object").
std::string show(const rapidjson::Value& v);

// Checks records one at a time and adds them to the snapshot; the strings it keeps are copied
// into the snapshot's arena, so the values it is given may go once a call returns.
class record_reader {
 public:
  explicit record_reader(core::snapshot& snap);
  ~record_reader();
  record_reader(const record_reader&) = delete;
  record_reader& operator=(const record_reader&) = delete;

  // The root's own members; each throws bad_input when the value does not fit.
  void format(const rapidjson::Value& v);
  // The checks of format, today and organisation alone: they read no state.
  static void check_format(const rapidjson::Value& v);
  static void check_today(const rapidjson::Value& v);
  static void check_organisation(const rapidjson::Value& v);
  void today(const rapidjson::Value& v);
  void organisation(const rapidjson::Value& v);
  // One element of a top-level array (an object), the `i`th of its array.
  void record(section s, std::size_t i, const rapidjson::Value& rec);
  // After the last unit: parents resolved (they may refer forward).
  void units_done();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace linemgr::io
