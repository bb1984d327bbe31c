#pragma once
// Reading a large snapshot on both cores: the parser's thread builds each record and hands it over,
// in batches, to a second thread that checks it and adds it to the model (record_reader), in
// document order. What the reader refuses first is what a reader on one thread refuses first.
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <linemgr/core/model.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/json_internal.hpp>
#include <linemgr/io/snapshot_records_internal.hpp>

namespace linemgr::io {

// The root's own members a snapshot names.
enum class root_field : std::uint8_t { format, today, organisation };

class record_handoff {
 public:
  // Starts the reading thread; `reader` is its own until finish().
  explicit record_handoff(record_reader& reader);
  // Finishes, if finish() was not called (its outcome is then dropped).
  ~record_handoff();
  record_handoff(const record_handoff&) = delete;
  record_handoff& operator=(const record_handoff&) = delete;

  // The pool the next record is to be built in; it changes when a batch is handed over.
  rapidjson::MemoryPoolAllocator<>& pool();
  // Hands over a record built in pool() (its contents are taken; it is left null). Each is false
  // once the reading thread has refused something handed over before.
  bool record(section s, std::size_t index, rapidjson::Value& rec);
  // Hands over one of the root's own members (copied).
  bool root(root_field f, const rapidjson::Value& v);
  // Hands over the end of the units array.
  bool units_done();
  // Waits until everything handed over is read: the message of the first refusal, if any. Any
  // other exception the reader threw is thrown here.
  std::optional<std::string> finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// parse_snapshot with the handoff on or off, whatever the text's size (parse_snapshot hands off
// from 1 MiB on): tests hold the two to the same outcome.
core::result<core::snapshot> parse_snapshot_handing_off(std::string_view text, std::string_view source, bool handoff);

}  // namespace linemgr::io
