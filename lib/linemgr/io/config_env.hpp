#pragma once
// The rules settings the Python organisation-gatekeeper reads from its environment, read the
// same way here so that its deployment keeps working: they override the configuration file.
#include <string>
#include <vector>

#include <linemgr/core/config.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/io/environment.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// One rules key set from the environment.
struct env_setting {
  std::string key;       // the configuration key, e.g. hierarchy.top_level
  std::string variable;  // the environment variable it came from
};

// Applies LINE_MANAGEMENT_TOP_LEVEL_UUIDS, HIDDEN, SELF_OWNED_ROOT_UNITS, EXTERNAL_ROOT_UNITS,
// HIDDEN_ENGAGEMENT_TYPES (JSON lists of strings), ENABLE_HIDE_LOGIC,
// LINE_MANAGEMENT_EXCLUDE_MANAGER_ENGAGEMENTS (booleans; the latter also off | any_unit |
// same_unit) and the class settings LINE_MANAGEMENT_, SELF_OWNED_, EXTERNAL_, HIDDEN_ with
// _UUID (wins) or _USER_KEY. Returns what was set; a value that does not parse is an error of
// kind config naming the variable and the expected form.
result<std::vector<env_setting>> apply_config_env(config& cfg, const env_lookup& env);

// A boolean as pydantic reads one from the environment: true/false, 1/0, yes/no, on/off.
std::optional<bool> parse_env_bool(std::string value);

// The environment variables apply_config_env reads.
const std::vector<std::string>& config_env_variables();

}  // namespace linemgr::io
