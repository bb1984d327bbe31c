#include "io/connection_config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "io/toml_reader.hpp"

namespace linemgr {

namespace {

class connection_reader : toml_reader {
 public:
  connection_reader(std::string_view source, const env_lookup& env) : toml_reader(source), env_(env) {}

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
        out[key] = {secret(v, full, env_), line, true};
      } else if (plain.count(key)) {
        if (key == "url" && v.is_table()) out[key] = {secret(v, full, env_), line, true};  // a URL with a password
        else if (key == "port" && v.is_integer()) out[key] = {std::to_string(integer(v, full, 1, 65535)), line, false};
        else out[key] = {string(v, full), line, false};
      } else {
        unknown(v, full);
      }
    }
  }

  const env_lookup& env_;
};

}  // namespace

result<connection_file_settings> parse_connection_config(std::string_view text, std::string_view source, const env_lookup& env) {
  try {
    const toml::table root = toml::parse(text, source);
    return connection_reader(source, env).read(root);
  } catch (const toml::parse_error& e) {
    return error{error_kind::config, fmt::format("{}:{}:{}: not valid TOML: {}", source, e.source().begin.line,
                                                 e.source().begin.column, e.description())};
  } catch (const bad_config& e) {
    return error{error_kind::config, e.message};
  }
}

result<connection_file_settings> read_connection_config_file(const std::string& path, const env_lookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error{error_kind::io, fmt::format("{}: cannot read the configuration file", path)};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_connection_config(text.str(), path, env);
}

}  // namespace linemgr
