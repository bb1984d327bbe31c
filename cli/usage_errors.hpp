#pragma once
// Command-line parse errors in linemgr's own words: "linemgr: …", the word not understood, the
// nearest command or option, and never the parser's internals.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace linemgr::cli {

// The one-line message for a parse error of `app` on the arguments (no program name; no trailing newline).
std::string usage_error_message(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args);

}  // namespace linemgr::cli
