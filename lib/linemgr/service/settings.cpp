#include <linemgr/service/settings.hpp>

#include <linemgr/core/saved_plan.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include <linemgr/io/config_env.hpp>
#include <linemgr/io/config_file.hpp>
#include <linemgr/io/config_tables_internal.hpp>
#include <linemgr/io/json_internal.hpp>
#include <linemgr/io/toml_reader_internal.hpp>

namespace linemgr::service {

using namespace linemgr::io;

namespace {

constexpr const char* masked = "********";

// One connection setting: its key ("os2mo.url": table os2mo, file key url), its flag, the
// environment variables that set it (the Python integrations' names, first wins), its default.
struct connection_setting {
  const char* key;
  const char* flag;
  std::vector<const char*> env;
  std::string fallback;
  bool secret = false;
  std::string setting_flags::*flag_value = nullptr;
};

const std::vector<connection_setting>& connection_table() {
  static const std::vector<connection_setting> all = [] {
    const amqp_settings amqp;  // its defaults
    const os2mo_auth auth;
    using f = setting_flags;
    return std::vector<connection_setting>{
        {"os2mo.url", "--mo-url", {"OS2MO_API_URL", "MO_URL", "FASTRAMQPI__MO_URL"}, "", false, &f::mo_url},
        {"os2mo.token", "--token-file", {"OS2MO_API_TOKEN"}, "", true},
        {"os2mo.client_id", "", {"CLIENT_ID", "FASTRAMQPI__CLIENT_ID"}, "", false},
        {"os2mo.client_secret", "", {"CLIENT_SECRET", "FASTRAMQPI__CLIENT_SECRET"}, "", true},
        {"os2mo.auth_server", "", {"AUTH_SERVER", "FASTRAMQPI__AUTH_SERVER"}, "", false},
        {"os2mo.auth_realm", "", {"AUTH_REALM", "FASTRAMQPI__AUTH_REALM"}, auth.realm, false},
        {"os2mo.ca_file", "--ca-file", {}, "", false, &f::ca_file},
        {"amqp.url", "--amqp-url", {"AMQP_URL", "AMQP__URL", "FASTRAMQPI__AMQP__URL"}, "", true, &f::amqp_url},
        {"amqp.host", "", {"AMQP_HOST"}, amqp.host, false},
        {"amqp.port", "", {"AMQP_PORT"}, std::to_string(amqp.port), false},
        {"amqp.username", "", {"AMQP_USERNAME"}, amqp.username, false},
        {"amqp.password", "", {"AMQP_PASSWORD"}, amqp.password, true},
        {"amqp.vhost", "", {"AMQP_VHOST"}, amqp.vhost, false},
        {"amqp.queue", "--amqp-queue", {"AMQP_QUEUE"}, "linemgr", false, &f::amqp_queue},
        {"amqp.ca_file", "--amqp-ca-file", {}, "", false, &f::amqp_ca_file},
    };
  }();
  return all;
}

std::string mask_url_password(const std::string& url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  // The user information ends at the last '@' of the authority: a password may hold an '@' too.
  const std::size_t authority_end = std::min(url.find_first_of("/?#", scheme + 3), url.size());
  const std::size_t at = url.rfind('@', authority_end);
  if (at == std::string::npos || at < scheme + 3) return url;
  const std::size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + masked + url.substr(at);
}

// The keys the file sets, with their lines: "hierarchy.top_level" -> 3.
void file_keys(const toml::table& t, const std::string& prefix, std::map<std::string, std::size_t>& out) {
  for (auto&& [k, v] : t) {
    const bool mapping = prefix == "managers.level_mapping.";
    const std::string key = prefix + (mapping ? "\"" + std::string(k.str()) + "\"" : std::string(k.str()));
    if (v.is_table() && !mapping) file_keys(*v.as_table(), key + ".", out);
    else out[key] = v.source().begin.line;
  }
}

}  // namespace

std::string setting::shown() const {
  if (value.empty()) return value;
  if (secret) return value.find("://") != std::string::npos ? mask_url_password(value) : masked;
  return mask_url_password(value);
}

std::vector<std::string> connection_keys() {
  std::vector<std::string> out;
  for (const connection_setting& c : connection_table()) out.emplace_back(c.key);
  return out;
}

std::optional<std::string> default_config_path(const env_lookup& env) {
  auto exists = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
  };
  if (const auto explicit_path = env("LINEMGR_CONFIG")) return *explicit_path;  // named: a missing file is an error later
  std::string xdg;
  if (const auto x = env("XDG_CONFIG_HOME")) xdg = *x;
  else if (const auto home = env("HOME")) xdg = *home + "/.config";
  if (!xdg.empty() && exists(xdg + "/linemgr/config.toml")) return xdg + "/linemgr/config.toml";
  if (exists("/etc/linemgr/config.toml")) return std::string("/etc/linemgr/config.toml");
  return std::nullopt;
}

