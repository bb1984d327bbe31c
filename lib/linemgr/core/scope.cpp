// G9: the scoped plan of reconcile-unit.
#include <string>

#include <linemgr/core/plan.hpp>
#include <linemgr/core/planner_internal.hpp>
#include <linemgr/core/rules_internal.hpp>
#include <linemgr/core/text.hpp>
#include <linemgr/core/tree.hpp>

namespace linemgr::core {

index_t graph_parent(const snapshot& snap, index_t u, day today) {
  const unit_segment* s = snap.units.active_at(u, today);
  if (!s) s = snap.units.last(u);
  // An unknown parent, a null one and the organisation (no unit has its id) are no parent.
  return s ? s->parent : no_index;
}

parent_graph::parent_graph(const snapshot& snap, day today) {
  const std::size_t n = snap.units.size();
  parent.resize(n);
  for (index_t u = 0; u < n; ++u) parent[u] = graph_parent(snap, u, today);
  start.assign(n + 1, 0);
  for (index_t u = 0; u < n; ++u)
    if (parent[u] != no_index) ++start[parent[u] + 1];
  for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  children.resize(start[n]);
  std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
  for (index_t u = 0; u < n; ++u)
    if (parent[u] != no_index) children[fill[parent[u]]++] = u;
}

namespace {

// The unit of a manager's segment containing d, else its current segment's, else its last's.
index_t manager_unit(const snapshot& snap, index_t m, day d, day today) {
  const manager_segment* s = snap.managers.active_at(m, d);
  if (!s) s = snap.managers.active_at(m, today);
  if (!s) s = snap.managers.last(m);
  return s ? s->unit : no_index;
}

}  // namespace

plan scope_plan(const snapshot& snap, const config& cfg, const plan& full, std::string_view unit_id) {
  const index_t root = snap.units.ids.find(unit_id);
  if (root == no_index) {
    plan out;
    out.today = full.today;
    out.diagnostics.push_back({"UNKNOWN_UNIT", severity::warn, std::string(unit_id), "unit is not in the snapshot"});
    return out;
  }
  return scope_plan_units(snap, cfg, full, {root});
}

plan scope_plan_units(const snapshot& snap, const config& cfg, const plan& full, const std::vector<index_t>& roots) {
  plan out;
  out.today = full.today;
  const day today = full.today;

  // Scope: the roots, their ancestors and their descendants in the parent graph.
  const std::size_t n = snap.units.size();
  const parent_graph graph(snap, today);
  const std::vector<index_t>& parent = graph.parent;
  std::vector<std::uint8_t> in_scope(n, 0), walked(n, 0);
  for (index_t root : roots) {
    in_scope[root] = 1;
    // An ancestor walk stops at a unit an earlier walk went through: its ancestors are marked.
    for (index_t u = parent[root]; u != no_index && !walked[u]; u = parent[u]) walked[u] = in_scope[u] = 1;
  }
  std::vector<std::uint8_t> seen(n, 0);
  std::vector<index_t> stack;
  for (index_t root : roots)
    if (!seen[root]) {
      seen[root] = 1;
      stack.push_back(root);
    }
  while (!stack.empty()) {
    const index_t u = stack.back();
    stack.pop_back();
    in_scope[u] = 1;
    for (index_t c : graph.children_of(u))
      if (!seen[c]) {
        seen[c] = 1;
        stack.push_back(c);
      }
  }

  // Leder units (S1, S2) for association subjects.
  const name_table normalized(snap);
  auto association_unit = [&](index_t a) -> index_t {
    const association_segment* s = snap.associations.active_at(a, today);
    if (!s) s = snap.associations.last(a);
    return s ? s->unit : no_index;
  };
  std::vector<std::uint8_t> has_current_association(n, 0);
  for (index_t a = 0; a < snap.associations.size(); ++a)
    if (const association_segment* s = snap.associations.active_at(a, today)) has_current_association[s->unit] = 1;
  const unit_tree tree = build_tree(snap, today, nullptr);
  auto association_subject = [&](index_t a, const std::string& leder_suffix, const std::string& excluded) -> index_t {
    const index_t u = association_unit(a);
    if (u == no_index) return no_index;
    const bool leder = tree.usable(u) && ends_with(normalized[u], leder_suffix) &&
                       !starts_with(normalized[u], excluded) && has_current_association[u];
    return leder && tree.parent[u] != no_index ? tree.parent[u] : u;
  };
  const std::string leder_suffix = normalize_name(cfg.managers.leder_suffix);
  const std::string excluded = normalize_name(cfg.managers.excluded_prefix);

  auto unit_in = [&](index_t u) { return u != no_index && in_scope[u]; };
  for (const change& c : full.changes) {
    index_t subject = no_index;
    switch (c.kind) {
      case op::update_manager:
      case op::end_manager:
      case op::vacate_manager: subject = manager_unit(snap, c.manager, c.span.from, today); break;
      case op::end_association: subject = association_subject(c.association, leder_suffix, excluded); break;
      default: subject = c.unit;
    }
    if (unit_in(subject)) out.changes.push_back(c);
  }
  for (const diagnostic& d : full.diagnostics) {
    index_t subject = no_index;
    bool kept = true;
    if (d.code == "PENDING_FUTURE_ENGAGEMENT") {
      const index_t a = snap.associations.ids.find(d.subject);
      kept = unit_in(a == no_index ? no_index : association_subject(a, leder_suffix, excluded));
    } else if (d.code == "DUPLICATE_MANAGER" || d.code == "AMBIGUOUS_ENGAGEMENT") {
      const index_t m = snap.managers.ids.find(d.subject);
      kept = m == no_index || unit_in(manager_unit(snap, m, today, today));
    } else if (d.code != "UNKNOWN_UNIT" && d.code != "NO_TOP_LEVEL" && d.code != "CLASS_UNRESOLVED") {
      subject = snap.units.ids.find(d.subject);
      kept = subject == no_index || unit_in(subject);
    }
    if (kept) out.diagnostics.push_back(d);
  }
  return out;
}

}  // namespace linemgr::core
