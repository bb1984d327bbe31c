#pragma once
// Webhook sinks as the configuration file declares them ([[webhook]] and [webhooks] tables).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <linemgr/core/notices.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/environment.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;
using namespace linemgr::io;

// The HTTP methods a sink may use (a body is always sent).
enum class http_method : std::uint8_t { post, put, patch };
std::string_view method_name(http_method m);

// One sink: where, which notices, how they are sent and signed. Secret values are resolved at load
// and never shown: `masked` lists which parts of the sink are secret.
struct webhook_sink {
  std::string name;
  std::string description;  // for people: what the sink is for, who owns it
  bool enabled = true;      // false: no new notices for it, and what it has waits (`enabled = false`)
  std::string url;
  bool url_is_secret = false;  // came from env or a file: shown as scheme://host/…
  http_method method = http_method::post;
  notice_filter filter;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> secret_headers;  // values resolved, never shown
  std::string body_template;                                        // Mustache; empty: the JSON envelope
  std::string content_type = "application/json";
  std::vector<std::string> signing_keys;  // raw HMAC keys: the current secret, then the previous one
  std::string proxy = "env";              // env (libcurl reads *_proxy), none, or a proxy URL
  std::string ca_file, client_cert, client_key;
  long connect_timeout_ms = 5000, timeout_ms = 15000;
  bool allow_private_networks = false;
  std::int64_t max_age_s = 72 * 3600;  // after this, a delivery that keeps failing is dead
  std::size_t line = 0;                // where the sink starts in the configuration file
};

// The longest sink URL accepted.
inline constexpr std::size_t max_url_length = 8192;

// The webhook part of the configuration.
struct webhook_settings {
  std::vector<webhook_sink> sinks;
  std::string outbox;             // the outbox file; empty: the default (see default_outbox_path)
  long flush_timeout_ms = 10000;  // how long a run delivers at its end (--webhook-flush-timeout)

  // The sink named `name`, or null.
  const webhook_sink* find(std::string_view name) const;
};

// Reads the [webhooks] table and the [[webhook]] tables of a configuration file's text; other
// keys are left to the rules reader. Every failure (unknown key, bad value, missing secret,
// template that does not parse or does not render valid JSON) is of kind config and names
// `source`, the line and the key.
result<webhook_settings> parse_webhook_config(std::string_view text, std::string_view source, const env_lookup& env);

// The sink's URL as it may be shown: in full unless it is secret, then only scheme://host/….
std::string shown_url(const webhook_sink& s);

// The outbox path when the configuration names none: $STATE_DIRECTORY/webhooks.sqlite (systemd),
// else $XDG_STATE_HOME/linemgr/webhooks.sqlite, else ~/.local/state/linemgr/webhooks.sqlite.
std::string default_outbox_path(const env_lookup& env = process_env);

}  // namespace linemgr::webhooks
