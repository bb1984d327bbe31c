#pragma once
#include <linemgr/io/files.hpp>
// Internal to the TOML readers (rules configuration, webhook sinks): typed access to TOML
// nodes whose failures name the file, the line and the key.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <linemgr/core/result.hpp>
#include <linemgr/io/environment.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// Thrown by toml_reader; the caller turns it into an error of kind config.
struct bad_config {
  std::string message;
};

// Reads typed values out of TOML nodes of the file `source`.
class toml_reader {
 public:
  explicit toml_reader(std::string_view source) : source_(source) {}

  // Throws bad_config "source:line: key: what".
  [[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& what) const {
    throw bad_config{fmt::format("{}:{}: {}: {}", source_, n.source().begin.line, key, what)};
  }
  [[noreturn]] void unknown(const toml::node& n, const std::string& key) const {
    fail(n, key, "unknown key (check its spelling; see doc/formats.md §2 for the keys)");
  }
  static const char* type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::table: return "a table";
      case toml::node_type::array: return "an array";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a number";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::string: return "a string";
      default: return "a date or time";
    }
  }
  const toml::table& table(const toml::node& n, const std::string& key) const {
    if (!n.is_table()) fail(n, key, fmt::format("expected a table, got {}", type_name(n)));
    return *n.as_table();
  }
  std::string string(const toml::node& n, const std::string& key) const {
    if (!n.is_string()) fail(n, key, fmt::format("expected a string, got {}", type_name(n)));
    return n.as_string()->get();
  }
  bool boolean(const toml::node& n, const std::string& key) const {
    if (!n.is_boolean()) fail(n, key, "expected true or false");
    return n.as_boolean()->get();
  }
  std::int64_t integer(const toml::node& n, const std::string& key, std::int64_t low, std::int64_t high) const {
    if (!n.is_integer()) fail(n, key, fmt::format("expected a whole number, got {}", type_name(n)));
    const std::int64_t v = n.as_integer()->get();
    if (v < low || v > high) fail(n, key, fmt::format("{} is out of range ({} .. {})", v, low, high));
    return v;
  }
  // An array of strings; a single string is taken as a list of one when `single_ok`.
  std::vector<std::string> strings(const toml::node& n, const std::string& key, bool single_ok = false) const {
    if (single_ok && n.is_string()) return {n.as_string()->get()};
    if (!n.is_array()) fail(n, key, "expected an array of strings");
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const toml::node& item : *n.as_array()) out.push_back(string(item, fmt::format("{}[{}]", key, i++)));
    return out;
  }
  template <class E>
  E choice(const toml::node& n, const std::string& key, std::initializer_list<std::pair<const char*, E>> options) const {
    const std::string v = string(n, key);
    std::string names;
    for (const auto& [name, e] : options) {
      if (v == name) return e;
      names += names.empty() ? name : fmt::format(" | {}", name);
    }
    fail(n, key, fmt::format("\"{}\" is not one of {}", v, names));
  }
  // A secret: { env = "NAME" } or { file = "/path" } with an optional prefix, never written inline.
  // Resolved now: a variable that is not set or a file that cannot be read is an error.
  std::string secret(const toml::node& n, const std::string& key, const env_lookup& env) const {
    if (!n.is_table())
      fail(n, key, "secrets are not written in the configuration file: use { env = \"NAME\" } or { file = \"/path\" }");
    std::string env_name, file, prefix;
    for (auto&& [k, v] : *n.as_table()) {
      const std::string sub = fmt::format("{}.{}", key, k.str());
      if (k.str() == "env") env_name = string(v, sub);
      else if (k.str() == "file") file = string(v, sub);
      else if (k.str() == "prefix") prefix = string(v, sub);
      else unknown(v, sub);
    }
    if (env_name.empty() == file.empty()) fail(n, key, "name exactly one of env or file");
    std::string value;
    if (!env_name.empty()) {
      const auto got = env(env_name);
      if (!got || got->empty()) fail(n, key, fmt::format("the environment variable {} is not set", env_name));
      value = *got;
    } else {
      const auto got = read_secret_file(file);
      if (!got) fail(n, key, fmt::format("cannot read the secret file {}", file));
      if (got->empty()) fail(n, key, fmt::format("the secret file {} is empty", file));
      value = *got;
    }
    return prefix + value;
  }
  std::string_view source() const { return source_; }

 private:
  std::string_view source_;
};

// Runs a reader (which may throw bad_config) and returns its value, or the error as kind config.
template <class F>
auto read_guarded(F&& read) -> result<decltype(read())> {
  try {
    return read();
  } catch (const bad_config& e) {
    return error{error_kind::config, e.message};
  }
}

// Parses TOML text; a syntax error is of kind config and names source:line:column.
inline result<toml::table> parse_toml(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return error{error_kind::config, fmt::format("{}:{}:{}: not valid TOML: {}", source, e.source().begin.line,
                                                 e.source().begin.column, e.description())};
  }
}

// Parses TOML text and runs `read(table)` over it: the one path of every configuration reader.
template <class F>
auto read_toml(std::string_view text, std::string_view source, F&& read) -> result<decltype(read(std::declval<const toml::table&>()))> {
  auto table = parse_toml(text, source);
  if (!table) return table.err();
  return read_guarded([&] { return read(*table); });
}

// The text of a configuration file; a missing or unreadable file, a directory, or one over 4 MiB is a
// configuration error (kind config), found before any work.
inline result<std::string> read_config_text(const std::string& path) {
  return read_input_file(path, "configuration file", error_kind::config, std::size_t{4} << 20);
}

}  // namespace linemgr::io
