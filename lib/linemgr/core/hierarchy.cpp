// H: hierarchy classification (doc/rules.md §2).
#include <algorithm>
#include <array>
#include <string>

#include <linemgr/core/rules_internal.hpp>

namespace linemgr::core {

bool current_appointments::in_unit(index_t person, index_t unit) const {
  return std::binary_search(pairs.begin(), pairs.end(), std::make_pair(person, unit));
}

current_appointments find_current_appointments(const snapshot& snap, day today) {
  current_appointments out;
  out.anywhere.assign(snap.persons.size(), 0);
  for (index_t m = 0; m < snap.managers.size(); ++m) {
    const manager_segment* s = snap.managers.active_at(m, today);
    if (!s || s->person == no_index) continue;
    out.anywhere[s->person] = 1;
    out.pairs.emplace_back(s->person, s->unit);
  }
  std::sort(out.pairs.begin(), out.pairs.end());
  return out;
}

const char* engagement_excluded(const rule_context& ctx, const engagement_segment& s,
                                const current_appointments& appointments) {
  const auto& h = ctx.cfg.hierarchy;
  if (ctx.classes.matches_any(h.hidden_engagement_types, s.type, facet::engagement_type))
    return "its type is a hidden engagement type";
  if (s.person == no_index) return nullptr;
  if (h.exclude_manager_engagements == exclude_managers::any_unit && appointments.anywhere[s.person])
    return "its person manages a unit (exclude_manager_engagements = any_unit)";
  if (h.exclude_manager_engagements == exclude_managers::same_unit && appointments.in_unit(s.person, s.unit))
    return "its person manages this unit (exclude_manager_engagements = same_unit)";
  return nullptr;
}

const std::string& class_value(const config& cfg, unit_class c) {
  const auto& k = cfg.hierarchy.classes;
  switch (c) {
    case unit_class::hidden: return k.hidden;
    case unit_class::self_owned: return k.self_owned;
    case unit_class::external: return k.external;
    case unit_class::line_management: return k.line_management;
    default: return k.outside;
  }
}

diagnostic unknown_configured_unit(const std::string& id) {
  return {"UNKNOWN_UNIT", severity::warn, id, "configured unit " + id + " is not in the snapshot"};
}

namespace {

// Marks the configured ids that name units; reports the others as UNKNOWN_UNIT, unless the
// snapshot is partial (a scope's part: a unit it lacks may be elsewhere).
std::vector<std::uint8_t> mark_units(const rule_context& ctx, const std::vector<std::string>& ids) {
  std::vector<std::uint8_t> marks(ctx.snap.units.size(), 0);
  for (const std::string& id : ids) {
    const index_t u = ctx.snap.units.ids.find(id);
    if (u == no_index) {
      if (!ctx.snap.partial) ctx.diags.push_back(unknown_configured_unit(id));
    } else {
      marks[u] = 1;
    }
  }
  return marks;
}

}  // namespace

hierarchy_eval evaluate_hierarchy(const rule_context& ctx) {
  const snapshot& snap = ctx.snap;
  const auto& h = ctx.cfg.hierarchy;
  const unit_tree& t = ctx.tree;
  const std::size_t n = snap.units.size();

  const auto top = mark_units(ctx, h.top_level);
  auto hidden = mark_units(ctx, h.hidden_roots);  // unknown ids are reported either way
  if (!h.enable_hide_logic) hidden.assign(hidden.size(), 0);
  const auto self_owned = mark_units(ctx, h.self_owned_roots);
  const auto external = mark_units(ctx, h.external_roots);

  hierarchy_eval ev;
  ev.target.assign(n, unit_class::none);
  ev.rule.assign(n, class_rule::none);
  ev.root_cause.assign(n, no_index);
  ev.level_ok.assign(n, 0);
  ev.people_ok.assign(n, 0);
  ev.below_top.assign(n, 0);
  ev.lm_child.assign(n, no_index);

  // Level check, cached per level reference.
  std::vector<std::int8_t> level_cache(snap.class_refs.size(), -1);
  auto level_ok = [&](index_t ref) {
    if (ref == no_index) return false;
    if (level_cache[ref] < 0) {
      const std::string key(ctx.classes.level_key(ref));
      bool ok = false;
      for (const level_pattern& p : h.levels)
        if (p.pattern && p.pattern->full_match(key)) ok = true;
      level_cache[ref] = ok ? 1 : 0;
    }
    return level_cache[ref] == 1;
  };

  // People: counted current engagements and current associations per unit.
  const current_appointments appointments = find_current_appointments(snap, ctx.today);
  for (index_t e = 0; e < snap.engagements.size(); ++e) {
    const engagement_segment* s = snap.engagements.active_at(e, ctx.today);
    if (!s || !t.usable(s->unit) || ev.people_ok[s->unit]) continue;
    if (!engagement_excluded(ctx, *s, appointments)) ev.people_ok[s->unit] = 1;
  }
  if (h.count_associations)
    for (index_t a = 0; a < snap.associations.size(); ++a) {
      const association_segment* s = snap.associations.active_at(a, ctx.today);
      if (s && t.usable(s->unit)) ev.people_ok[s->unit] = 1;
    }

  // Top-down: inherited roots and "a strict ancestor is top-level".
  for (index_t u : t.order) {
    const index_t p = t.parent[u];
    index_t hid = hidden[u] ? u : (p != no_index && ev.target[p] == unit_class::hidden ? ev.root_cause[p] : no_index);
    if (hid != no_index) {
      ev.target[u] = unit_class::hidden;
      ev.rule[u] = class_rule::hidden_root;
      ev.root_cause[u] = hid;
    }
    ev.below_top[u] = p != no_index && (top[p] || ev.below_top[p]);
    ev.level_ok[u] = level_ok(t.current[u]->level);
  }
  // Self-owned and external roots inherit independently of hidden (hidden wins only in precedence).
  std::vector<index_t> so_root(n, no_index), ex_root(n, no_index);
  for (index_t u : t.order) {
    const index_t p = t.parent[u];
    so_root[u] = self_owned[u] ? u : (p != no_index ? so_root[p] : no_index);
    ex_root[u] = external[u] ? u : (p != no_index ? ex_root[p] : no_index);
  }

  // Bottom-up: precedence, own check and propagation. A frozen unit (its subtree was not read)
  // keeps its stored class: it counts for its parent as it stands.
  std::array<class_keys, 5> configured;
  for (int c = 0; c < 5; ++c)
    configured[c] = ctx.classes.keys_of_value(class_value(ctx.cfg, static_cast<unit_class>(c)), facet::org_unit_hierarchy);
  for (auto it = t.order.rbegin(); it != t.order.rend(); ++it) {
    const index_t u = *it;
    if (snap.is_frozen(u)) {
      const class_keys stored = ctx.classes.keys_of_ref(t.current[u]->klass, facet::org_unit_hierarchy);
      ev.target[u] = unit_class::outside;
      for (int c = 0; c < 5; ++c)
        if (!stored.empty() && stored.intersects(configured[c])) {
          ev.target[u] = static_cast<unit_class>(c);
          break;
        }
      ev.rule[u] = class_rule::stored;
      continue;
    }
    if (ev.target[u] == unit_class::hidden) continue;
    if (so_root[u] != no_index) {
      ev.target[u] = unit_class::self_owned;
      ev.rule[u] = class_rule::self_owned_root;
      ev.root_cause[u] = so_root[u];
    } else if (ex_root[u] != no_index) {
      ev.target[u] = unit_class::external;
      ev.rule[u] = class_rule::external_root;
      ev.root_cause[u] = ex_root[u];
    } else if (top[u]) {
      ev.target[u] = unit_class::line_management;
      ev.rule[u] = class_rule::top_level;
    } else if (ev.level_ok[u] && ev.people_ok[u] && ev.below_top[u]) {
      ev.target[u] = unit_class::line_management;
      ev.rule[u] = class_rule::own_check;
    } else {
      for (index_t c : t.children(u))
        if (ev.target[c] == unit_class::line_management) {
          ev.lm_child[u] = c;
          break;
        }
      ev.target[u] = ev.lm_child[u] != no_index ? unit_class::line_management : unit_class::outside;
      ev.rule[u] = ev.lm_child[u] != no_index ? class_rule::propagation : class_rule::outside;
    }
  }
  return ev;
}

std::vector<change> run_hierarchy(const rule_context& ctx) {
  const snapshot& snap = ctx.snap;
  const auto& h = ctx.cfg.hierarchy;
  if (h.top_level.empty())
    ctx.diags.push_back({"NO_TOP_LEVEL", severity::warn, snap.organisation.empty() ? "organisation" : std::string(snap.organisation),
                         "hierarchy.top_level is empty: no unit can be line management"});

  // H9: resolve the five class values; an unresolved one gets no change.
  std::array<bool, 5> usable_class{};
  std::array<class_keys, 5> keys;
  std::array<std::string, 5> output;
  for (int c = 0; c < 5; ++c) {
    const std::string& v = class_value(ctx.cfg, static_cast<unit_class>(c));
    const bool resolved = ctx.classes.resolve_value(v, facet::org_unit_hierarchy) != no_index;
    usable_class[c] = resolved || !ctx.classes.has_classes_for(facet::org_unit_hierarchy);
    if (!usable_class[c])
      ctx.diags.push_back({"CLASS_UNRESOLVED", severity::error, v,
                           "hierarchy class " + v + " matches no class of facet org_unit_hierarchy"});
    keys[c] = ctx.classes.keys_of_value(v, facet::org_unit_hierarchy);
    output[c] = ctx.classes.output_of_value(v, facet::org_unit_hierarchy);
  }

  const hierarchy_eval ev = evaluate_hierarchy(ctx);
  std::vector<change> out;
  for (index_t u = 0; u < snap.units.size(); ++u) {
    const unit_class target = ev.target[u];
    if (target == unit_class::none || snap.is_frozen(u)) continue;
    const auto c = static_cast<std::size_t>(target);
    const unit_segment* cur = ctx.tree.current[u];
    const class_keys now = ctx.classes.keys_of_ref(cur->klass, facet::org_unit_hierarchy);
    if (!now.empty() && now.intersects(keys[c])) continue;
    if (!usable_class[c]) continue;

    change ch;
    ch.kind = op::set_unit_class;
    ch.unit = u;
    ch.klass = output[c];
    ch.was_null = cur->klass == no_index;
    if (!ch.was_null) ch.was = ctx.classes.output_of_ref(cur->klass, facet::org_unit_hierarchy);
    // H10: until the end of the unit's run of contiguous segments containing today.
    const auto segs = snap.units.segments_of(u);
    const std::size_t at = static_cast<std::size_t>(cur - segs.data());
    ch.span = {ctx.today, run_containing(segs, at, [](const unit_segment&, const unit_segment&) { return true; }).to};
    switch (ev.rule[u]) {
      case class_rule::hidden_root: ch.reason = "under hidden root " + ctx.unit_id(ev.root_cause[u]); break;
      case class_rule::self_owned_root: ch.reason = "under self-owned root " + ctx.unit_id(ev.root_cause[u]); break;
      case class_rule::external_root: ch.reason = "under external root " + ctx.unit_id(ev.root_cause[u]); break;
      case class_rule::top_level: ch.reason = "configured top-level unit"; break;
      case class_rule::own_check: ch.reason = "level, people and a top-level ancestor (H6.1)"; break;
      case class_rule::propagation: ch.reason = "child " + ctx.unit_id(ev.lm_child[u]) + " is line management (H6.4)"; break;
      default:
        ch.reason = !ev.below_top[u] ? "no top-level ancestor and no line-management child"
                    : !ev.level_ok[u] ? "level does not match hierarchy.levels and no line-management child"
                                      : "no counted engagement or association and no line-management child";
    }
    out.push_back(std::move(ch));
  }
  return out;
}

}  // namespace linemgr::core
