#include "settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "amqp/consumer.hpp"
#include "os2mo/settings.hpp"
#include "environment.hpp"
#include "io/config_env.hpp"
#include "io/config_file.hpp"
#include "io/json.hpp"
#include "sources.hpp"
#include "webhooks.hpp"

namespace linemgr::cli {

namespace {

constexpr const char* masked = "********";

// The keys the file sets, with their lines: "hierarchy.top_level" -> 3.
void file_keys(const toml::table& t, const std::string& prefix, std::map<std::string, std::size_t>& out) {
  for (auto&& [k, v] : t) {
    const bool mapping = prefix == "managers.level_mapping.";
    const std::string key = prefix + (mapping ? "\"" + std::string(k.str()) + "\"" : std::string(k.str()));
    if (v.is_table() && !mapping) file_keys(*v.as_table(), key + ".", out);
    else out[key] = v.source().begin.line;
  }
}

std::string mask_url_password(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const std::size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + masked + url.substr(at);
}

}  // namespace

std::string resolved::shown() const {
  if (value.empty()) return value;
  if (secret) return value.find("://") != std::string::npos ? mask_url_password(value) : masked;
  return mask_url_password(value);
}

file_connections read_file_connections(const std::string& config_flag) {
  file_connections f;
  f.path = config_path(config_flag);
  if (f.path) f.tables = take(read_connection_config_file(*f.path));
  return f;
}

const std::vector<connection_setting>& connection_settings() {
  static const std::vector<connection_setting> all = [] {
    const amqp_settings amqp;  // its defaults
    const os2mo_auth auth;
    return std::vector<connection_setting>{
        {"os2mo.url", "--mo-url", {"OS2MO_API_URL", "MO_URL", "FASTRAMQPI__MO_URL"}, "", false},
        {"os2mo.token", "--token-file", {"OS2MO_API_TOKEN"}, "", true},
        {"os2mo.client_id", "", {"CLIENT_ID", "FASTRAMQPI__CLIENT_ID"}, "", false},
        {"os2mo.client_secret", "", {"CLIENT_SECRET", "FASTRAMQPI__CLIENT_SECRET"}, "", true},
        {"os2mo.auth_server", "", {"AUTH_SERVER", "FASTRAMQPI__AUTH_SERVER"}, "", false},
        {"os2mo.auth_realm", "", {"AUTH_REALM", "FASTRAMQPI__AUTH_REALM"}, auth.realm, false},
        {"os2mo.ca_file", "--ca-file", {}, "", false},
        {"amqp.url", "--amqp-url", {"AMQP_URL", "AMQP__URL", "FASTRAMQPI__AMQP__URL"}, "", true},
        {"amqp.host", "", {"AMQP_HOST"}, amqp.host, false},
        {"amqp.port", "", {"AMQP_PORT"}, std::to_string(amqp.port), false},
        {"amqp.username", "", {"AMQP_USERNAME"}, amqp.username, false},
        {"amqp.password", "", {"AMQP_PASSWORD"}, amqp.password, true},
        {"amqp.vhost", "", {"AMQP_VHOST"}, amqp.vhost, false},
        {"amqp.queue", "--amqp-queue", {"AMQP_QUEUE"}, "linemgr", false},
        {"amqp.ca_file", "--amqp-ca-file", {}, "", false},
    };
  }();
  return all;
}

resolved resolve(const std::string& key, const file_connections& file, const std::string& flag_value) {
  const auto& all = connection_settings();
  const auto it = std::find_if(all.begin(), all.end(), [&](const connection_setting& c) { return c.key == key; });
  if (it == all.end()) throw std::logic_error("no connection setting " + key);
  const connection_setting& c = *it;
  if (!flag_value.empty()) return {flag_value, c.flag, c.secret};
  for (const std::string& name : c.env)
    if (const auto v = process_env(name)) return {*v, "env " + name, c.secret};
  const std::size_t dot = key.find('.');
  const auto& table = key.substr(0, dot) == "os2mo" ? file.tables.os2mo : file.tables.amqp;
  if (auto f = table.find(key.substr(dot + 1)); f != table.end())
    return {f->second.value, fmt::format("file {}:{}", file.path.value_or("?"), f->second.line), c.secret || f->second.secret};
  return {c.fallback, "default", c.secret};
}

std::optional<bool> env_dry_run() {
  const auto v = process_env("DRY_RUN");
  if (!v) return std::nullopt;
  const auto b = parse_env_bool(*v);
  if (!b) throw failure{{error_kind::config, fmt::format("environment DRY_RUN: expected true or false, got {}", *v)}};
  return b;
}

// ---- linemgr config show|check ----

namespace {

struct shown_setting {
  std::string key, value, source;
};

std::vector<shown_setting> effective(const config_options& o) {
  std::vector<shown_setting> out;
  const file_connections file = read_file_connections(o.config);
  // Rules: file, then the gatekeeper's environment.
  config cfg;
  std::map<std::string, std::size_t> in_file;
  if (file.path) {
    cfg = take(read_config_file(*file.path));
    try {
      file_keys(toml::parse_file(*file.path), "", in_file);
    } catch (const toml::parse_error&) {
    }
  }
  const auto from_env = take(apply_config_env(cfg, process_env));
  for (const auto& [key, value] : config_entries(cfg)) {
    std::string source = "default";
    for (const env_setting& e : from_env)
      if (e.key == key) source = "env " + e.variable;
    if (source == "default" && in_file.count(key)) source = fmt::format("file {}:{}", *file.path, in_file[key]);
    out.push_back({key, value, source});
  }
  // Connections: without an AMQP URL, its parts.
  const bool amqp_url = !resolve("amqp.url", file).value.empty();
  for (const connection_setting& c : connection_settings()) {
    const bool url_part = c.key == "amqp.host" || c.key == "amqp.port" || c.key == "amqp.username" || c.key == "amqp.password" ||
                          c.key == "amqp.vhost";
    if (amqp_url && url_part) continue;
    const resolved r = resolve(c.key, file);
    out.push_back({c.key, r.value.empty() ? "(not set)" : r.shown(), r.source});
  }
  // Webhooks, logging, dry run.
  if (file.path) {
    const webhook_settings hooks = take(read_webhook_config_file(*file.path));
    for (const webhook_sink& s : hooks.sinks)
      out.push_back({"webhook." + s.name, std::string(method_name(s.method)) + " " + shown_url(s), fmt::format("file {}:{}", *file.path, s.line)});
  }
  const auto level = process_env("LOG_LEVEL");
  out.push_back({"log_level", level ? *level : "INFO", level ? "env LOG_LEVEL" : "default"});
  const auto dry = env_dry_run();
  out.push_back({"dry_run", dry ? (*dry ? "true" : "false") : "false", dry ? "env DRY_RUN" : "default"});
  return out;
}

}  // namespace

int config_command(const config_options& o) {
  const std::optional<std::string> path = config_path(o.config);
  if (o.action == "check") {
    // Everything `show` reads, read the same way; nothing connects anywhere.
    const auto all = effective(o);
    std::size_t sinks = 0;
    for (const auto& s : all) sinks += s.key.rfind("webhook.", 0) == 0;
    print(fmt::format("{}: valid ({} settings{})\n", path ? *path : "no configuration file (defaults and environment)", all.size(),
                      sinks ? fmt::format(", {} webhook sink{}", sinks, sinks > 1 ? "s" : "") : ""));
    return 0;
  }
  const auto all = effective(o);
  if (wants_json(o.format)) {
    rapidjson::StringBuffer b;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(b);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("file");
    path ? w.String(*path) : w.Null();
    w.Key("settings");
    w.StartArray();
    for (const auto& s : all) {
      w.StartObject();
      w.Key("key");
      w.String(s.key);
      w.Key("value");
      w.String(s.value);
      w.Key("source");
      w.String(s.source);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    print(std::string(b.GetString()) + "\n");
    return 0;
  }
  std::size_t width = 0;
  for (const auto& s : all) width = std::max(width, s.key.size() + 3 + s.value.size());
  std::string text = fmt::format("# configuration file: {}\n# precedence: flag > environment > file > default\n",
                                 path ? *path : "none");
  for (const auto& s : all) {
    const std::string line = s.key + " = " + s.value;
    text += fmt::format("{:<{}}  # {}\n", line, std::min<std::size_t>(width, 72), s.source);
  }
  print(text);
  return 0;
}

}  // namespace linemgr::cli
