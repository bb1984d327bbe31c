#pragma once
// Internal: the configuration readers over one parsed TOML document, so that the service layer
// parses a configuration file once and hands each reader its tables.
#include <string_view>

#include <toml++/toml.h>

#include <linemgr/core/config.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/connection_config.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// The rules keys (as parse_config).
result<config> config_from_toml(const toml::table& root, std::string_view source);
// The [os2mo] and [amqp] tables (as parse_connection_config), except that a secret that cannot be
// resolved is kept as the value's `problem`: it is an error only where the setting is used.
result<connection_file_settings> connections_from_toml(const toml::table& root, std::string_view source, const env_lookup& env);
}  // namespace linemgr::io

namespace linemgr::webhooks {

// The [webhooks] and [[webhook]] tables (as parse_webhook_config).
core::result<webhook_settings> webhooks_from_toml(const toml::table& root, std::string_view source, const io::env_lookup& env);

}  // namespace linemgr::webhooks
