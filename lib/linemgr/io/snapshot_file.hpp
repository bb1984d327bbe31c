#pragma once
// Reading and writing `linemgr-snapshot/1` files (doc/formats.md §1).
#include <string>
#include <string_view>

#include <linemgr/core/model.hpp>
#include <linemgr/core/result.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// Parses snapshot text. Errors name `source` and the JSON path (kind data).
result<snapshot> parse_snapshot(std::string_view text, std::string_view source);
// Reads and parses a snapshot file (unreadable: kind io; malformed: kind data).
result<snapshot> read_snapshot_file(const std::string& path);
// The snapshot as `linemgr-snapshot/1` JSON text.
std::string snapshot_to_json(const snapshot& snap);
// Writes text to a file through a temporary file and a rename: never half-written ("-": stdout).
status write_file_atomically(const std::string& path, std::string_view text);
// Writes the snapshot as it is produced (never whole in memory), as write_file_atomically does.
status write_snapshot_file(const std::string& path, const snapshot& snap);

}  // namespace linemgr::io
