#include <linemgr/core/explain.hpp>

#include <fmt/format.h>

#include <linemgr/core/planner_internal.hpp>
#include <linemgr/core/rules_internal.hpp>
#include <linemgr/core/text.hpp>

namespace linemgr::core {

result<std::string> unit_argument(const snapshot& snap, std::string_view id_or_user_key) {
  if (snap.units.ids.find(id_or_user_key) != no_index) return std::string(id_or_user_key);
  std::vector<index_t> named;
  for (index_t i = 0; i < snap.units.size(); ++i)
    if (snap.unit_infos[i].user_key == id_or_user_key) named.push_back(i);
  if (named.empty()) return std::string(id_or_user_key);
  if (named.size() == 1) return std::string(snap.units.records[named.front()].id);
  std::vector<std::pair<std::string, std::string>> units;
  for (const index_t u : named) units.emplace_back(snap.units.records[u].id, snap.unit_name(u));
  return ambiguous_user_key(id_or_user_key, units);
}

error ambiguous_user_key(std::string_view user_key, const std::vector<std::pair<std::string, std::string>>& units) {
  std::string list;
  for (std::size_t i = 0; i < units.size() && i < 10; ++i) list += fmt::format("{}{} ({})", i ? ", " : "", units[i].first, units[i].second);
  if (units.size() > 10) list += fmt::format(" and {} more", units.size() - 10);
  return error{error_kind::usage,
               fmt::format("{} units have the user_key \"{}\": {}; give the id of the one you mean", units.size(), user_key, list)};
}

std::optional<unit_explanation> explain_unit(const snapshot& snap, const config& cfg, day today, std::string_view unit_id) {
  index_t u = snap.units.ids.find(unit_id);
  for (index_t i = 0; u == no_index && i < snap.units.size(); ++i)
    if (snap.unit_infos[i].user_key == unit_id) u = i;
  if (u == no_index) return std::nullopt;
  unit_id = snap.units.records[u].id;
  planner_state state;
  const plan full = make_plan_detailed(snap, cfg, today, &state);
  const snapshot& virt = state.virt;

  unit_explanation x;
  x.unit = u;
  x.planned = scope_plan(snap, cfg, full, unit_id);
  std::vector<diagnostic> ignored;
  const class_resolver classes(virt);
  const unit_tree tree = build_tree(virt, today, &ignored);
  const name_table normalized(virt);
  const rule_context ctx{virt, cfg, today, classes, tree, normalized, ignored};
  x.current = tree.current[u] != nullptr;
  x.in_cycle = tree.in_cycle[u] != 0;
  if (!x.current || x.in_cycle) return x;

  const unit_segment& seg = *tree.current[u];
  x.current_class = classes.output_of_ref(seg.klass, facet::org_unit_hierarchy);
  for (index_t p = tree.parent[u]; p != no_index; p = tree.parent[p]) {
    x.ancestors.push_back(p);
    if (x.top_level_ancestor == no_index)
      for (const std::string& t : cfg.hierarchy.top_level)
        if (virt.units.records[p].id == t) x.top_level_ancestor = p;
  }
  x.level = std::string(classes.level_key(seg.level));

  const hierarchy_eval ev = evaluate_hierarchy(ctx);
  x.target_class = classes.output_of_value(class_value(cfg, ev.target[u]), facet::org_unit_hierarchy);
  x.level_ok = ev.level_ok[u];
  x.people_ok = ev.people_ok[u];
  x.root_cause = ev.root_cause[u];
  switch (ev.rule[u]) {
    case class_rule::hidden_root: x.rule = "H3"; x.rule_text = "the unit or an ancestor is a hidden root"; break;
    case class_rule::self_owned_root: x.rule = "H4"; x.rule_text = "the unit or an ancestor is a self-owned root"; break;
    case class_rule::external_root: x.rule = "H5"; x.rule_text = "the unit or an ancestor is an external root"; break;
    case class_rule::top_level: x.rule = "H6"; x.rule_text = "the unit is a configured top-level unit"; break;
    case class_rule::own_check:
      x.rule = "H6.1";
      x.rule_text = "its level matches, it has people, and an ancestor is top-level";
      break;
    case class_rule::propagation: x.rule = "H6.4"; x.rule_text = "a child is line management"; break;
    case class_rule::stored: x.rule = "stored"; x.rule_text = "its subtree was not read: its stored class counts"; break;
    default:
      x.rule = "H8";
      x.rule_text = x.top_level_ancestor == no_index ? "no ancestor is a top-level unit, and no child is line management"
                    : !x.level_ok ? "its level does not match hierarchy.levels, and no child is line management"
                                  : "no counted engagement or association, and no child is line management";
  }
  if (!cfg.modules.hierarchy) x.rule_text += " (the hierarchy module is off)";

  const current_appointments appointments = find_current_appointments(virt, today);
  for (index_t e = 0; e < virt.engagements.size(); ++e) {
    const engagement_segment* s = virt.engagements.active_at(e, today);
    if (!s || s->unit != u) continue;
    const char* why = engagement_excluded(ctx, *s, appointments);
    x.engagements.push_back({e, s->person, why ? why : ""});
  }
  for (index_t a = 0; a < virt.associations.size(); ++a) {
    const association_segment* s = virt.associations.active_at(a, today);
    if (s && s->unit == u) x.associations.push_back(a);
  }
  const std::string suffix = normalize_name(cfg.managers.leder_suffix);
  const std::string prefix = normalize_name(cfg.managers.excluded_prefix);
  for (index_t c : tree.children(u)) {
    if (ev.target[c] == unit_class::line_management) x.line_children.push_back(c);
    if (ends_with(normalized[c], suffix) && !starts_with(normalized[c], prefix)) {
      leder_note note{c, {}};
      for (index_t a = 0; a < snap.associations.size(); ++a) {  // designations as they stand, before S
        const association_segment* s = snap.associations.active_at(a, today);
        if (s && s->unit == c) note.associations.push_back(a);
      }
      x.leder_children.push_back(std::move(note));
    }
  }
  for (index_t m = 0; m < snap.managers.size(); ++m) {  // input managers; created ones show in `planned`
    const manager_segment* s = virt.managers.active_at(m, today);
    if (s && s->unit == u) x.managers.push_back(m);
  }
  return x;
}

}  // namespace linemgr::core
