#include <linemgr/io/config_file.hpp>
#include <linemgr/io/pattern.hpp>


#include <fmt/format.h>
#include <toml++/toml.h>

#include <linemgr/io/config_tables_internal.hpp>
#include <linemgr/io/toml_reader_internal.hpp>

namespace linemgr::io {

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
      else if (key == "safety") safety(table(v, key));
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
          auto compiled = compile_pattern(src);
          if (!compiled) fail(v, fmt::format("{}[{}]", key, i), compiled.err().message);
          h.levels.push_back({src, *compiled});
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

  void safety(const toml::table& t) {
    auto& s = cfg_.safety;
    for (auto&& [k, n] : t) {
      const std::string key = fmt::format("safety.{}", k.str());
      const std::string_view name = k.str();
      if (name == "max_changes") s.max_changes = static_cast<std::size_t>(integer(n, key, 0, 100000000));
      else if (name == "max_class_changes_percent") s.max_class_changes_percent = static_cast<std::size_t>(integer(n, key, 0, 100));
      else if (name == "max_managers_ended") s.max_managers_ended = static_cast<std::size_t>(integer(n, key, 0, 100000000));
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

result<config> config_from_toml(const toml::table& root, std::string_view source) {
  return read_guarded([&] {
    config cfg;
    config_reader(source, cfg).read(root);
    return cfg;
  });
}

result<config> parse_config(std::string_view text, std::string_view source) {
  return read_toml(text, source, [&](const toml::table& root) {
    config cfg;
    config_reader(source, cfg).read(root);
    return cfg;
  });
}

result<config> read_config_file(const std::string& path) {
  auto text = read_config_text(path);
  if (!text) return text.err();
  return parse_config(*text, path);
}

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quoted(items[i]);
  return out + "]";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> config_entries(const config& cfg) {
  std::vector<std::pair<std::string, std::string>> e;
  std::vector<std::string> modules;
  for (const auto& [on, name] : {std::pair{cfg.modules.hierarchy, "hierarchy"}, {cfg.modules.managers, "managers"},
                                 {cfg.modules.validity, "validity"}, {cfg.modules.elevation, "elevation"}})
    if (on) modules.emplace_back(name);
  e.emplace_back("modules", list(modules));
  const auto& h = cfg.hierarchy;
  e.emplace_back("hierarchy.top_level", list(h.top_level));
  e.emplace_back("hierarchy.hidden_roots", list(h.hidden_roots));
  e.emplace_back("hierarchy.self_owned_roots", list(h.self_owned_roots));
  e.emplace_back("hierarchy.external_roots", list(h.external_roots));
  e.emplace_back("hierarchy.enable_hide_logic", h.enable_hide_logic ? "true" : "false");
  std::vector<std::string> levels;
  for (const auto& l : h.levels) levels.push_back(l.source);
  e.emplace_back("hierarchy.levels", list(levels));
  e.emplace_back("hierarchy.hidden_engagement_types", list(h.hidden_engagement_types));
  e.emplace_back("hierarchy.exclude_manager_engagements",
                 quoted(h.exclude_manager_engagements == exclude_managers::off        ? "off"
                        : h.exclude_manager_engagements == exclude_managers::any_unit ? "any_unit"
                                                                                      : "same_unit"));
  e.emplace_back("hierarchy.count_associations", h.count_associations ? "true" : "false");
  e.emplace_back("hierarchy.classes.line_management", quoted(h.classes.line_management));
  e.emplace_back("hierarchy.classes.self_owned", quoted(h.classes.self_owned));
  e.emplace_back("hierarchy.classes.external", quoted(h.classes.external));
  e.emplace_back("hierarchy.classes.hidden", quoted(h.classes.hidden));
  e.emplace_back("hierarchy.classes.outside", quoted(h.classes.outside));
  const auto& m = cfg.managers;
  e.emplace_back("managers.leder_suffix", quoted(m.leder_suffix));
  e.emplace_back("managers.excluded_prefix", quoted(m.excluded_prefix));
  e.emplace_back("managers.led_adm_suffix", quoted(m.led_adm_suffix));
  e.emplace_back("managers.manager_type", quoted(m.manager_type));
  e.emplace_back("managers.responsibilities", list(m.responsibilities));
  e.emplace_back("managers.tie_policy", quoted(m.ties == tie_policy::skip_unit ? "skip_unit" : "lowest_person_id"));
  e.emplace_back("managers.termination_scope", quoted(m.termination == termination_scope::managed_units ? "managed_units"
                                                      : m.termination == termination_scope::all_managers ? "all_managers"
                                                                                                         : "none"));
  e.emplace_back("managers.update_level_on_mismatch", m.update_level_on_mismatch ? "true" : "false");
  for (const auto& [unit_level, manager_level] : m.level_mapping)
    e.emplace_back("managers.level_mapping." + quoted(unit_level), quoted(manager_level));
  e.emplace_back("validity.action", quoted(cfg.validity.action == validity_action::terminate ? "terminate" : "vacate"));
  e.emplace_back("validity.engagement_scope", quoted(cfg.validity.scope == engagement_scope::any_unit ? "any_unit" : "same_unit"));
  e.emplace_back("validity.ignored_engagement_types", list(cfg.validity.ignored_engagement_types));
  e.emplace_back("elevation.terminate_others", quoted(cfg.elevation.others == terminate_others::none        ? "none"
                                                      : cfg.elevation.others == terminate_others::same_type ? "same_type"
                                                                                                            : "all"));
  e.emplace_back("elevation.move", quoted(cfg.elevation.move == move_policy::never            ? "never"
                                          : cfg.elevation.move == move_policy::if_not_in_unit ? "if_not_in_unit"
                                                                                              : "always"));
  e.emplace_back("elevation.window_days", std::to_string(cfg.elevation.window_days));
  e.emplace_back("safety.max_changes", std::to_string(cfg.safety.max_changes));
  e.emplace_back("safety.max_class_changes_percent", std::to_string(cfg.safety.max_class_changes_percent));
  e.emplace_back("safety.max_managers_ended", std::to_string(cfg.safety.max_managers_ended));
  return e;
}

}  // namespace linemgr::io
