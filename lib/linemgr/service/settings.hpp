#pragma once
// Every setting linemgr reads, from one parse of the configuration file: the rules, OS2mo, AMQP
// and webhooks, each value with where it came from. Precedence: flag > environment > file >
// default; the environment names are those the Python integrations' deployments already set.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/amqp/consumer.hpp>
#include <linemgr/core/config.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/connection_config.hpp>
#include <linemgr/io/environment.hpp>
#include <linemgr/os2mo/settings.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::service {

using namespace linemgr::core;
using namespace linemgr::io;
using namespace linemgr::os2mo;
using namespace linemgr::amqp;
using namespace linemgr::webhooks;

// What the command line (or an embedder) says; empty strings are "not given".
struct setting_flags {
  std::string config;  // the configuration file; empty: the default search (default_config_path)
  std::string mo_url, token_file, ca_file;
  std::string amqp_url, amqp_queue, amqp_ca_file;
};

// One setting's effective value and its source: "--flag", "env NAME", "file PATH:LINE" or "default".
struct setting {
  std::string key, value, source;
  bool secret = false;
  std::string problem;  // why it cannot be used (an unresolved secret, a malformed URL): an error where it is used
  // The value as it may be shown: secrets masked, a password in a URL masked.
  std::string shown() const;
};

// For a URL setting (os2mo.url, os2mo.auth_server, amqp.url): why its value is not a usable URL
// (scheme and host), naming its source; empty when it is, or for other settings.
std::string url_problem(const setting& c);

// Every setting, read once. Reading connects nowhere.
class settings {
 public:
  // Reads the configuration file (when there is one) once, then the environment and the flags.
  // A bad file, key, value or environment variable is an error of kind config (io when the file
  // cannot be read) naming the place and the fix.
  static result<settings> load(const setting_flags& flags, const env_lookup& env = process_env);

  // The configuration file read, if any.
  const std::optional<std::string>& file() const { return file_; }
  // The rules: the file's keys, overridden by the gatekeeper's environment variables.
  const config& rules() const { return rules_; }
  // The webhook sinks and the outbox, or why the file's [[webhook]] tables are not valid.
  const result<webhook_settings>& webhooks() const { return webhooks_; }
  // Every setting valid, every secret resolvable (what `config check` asks); else the first problem.
  status check() const;
  // DRY_RUN from the environment (the gatekeeper's switch), when set.
  std::optional<bool> dry_run() const { return dry_run_; }
  // Variables of the Python triggers linemgr replaces that it does not read, each with the setting
  // to use instead: one line per variable that is set.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // A connection setting by key ("os2mo.url", "amqp.queue", …; see connection_keys()).
  const setting& get(std::string_view key) const;
  // How to reach OS2mo; an error of kind config when no URL or no credentials are set.
  result<os2mo_settings> os2mo() const;
  // Where to consume AMQP events (the URL or its parts, the queue, the CA).
  result<amqp_settings> amqp() const;
  // A digest of the rule settings' values (not [safety], not connections): equal digests plan alike.
  std::string rules_digest() const;
  // Every setting with its source, in the order `linemgr config show` lists them.
  std::vector<setting> all() const;

 private:
  std::optional<std::string> file_;
  config rules_;
  std::vector<setting> rules_shown_;
  std::vector<setting> connections_;
  result<webhook_settings> webhooks_ = webhook_settings{};
  std::vector<std::string> warnings_;
  std::optional<bool> dry_run_;
  std::optional<std::string> log_level_;
  std::optional<std::string> token_file_;
  bool allow_plain_http_ = false;  // LINEMGR_ALLOW_PLAIN_HTTP=1
};

// Every setting with its value and source, as `linemgr config show` prints it: text (one
// `key = value  # source` line each) or a JSON document {file, settings: [{key, value, source}]}.
std::string settings_to_text(const settings& s);
std::string settings_to_json(const settings& s);

// The keys of the connection settings, in `config show` order.
std::vector<std::string> connection_keys();

// The configuration file used when none is named: $LINEMGR_CONFIG, then
// $XDG_CONFIG_HOME/linemgr/config.toml (or ~/.config/…), then /etc/linemgr/config.toml; the
// first that exists ($LINEMGR_CONFIG even when it does not: then reading it fails).
std::optional<std::string> default_config_path(const env_lookup& env = process_env);

}  // namespace linemgr::service
