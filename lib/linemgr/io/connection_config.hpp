#pragma once
// Connection settings from the configuration file: the [os2mo] and [amqp] tables.
#include <cstddef>
#include <map>
#include <string>

#include <linemgr/core/result.hpp>
#include <linemgr/io/environment.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// One value as the file gives it (secrets resolved from their env or file reference).
struct file_value {
  std::string value;
  std::size_t line = 0;
  bool secret = false;
  std::string problem;  // a secret that could not be resolved: why (the value is empty)
};

// The connection tables of a configuration file, by key. Keys:
// [os2mo] url, token (secret), client_id, client_secret (secret), auth_server, auth_realm, ca_file;
// [amqp] url (a string, or a secret when it carries a password), host, port, username,
// password (secret), vhost, queue, ca_file.
struct connection_file_settings {
  std::map<std::string, file_value> os2mo, amqp;
};

// Reads [os2mo] and [amqp] of a configuration file's text; other tables are left to their readers.
// Unknown keys, wrong types and unresolvable secrets are errors of kind config naming file:line: key.
result<connection_file_settings> parse_connection_config(std::string_view text, std::string_view source, const env_lookup& env);

}  // namespace linemgr::io