namespace {

// The host part of `rest` (after "scheme://"): up to '/', '?', '#' or a port; empty when missing.
std::string_view host_of(std::string_view rest) {
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos && at < rest.find('/')) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return rest.substr(0, rest.find(']') == std::string_view::npos ? 0 : rest.find(']') + 1);
  return rest.substr(0, rest.find_first_of(":/?#"));
}

bool host_ok(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return host.back() == ']';
  return std::all_of(host.begin(), host.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
  });
}

}  // namespace

std::string url_problem(const setting& c) {
  std::vector<std::string_view> schemes;
  std::string_view example;
  if (c.key == "os2mo.url" || c.key == "os2mo.auth_server") {
    schemes = {"https://", "http://"};
    example = c.key == "os2mo.url" ? "https://os2mo.example.dk" : "https://keycloak.example.dk/auth";
  } else if (c.key == "amqp.url") {
    schemes = {"amqps://", "amqp://"};
    example = "amqp://user:password@rabbitmq.example.dk:5672/";
  } else {
    return {};
  }
  for (std::string_view scheme : schemes)
    if (std::string_view(c.value).starts_with(scheme) && host_ok(host_of(std::string_view(c.value).substr(scheme.size())))) return {};
  return fmt::format("{}: {} \"{}\" is not a URL with a scheme and a host, such as {}", c.source, c.key, c.shown(), example);
}

