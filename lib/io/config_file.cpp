#include "io/config_file.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "io/toml_reader.hpp"

namespace linemgr {

namespace {

class config_reader : toml_reader {
 public:
  config_reader(std::string_view source, config& cfg) : toml_reader(source), cfg_(cfg) {}

  void read(const toml::table& root) {
    for (auto&& [k, v] : root) {
      const std::string key(k.str());
      if (key == "modules") modules(v);
      else if (key == "hierarchy") hierarchy(table(v, key));
      else if (key == "managers") managers(table(v, key));
      else if (key == "validity") validity(table(v, key));
      else if (key == "elevation") elevation(table(v, key));
      else if (key == "os2mo" || key == "amqp" || key == "webhook" || key == "webhooks") continue;  // read by their adapters
      else unknown(v, key);
    }
  }

 private:
  void modules(const toml::node& n) {
    cfg_.modules = {false, false, false, false};
    std::size_t i = 0;
    for (const std::string& m : strings(n, "modules")) {
      const std::string key = fmt::format("modules[{}]", i++);
      if (m == "hierarchy") cfg_.modules.hierarchy = true;
      else if (m == "managers") cfg_.modules.managers = true;
      else if (m == "validity") cfg_.modules.validity = true;
      else if (m == "elevation") cfg_.modules.elevation = true;
      else fail(n, key, fmt::format("\"{}\" is not a module (hierarchy | managers | validity | elevation)", m));
    }
  }

  void hierarchy(const toml::table& t) {
    auto& h = cfg_.hierarchy;
    for (auto&& [k, v] : t) {
      const std::string key = fmt::format("hierarchy.{}", k.str());
      const std::string_view name = k.str();
      if (name == "top_level") h.top_level = strings(v, key);
      else if (name == "hidden_roots") h.hidden_roots = strings(v, key);
      else if (name == "self_owned_roots") h.self_owned_roots = strings(v, key);
      else if (name == "external_roots") h.external_roots = strings(v, key);
      else if (name == "enable_hide_logic") h.enable_hide_logic = boolean(v, key);
      else if (name == "count_associations") h.count_associations = boolean(v, key);
      else if (name == "hidden_engagement_types") h.hidden_engagement_types = strings(v, key);
      else if (name == "exclude_manager_engagements")
        h.exclude_manager_engagements = choice<exclude_managers>(
            v, key, {{"off", exclude_managers::off}, {"any_unit", exclude_managers::any_unit}, {"same_unit", exclude_managers::same_unit}});
      else if (name == "levels") {
        h.levels.clear();
        std::size_t i = 0;
        for (const std::string& src : strings(v, key)) {
          try {
            h.levels.push_back({src, std::regex(src, std::regex::ECMAScript)});
          } catch (const std::regex_error& e) {
            fail(v, fmt::format("{}[{}]", key, i), fmt::format("invalid regex \"{}\": {}", src, e.what()));
          }
          ++i;
        }
      } else if (name == "classes") {
        for (auto&& [ck, cv] : table(v, key)) {
          const std::string ckey = fmt::format("{}.{}", key, ck.str());
          auto& c = h.classes;
          const std::string_view cname = ck.str();
          std::string* slot = cname == "line_management" ? &c.line_management
                              : cname == "self_owned"    ? &c.self_owned
                              : cname == "external"      ? &c.external
                              : cname == "hidden"        ? &c.hidden
                              : cname == "outside"       ? &c.outside
                                                         : nullptr;
          if (!slot) unknown(cv, ckey);
          *slot = string(cv, ckey);
          if (slot->empty()) fail(cv, ckey, "a class value cannot be empty");
        }
      } else unknown(v, key);
    }
  }

  void managers(const toml::table& t) {
    auto& m = cfg_.managers;
    for (auto&& [k, v] : t) {
      const std::string key = fmt::format("managers.{}", k.str());
      const std::string_view name = k.str();
      if (name == "leder_suffix") m.leder_suffix = string(v, key);
      else if (name == "excluded_prefix") m.excluded_prefix = string(v, key);
      else if (name == "led_adm_suffix") m.led_adm_suffix = string(v, key);
      else if (name == "manager_type") m.manager_type = string(v, key);
      else if (name == "responsibilities") m.responsibilities = strings(v, key);
      else if (name == "update_level_on_mismatch") m.update_level_on_mismatch = boolean(v, key);
      else if (name == "tie_policy")
        m.ties = choice<tie_policy>(v, key, {{"skip_unit", tie_policy::skip_unit}, {"lowest_person_id", tie_policy::lowest_person_id}});
      else if (name == "termination_scope")
        m.termination = choice<termination_scope>(v, key, {{"managed_units", termination_scope::managed_units},
                                                            {"all_managers", termination_scope::all_managers},
                                                            {"none", termination_scope::none}});
      else if (name == "level_mapping") {
        m.level_mapping.clear();
        for (auto&& [lk, lv] : table(v, key))
          m.level_mapping.emplace_back(std::string(lk.str()), string(lv, fmt::format("{}.\"{}\"", key, lk.str())));
      } else unknown(v, key);
    }
    if (m.leder_suffix.empty()) throw bad_config{fmt::format("{}: managers.leder_suffix: cannot be empty", source())};
  }

  void validity(const toml::table& t) {
    auto& v = cfg_.validity;
    for (auto&& [k, n] : t) {
      const std::string key = fmt::format("validity.{}", k.str());
      const std::string_view name = k.str();
      if (name == "action")
        v.action = choice<validity_action>(n, key, {{"terminate", validity_action::terminate}, {"vacate", validity_action::vacate}});
      else if (name == "engagement_scope")
        v.scope = choice<engagement_scope>(n, key, {{"any_unit", engagement_scope::any_unit}, {"same_unit", engagement_scope::same_unit}});
      else if (name == "ignored_engagement_types") v.ignored_engagement_types = strings(n, key);
      else unknown(n, key);
    }
  }

  void elevation(const toml::table& t) {
    auto& e = cfg_.elevation;
    for (auto&& [k, n] : t) {
      const std::string key = fmt::format("elevation.{}", k.str());
      const std::string_view name = k.str();
      if (name == "terminate_others")
        e.others = choice<terminate_others>(n, key, {{"none", terminate_others::none}, {"same_type", terminate_others::same_type}, {"all", terminate_others::all}});
      else if (name == "move")
        e.move = choice<move_policy>(n, key, {{"never", move_policy::never}, {"if_not_in_unit", move_policy::if_not_in_unit}, {"always", move_policy::always}});
      else if (name == "window_days") {
        e.window_days = static_cast<int>(integer(n, key, -1, 100000));
      } else unknown(n, key);
    }
  }

  config& cfg_;
};

}  // namespace

result<config> parse_config(std::string_view text, std::string_view source) {
  config cfg;
  try {
    const toml::table root = toml::parse(text, source);
    config_reader(source, cfg).read(root);
  } catch (const toml::parse_error& e) {
    return error{error_kind::config, fmt::format("{}:{}:{}: not valid TOML: {}", source, e.source().begin.line,
                                                 e.source().begin.column, e.description())};
  } catch (const bad_config& e) {
    return error{error_kind::config, e.message};
  }
  return cfg;
}

result<config> read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error{error_kind::io, fmt::format("{}: cannot read the configuration file", path)};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace linemgr
