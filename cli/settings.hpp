#pragma once
// Where every setting comes from: flag > environment > configuration file > default. The
// environment names are those the Python integrations' deployments already set.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "io/connection_config.hpp"

namespace linemgr::cli {

// A setting's effective value and where it came from ("--flag", "env NAME", "file PATH:LINE",
// "default"). Secret values are never printed (see shown()).
struct resolved {
  std::string value, source;
  bool secret = false;
  // The value as it may be shown: secrets masked, a password in a URL masked.
  std::string shown() const;
};

// The configuration file's connection tables ([os2mo], [amqp]); empty without a file.
struct file_connections {
  std::optional<std::string> path;
  connection_file_settings tables;
};
file_connections read_file_connections(const std::string& config_flag);

// One connection setting: its name in `config show`, its flag, the environment variables that
// set it (the Python integrations' names, first wins), its key in the file's table, its default.
struct connection_setting {
  std::string key;  // "os2mo.url": table "os2mo", file key "url"
  std::string flag;
  std::vector<std::string> env;
  std::string fallback;
  bool secret = false;
};
// Every OS2mo and AMQP connection setting, in the order `config show` lists them.
const std::vector<connection_setting>& connection_settings();

// The setting `key` (see connection_settings): `flag_value` when given, else the first set
// environment variable, else the file's value, else the default.
resolved resolve(const std::string& key, const file_connections& file, const std::string& flag_value = {});

// DRY_RUN from the environment (the gatekeeper's switch): true, false, or not set.
std::optional<bool> env_dry_run();

// linemgr config show|check.
struct config_options {
  std::string action;  // show, check
  std::string config;
  output_format format = output_format::automatic;
};
int config_command(const config_options& o);

}  // namespace linemgr::cli
