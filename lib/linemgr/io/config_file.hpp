#pragma once
// Reading the rules configuration from TOML (doc/formats.md §2).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <linemgr/core/config.hpp>
#include <linemgr/core/result.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// Parses TOML text into a config. An unknown key, a wrong type, a value outside its choices or a
// bad regex is an error (kind config) naming `source`, the line and the key.
result<config> parse_config(std::string_view text, std::string_view source);
// Reads and parses a configuration file (unreadable: kind io).
result<config> read_config_file(const std::string& path);

// Every rules key with its value as TOML would write it (strings quoted, lists in brackets), in
// the order of doc/formats.md §2: what `linemgr config show` prints.
std::vector<std::pair<std::string, std::string>> config_entries(const config& cfg);

}  // namespace linemgr::io