result<settings> settings::load(const setting_flags& flags, const env_lookup& env) {
  settings s;
  s.file_ = flags.config.empty() ? default_config_path(env) : std::optional(flags.config);

  // The file, parsed once; each reader takes its tables.
  connection_file_settings tables;
  std::map<std::string, std::size_t> in_file;
  if (s.file_) {
    auto text = read_config_text(*s.file_);
    if (!text) return text.err();
    auto root = parse_toml(*text, *s.file_);
    if (!root) return root.err();
    auto rules = config_from_toml(*root, *s.file_);
    if (!rules) return rules.err();
    s.rules_ = std::move(*rules);
    auto connections = connections_from_toml(*root, *s.file_, env);
    if (!connections) return connections.err();
    tables = std::move(*connections);
    s.webhooks_ = webhooks_from_toml(*root, *s.file_, env);
    file_keys(*root, "", in_file);
  }

  // Rules: the gatekeeper's environment overrides the file.
  auto from_env = apply_config_env(s.rules_, env);
  if (!from_env) return from_env.err();
  for (const auto& [key, value] : config_entries(s.rules_)) {
    std::string source = "default";
    for (const env_setting& e : *from_env)
      if (e.key == key) source = "env " + e.variable;
    if (source == "default" && in_file.count(key)) source = fmt::format("file {}:{}", *s.file_, in_file[key]);
    s.rules_shown_.push_back({key, value, source, false, {}});
  }

  // Connections: flag > environment > file > default.
  for (const connection_setting& c : connection_table()) {
    const std::string key = c.key;
    const std::string flag = c.flag_value ? flags.*c.flag_value : std::string();
    setting out{key, c.fallback, "default", c.secret, {}};
    const std::size_t dot = key.find('.');
    const auto& table = key.substr(0, dot) == "os2mo" ? tables.os2mo : tables.amqp;
    if (!flag.empty()) {
      out = {key, flag, c.flag, c.secret, {}};
    } else if (auto e = std::find_if(c.env.begin(), c.env.end(), [&](const char* name) { return env(name).has_value(); });
               e != c.env.end()) {
      out = {key, *env(*e), fmt::format("env {}", *e), c.secret, {}};
    } else if (auto f = table.find(key.substr(dot + 1)); f != table.end()) {
      out = {key, f->second.value, fmt::format("file {}:{}", *s.file_, f->second.line), c.secret || f->second.secret,
             f->second.problem};
    }
    s.connections_.push_back(std::move(out));
  }
  // URLs are checked here, before any work: a typo is a configuration error naming where it came from.
  for (setting& c : s.connections_)
    if (c.problem.empty() && !c.value.empty()) c.problem = url_problem(c);
  if (!flags.token_file.empty()) {
    const auto token = read_secret_file(flags.token_file);
    if (!token) return error{error_kind::io, fmt::format("{}: cannot read the token file", flags.token_file)};
    for (setting& c : s.connections_)
      if (c.key == "os2mo.token") c = {c.key, *token, "--token-file", true, {}};
  }

  // The manager-sync and manager-terminator variables linemgr does not read: say what to set instead.
  static constexpr std::pair<const char*, const char*> legacy[] = {
      {"MANAGER_TYPE_UUID", "[managers] manager_type in the configuration file"},
      {"RESPONSIBILITY_UUID", "[managers] responsibilities in the configuration file"},
      {"MANAGER_LEVEL_MAPPING", "the [managers.level_mapping] table in the configuration file"},
      {"MANAGER_LEVEL_CREATE", "nothing: linemgr creates no classes; create the manager levels in OS2mo"},
      {"MANAGER_TERMINATOR__SET_TO_VACANT", "[validity] action = \"vacate\" in the configuration file"},
      {"ROOT_UUID", "nothing: linemgr checks every unit"},
      {"LISTEN_TO_CHANGES_IN_MO", "linemgr listen --source mo-events"},
  };
  for (const auto& [name, instead] : legacy)
    if (env(name)) s.warnings_.push_back(fmt::format("environment {} is not read by linemgr; use {}", name, instead));

  s.log_level_ = env("LOG_LEVEL");
  s.allow_plain_http_ = env("LINEMGR_ALLOW_PLAIN_HTTP").value_or("") == "1";
  if (const auto dry = env("DRY_RUN")) {
    s.dry_run_ = parse_env_bool(*dry);
    if (!s.dry_run_) return error{error_kind::config, fmt::format("environment DRY_RUN: expected true or false, got {}", *dry)};
  }
  return s;
}

const setting& settings::get(std::string_view key) const {
  for (const setting& c : connections_)
    if (c.key == key) return c;
  static const setting none;
  return none;
}

namespace {

// The first problem among the settings whose key starts with `prefix`.
status problems(const std::vector<setting>& all, std::string_view prefix) {
  for (const setting& c : all)
    if (c.key.starts_with(prefix) && !c.problem.empty()) return error{error_kind::config, c.problem};
  return {};
}

}  // namespace

status settings::check() const {
  if (auto p = problems(connections_, ""); !p) return p;
  if (!webhooks_) return webhooks_.err();
  return {};
}

result<os2mo_settings> settings::os2mo() const {
  if (auto p = problems(connections_, "os2mo."); !p) return p.err();
  os2mo_settings s;
  s.url = get("os2mo.url").value;
  if (s.url.empty())
    return error{error_kind::usage,
                 "name a source: --snapshot FILE, or --mo-url URL (or set OS2MO_API_URL, or [os2mo] url in the configuration file)"};
  s.auth.token = get("os2mo.token").value;
  s.auth.client_id = get("os2mo.client_id").value;
  s.auth.client_secret = get("os2mo.client_secret").value;
  s.auth.auth_server = get("os2mo.auth_server").value;
  s.auth.realm = get("os2mo.auth_realm").value;
  s.http.ca_file = get("os2mo.ca_file").value;
  // A token (or a client secret) over plain HTTP is readable on the way; only loopback is spared.
  for (const char* key : {"os2mo.url", "os2mo.auth_server"}) {
    const setting& c = get(key);
    if (allow_plain_http_ || !std::string_view(c.value).starts_with("http://")) continue;
    const std::string_view host = host_of(std::string_view(c.value).substr(7));
    if (host == "localhost" || host.starts_with("127.") || host == "[::1]") continue;
    return error{error_kind::config, fmt::format("{}: {} \"{}\" would send credentials in clear over http:// to {}; use https://, or "
                                                 "set LINEMGR_ALLOW_PLAIN_HTTP=1 on a network you trust", c.source, key, c.shown(), host)};
  }
  if (s.auth.token.empty() && !s.auth.uses_client_credentials())
    return error{error_kind::config, "no OS2mo credentials: set OS2MO_API_TOKEN, pass --token-file, set CLIENT_ID, "
                                     "CLIENT_SECRET and AUTH_SERVER, or give [os2mo] token in the configuration file"};
  if (s.auth.uses_client_credentials() && (s.auth.client_secret.empty() || s.auth.auth_server.empty()))
    return error{error_kind::config, "CLIENT_ID is set: CLIENT_SECRET and AUTH_SERVER are needed too"};
  return s;
}

