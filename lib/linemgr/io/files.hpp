#pragma once
// Input and output files checked before any work: what a path names (a directory, a missing file, a
// device) said in one line that names the path.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <linemgr/core/result.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// Reads the whole file at `path` (`what` names it in messages, e.g. "configuration file"). A
// directory, a missing or unreadable file, or one over `max_bytes` is an error of kind `kind`.
result<std::string> read_input_file(const std::string& path, std::string_view what, error_kind kind, std::size_t max_bytes);

// Checks that `path` can be read as a file (not a directory, exists, readable); "-" (standard input)
// passes. Errors are of kind io.
status check_input_file(const std::string& path, std::string_view what);

// Why linemgr must not replace what is at `path` (a device, FIFO or socket, or a link to one:
// writing renames a new file over it), or nullopt (nothing there, a regular file, a link to one).
std::optional<std::string> not_replaceable(const std::string& path);

// Checks, before any work, that a file can be written at `path`: not a directory, a device, a
// pipe or a socket, and its folder exists. Errors are of kind io.
status check_output_file(const std::string& path, std::string_view what);

}  // namespace linemgr::io
