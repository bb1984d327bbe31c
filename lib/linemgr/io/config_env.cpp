#include <linemgr/io/config_env.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include <linemgr/io/json_internal.hpp>

namespace linemgr::io {

namespace {

struct list_setting {
  const char* variable;
  const char* key;
  std::vector<std::string> config::hierarchy_t::*field;
};

const list_setting list_settings[] = {
    {"LINE_MANAGEMENT_TOP_LEVEL_UUIDS", "hierarchy.top_level", &config::hierarchy_t::top_level},
    {"HIDDEN", "hierarchy.hidden_roots", &config::hierarchy_t::hidden_roots},
    {"SELF_OWNED_ROOT_UNITS", "hierarchy.self_owned_roots", &config::hierarchy_t::self_owned_roots},
    {"EXTERNAL_ROOT_UNITS", "hierarchy.external_roots", &config::hierarchy_t::external_roots},
    {"HIDDEN_ENGAGEMENT_TYPES", "hierarchy.hidden_engagement_types", &config::hierarchy_t::hidden_engagement_types},
};

struct class_setting {
  const char* prefix;
  const char* key;
  std::string config::hierarchy_t::classes_t::*field;
};

const class_setting class_settings[] = {
    {"LINE_MANAGEMENT", "hierarchy.classes.line_management", &config::hierarchy_t::classes_t::line_management},
    {"SELF_OWNED", "hierarchy.classes.self_owned", &config::hierarchy_t::classes_t::self_owned},
    {"EXTERNAL", "hierarchy.classes.external", &config::hierarchy_t::classes_t::external},
    {"HIDDEN", "hierarchy.classes.hidden", &config::hierarchy_t::classes_t::hidden},
};

result<std::vector<std::string>> json_strings(const std::string& variable, const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  auto bad = [&] {
    return error{error_kind::config, fmt::format("environment {}: expected a JSON list of strings such as [\"0b5e…\", \"9f2a…\"], got {}",
                                                 variable, text)};
  };
  if (doc.HasParseError() || !doc.IsArray()) return bad();
  std::vector<std::string> out;
  for (const auto& v : doc.GetArray()) {
    if (!v.IsString()) return bad();
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

}  // namespace


std::optional<bool> parse_env_bool(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (value == "true" || value == "1" || value == "yes" || value == "on" || value == "y" || value == "t") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off" || value == "n" || value == "f") return false;
  return std::nullopt;
}

const std::vector<std::string>& config_env_variables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& s : list_settings) n.push_back(s.variable);
    n.push_back("ENABLE_HIDE_LOGIC");
    n.push_back("LINE_MANAGEMENT_EXCLUDE_MANAGER_ENGAGEMENTS");
    for (const auto& c : class_settings) {
      n.push_back(std::string(c.prefix) + "_UUID");
      n.push_back(std::string(c.prefix) + "_USER_KEY");
    }
    return n;
  }();
  return names;
}

result<std::vector<env_setting>> apply_config_env(config& cfg, const env_lookup& env) {
  std::vector<env_setting> set;
  for (const auto& s : list_settings) {
    const auto v = env(s.variable);
    if (!v) continue;
    auto list = json_strings(s.variable, *v);
    if (!list) return list.err();
    cfg.hierarchy.*s.field = std::move(*list);
    set.push_back({s.key, s.variable});
  }
  if (const auto v = env("ENABLE_HIDE_LOGIC")) {
    const auto b = parse_env_bool(*v);
    if (!b) return error{error_kind::config, fmt::format("environment ENABLE_HIDE_LOGIC: expected true or false, got {}", *v)};
    cfg.hierarchy.enable_hide_logic = *b;
    set.push_back({"hierarchy.enable_hide_logic", "ENABLE_HIDE_LOGIC"});
  }
  if (const auto v = env("LINE_MANAGEMENT_EXCLUDE_MANAGER_ENGAGEMENTS")) {
    if (*v == "any_unit") cfg.hierarchy.exclude_manager_engagements = exclude_managers::any_unit;
    else if (*v == "same_unit") cfg.hierarchy.exclude_manager_engagements = exclude_managers::same_unit;
    else if (*v == "off") cfg.hierarchy.exclude_manager_engagements = exclude_managers::off;
    else if (const auto b = parse_env_bool(*v))  // the gatekeeper's boolean: any current manager role, in any unit
      cfg.hierarchy.exclude_manager_engagements = *b ? exclude_managers::any_unit : exclude_managers::off;
    else
      return error{error_kind::config,
                   fmt::format("environment LINE_MANAGEMENT_EXCLUDE_MANAGER_ENGAGEMENTS: expected true, false, off, any_unit "
                               "or same_unit, got {}",
                               *v)};
    set.push_back({"hierarchy.exclude_manager_engagements", "LINE_MANAGEMENT_EXCLUDE_MANAGER_ENGAGEMENTS"});
  }
  for (const auto& c : class_settings) {
    const std::string uuid_var = std::string(c.prefix) + "_UUID", key_var = std::string(c.prefix) + "_USER_KEY";
    if (const auto u = env(uuid_var)) {
      cfg.hierarchy.classes.*c.field = *u;  // the uuid wins, as in the gatekeeper
      set.push_back({c.key, uuid_var});
    } else if (const auto k = env(key_var)) {
      cfg.hierarchy.classes.*c.field = *k;
      set.push_back({c.key, key_var});
    }
  }
  return set;
}

}  // namespace linemgr::io
