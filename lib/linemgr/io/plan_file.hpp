#pragma once
// Saved plan files (doc/formats.md §3 "Saved plans"): `--out` writes one, `linemgr apply` reads it.
#include <string>

#include <linemgr/core/result.hpp>
#include <linemgr/core/saved_plan.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// Reads a plan saved with `--out`. A file that cannot be read: kind io; one that is not a saved
// plan (malformed JSON, a plan printed without --out, a missing or wrong field): kind data, naming
// the file and the JSON path.
result<saved_plan> read_plan_file(const std::string& path);

// The largest plan file read (bytes).
inline constexpr std::size_t max_plan_file_bytes = std::size_t{1} << 30;

}  // namespace linemgr::io