result<amqp_settings> settings::amqp() const {
  if (auto p = problems(connections_, "amqp."); !p) return p.err();
  amqp_settings s;
  if (const std::string& url = get("amqp.url").value; !url.empty()) {
    if (auto parsed = parse_amqp_url(url, s); !parsed) return parsed.err();
  } else {
    s.host = get("amqp.host").value;
    const setting& p = get("amqp.port");
    char* end = nullptr;
    const long port = std::strtol(p.value.c_str(), &end, 10);
    if (*end || port <= 0 || port > 65535)
      return error{error_kind::config, fmt::format("{}: AMQP port \"{}\" is not a port", p.source, p.value)};
    s.port = static_cast<int>(port);
    s.username = get("amqp.username").value;
    s.password = get("amqp.password").value;
    s.vhost = get("amqp.vhost").value;
  }
  s.queue = get("amqp.queue").value;
  s.ca_file = get("amqp.ca_file").value;
  return s;
}

std::string settings::rules_digest() const {
  std::string text;
  for (const setting& r : rules_shown_)
    if (!r.key.starts_with("safety.")) text += r.key + "=" + r.value + "\n";
  return digest_of(text);
}

std::vector<setting> settings::all() const {
  std::vector<setting> out = rules_shown_;
  // Without an AMQP URL, its parts.
  const bool amqp_url = !get("amqp.url").value.empty();
  for (const setting& c : connections_) {
    const bool url_part = c.key == "amqp.host" || c.key == "amqp.port" || c.key == "amqp.username" || c.key == "amqp.password" ||
                          c.key == "amqp.vhost";
    if (amqp_url && url_part) continue;
    setting shown = c;
    shown.value = c.value.empty() ? "(not set)" : c.shown();
    shown.secret = false;  // already masked
    out.push_back(std::move(shown));
  }
  if (webhooks_)
    for (const webhook_sink& k : webhooks_->sinks)
      out.push_back({"webhook." + k.name, std::string(method_name(k.method)) + " " + shown_url(k),
                     fmt::format("file {}:{}", file_.value_or("?"), k.line), false, {}});
  out.push_back({"log_level", log_level_.value_or("INFO"), log_level_ ? "env LOG_LEVEL" : "default", false, {}});
  out.push_back({"dry_run", dry_run_ ? (*dry_run_ ? "true" : "false") : "false", dry_run_ ? "env DRY_RUN" : "default", false, {}});
  return out;
}

std::string settings_to_text(const settings& s) {
  const std::vector<setting> all = s.all();
  std::size_t width = 0;
  for (const setting& v : all) width = std::max(width, v.key.size() + 3 + v.value.size());
  std::string text = fmt::format("# configuration file: {}\n# precedence: flag > environment > file > default\n",
                                 s.file() ? *s.file() : "none");
  for (const setting& v : all) text += fmt::format("{:<{}}  # {}\n", v.key + " = " + v.value, std::min<std::size_t>(width, 72), v.source);
  return text;
}

std::string settings_to_json(const settings& s) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("format");
  w.String("linemgr-config/1");
  w.Key("file");
  s.file() ? w.String(*s.file()) : w.Null();
  w.Key("settings");
  w.StartArray();
  for (const setting& v : s.all()) {
    w.StartObject();
    w.Key("key");
    w.String(v.key);
    w.Key("value");
    w.String(v.value);
    w.Key("source");
    w.String(v.source);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace linemgr::service
