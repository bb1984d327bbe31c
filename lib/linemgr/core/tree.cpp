#include <linemgr/core/tree.hpp>

#include <string>

namespace linemgr::core {

unit_tree build_tree(const snapshot& snap, day d, std::vector<diagnostic>* diags) {
  const std::size_t n = snap.units.size();
  unit_tree t;
  t.current.assign(n, nullptr);
  t.parent.assign(n, no_index);
  t.in_cycle.assign(n, 0);
  for (index_t u = 0; u < n; ++u) t.current[u] = snap.units.active_at(u, d);

  for (index_t u = 0; u < n; ++u) {
    const unit_segment* s = t.current[u];
    if (!s || snap.is_root_parent(*s)) continue;
    if (s->parent != no_index && t.current[s->parent]) {
      t.parent[u] = s->parent;
    } else if (diags) {
      diags->push_back({"PARENT_NOT_ACTIVE", severity::warn, std::string(snap.units.records[u].id),
                        "parent " + std::string(s->parent_id) + " is unknown or not current; treated as a root"});
    }
  }

  // Cycle detection over the parent function: 0 = unseen, 1 = on the current walk, 2 = done.
  std::vector<std::uint8_t> state(n, 0);
  std::vector<index_t> walk;
  for (index_t start = 0; start < n; ++start) {
    if (!t.current[start] || state[start]) continue;
    walk.clear();
    index_t u = start;
    while (u != no_index && state[u] == 0) {
      state[u] = 1;
      walk.push_back(u);
      u = t.parent[u];
    }
    bool bad = false;
    if (u != no_index && state[u] == 1) bad = true;          // closed a cycle on this walk
    else if (u != no_index && t.in_cycle[u]) bad = true;     // reached a unit below a cycle
    for (index_t w : walk) {
      state[w] = 2;
      t.in_cycle[w] = bad ? 1 : 0;
    }
  }
  if (diags)
    for (index_t u = 0; u < n; ++u)
      if (t.in_cycle[u])
        diags->push_back({"CYCLE", severity::error, std::string(snap.units.records[u].id),
                          "unit is on or below a parent cycle; hierarchy, managers and elevation ignore it"});

  // Children (CSR) of usable units, then a parents-first order by breadth-first walk from roots.
  t.child_start.assign(n + 1, 0);
  for (index_t u = 0; u < n; ++u)
    if (t.usable(u) && t.parent[u] != no_index) ++t.child_start[t.parent[u] + 1];
  for (std::size_t i = 0; i < n; ++i) t.child_start[i + 1] += t.child_start[i];
  t.child_list.resize(t.child_start[n]);
  std::vector<std::uint32_t> fill(t.child_start.begin(), t.child_start.end() - 1);
  for (index_t u = 0; u < n; ++u)
    if (t.usable(u) && t.parent[u] != no_index) t.child_list[fill[t.parent[u]]++] = u;

  t.order.reserve(n);
  for (index_t u = 0; u < n; ++u)
    if (t.usable(u) && t.parent[u] == no_index) t.order.push_back(u);
  for (std::size_t i = 0; i < t.order.size(); ++i)
    for (index_t c : t.children(t.order[i])) t.order.push_back(c);
  return t;
}

}  // namespace linemgr::core
