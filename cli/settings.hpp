#pragma once
// Where every setting comes from: flag > environment > configuration file > default. The
// environment names are those the Python integrations' deployments already set.
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

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

// flag > the first set environment variable of `env_names` > the file's `table`.`key` > default.
resolved pick(const std::string& flag_value, std::string_view flag_name, std::initializer_list<const char*> env_names,
              const file_connections& file, const std::map<std::string, file_value>& table, const std::string& key,
              std::string default_value = {}, bool secret = false);

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
