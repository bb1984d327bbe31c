#pragma once
// What the CLI takes from its environment: the clock, the terminal, configuration paths.
#include <optional>
#include <string>

#include "core/date.hpp"

namespace linemgr::cli {

// Today's date in Europe/Copenhagen (rules.md G1).
day today_in_copenhagen();
// True when standard output is a terminal.
bool stdout_is_terminal();
// True when standard error is a terminal.
bool stderr_is_terminal();
// The first existing default configuration file: $LINEMGR_CONFIG, then
// $XDG_CONFIG_HOME/linemgr/config.toml (or ~/.config/…), then /etc/linemgr/config.toml.
std::optional<std::string> default_config_path();

}  // namespace linemgr::cli
