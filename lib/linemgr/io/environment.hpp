#pragma once
// Reading environment variables through a function, so that readers can be tested without
// touching the process environment.
#include <functional>
#include <optional>
#include <string>

namespace linemgr::io {

// Looks up an environment variable; nullopt when it is not set.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment (an empty value counts as not set).
std::optional<std::string> process_env(const std::string& name);

// A secret kept in a file (a token, a password): its text without trailing newlines and spaces;
// nullopt when the file cannot be read.
std::optional<std::string> read_secret_file(const std::string& path);

}  // namespace linemgr::io
