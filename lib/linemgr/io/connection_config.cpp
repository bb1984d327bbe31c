#include <linemgr/io/connection_config.hpp>

#include <set>

#include <linemgr/io/config_tables_internal.hpp>
#include <linemgr/io/toml_reader_internal.hpp>

namespace linemgr::io {

namespace {

class connection_reader : toml_reader {
 public:
  connection_reader(std::string_view source, const env_lookup& env, bool defer_secrets = false)
      : toml_reader(source), env_(env), defer_secrets_(defer_secrets) {}

  connection_file_settings read(const toml::table& root) const {
    connection_file_settings out;
    if (const toml::node* n = root.get("os2mo"))
      read_table(*n, "os2mo", {"url", "client_id", "auth_server", "auth_realm", "ca_file"}, {"token", "client_secret"}, out.os2mo);
    if (const toml::node* n = root.get("amqp"))
      read_table(*n, "amqp", {"url", "host", "port", "username", "vhost", "queue", "ca_file"}, {"password"}, out.amqp);
    return out;
  }

 private:
  void read_table(const toml::node& n, const std::string& name, const std::set<std::string>& plain,
                  const std::set<std::string>& secrets, std::map<std::string, file_value>& out) const {
    for (auto&& [k, v] : table(n, name)) {
      const std::string key(k.str());
      const std::string full = name + "." + key;
      const std::size_t line = v.source().begin.line;
      if (secrets.count(key)) {
        out[key] = secret_value(v, full, line);
      } else if (plain.count(key)) {
        if (key == "url" && v.is_table()) out[key] = secret_value(v, full, line);  // a URL with a password
        else if (key == "port" && v.is_integer()) out[key] = {std::to_string(integer(v, full, 1, 65535)), line, false, {}};
        else out[key] = {string(v, full), line, false, {}};
      } else {
        unknown(v, full);
      }
    }
  }

  // A secret, resolved now; when deferred, one that cannot be resolved keeps its reason instead.
  file_value secret_value(const toml::node& v, const std::string& key, std::size_t line) const {
    if (!defer_secrets_) return {secret(v, key, env_), line, true, {}};
    try {
      return {secret(v, key, env_), line, true, {}};
    } catch (const bad_config& e) {
      return {"", line, true, e.message};
    }
  }

  const env_lookup& env_;
  bool defer_secrets_;
};

}  // namespace

result<connection_file_settings> connections_from_toml(const toml::table& root, std::string_view source, const env_lookup& env) {
  return read_guarded([&] { return connection_reader(source, env, true).read(root); });
}

result<connection_file_settings> parse_connection_config(std::string_view text, std::string_view source, const env_lookup& env) {
  return read_toml(text, source, [&](const toml::table& root) { return connection_reader(source, env).read(root); });
}


}  // namespace linemgr::io
