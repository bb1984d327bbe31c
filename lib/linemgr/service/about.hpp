#pragma once
// What this build of linemgr is: its version, the source revision and the libraries it uses.
#include <string>

namespace linemgr::service {

// The version ("0.1.0").
std::string version();

// `linemgr --version`: the version and source revision on the first line, then one line with the
// version of every library linked in (libcurl, OpenSSL, rabbitmq-c, SQLite, RapidJSON, fmt, toml++).
std::string version_report();

}  // namespace linemgr::service
