#include <linemgr/core/manager_of.hpp>

#include <algorithm>

namespace linemgr::core {

namespace {

index_t parent_on(const snapshot& snap, index_t u, day d) {
  const unit_segment* s = snap.units.active_at(u, d);
  if (!s || snap.is_root_parent(*s) || s->parent == no_index) return no_index;
  return snap.units.active_at(s->parent, d) ? s->parent : no_index;
}

}  // namespace

std::optional<line_manager> line_manager_of_engagement(const snapshot& snap, index_t engagement, day d) {
  const engagement_segment* e = snap.engagements.active_at(engagement, d);
  if (!e) return std::nullopt;
  line_manager out;
  out.engagement = engagement;
  out.unit = e->unit;

  // Managers active on d with a person, by unit (one pass).
  std::vector<std::pair<index_t, index_t>> by_unit;  // (unit, manager)
  for (index_t m = 0; m < snap.managers.size(); ++m) {
    const manager_segment* s = snap.managers.active_at(m, d);
    if (s && s->person != no_index && s->person != e->person) by_unit.emplace_back(s->unit, m);
  }
  std::sort(by_unit.begin(), by_unit.end());
  auto first_start = [&](index_t m) { return snap.managers.segments_of(m).front().valid.from; };

  std::vector<std::uint8_t> seen(snap.units.size(), 0);
  for (index_t u = e->unit; u != no_index && !seen[u]; u = parent_on(snap, u, d)) {
    seen[u] = 1;
    out.path.push_back(u);
    auto it = std::lower_bound(by_unit.begin(), by_unit.end(), std::make_pair(u, index_t{0}));
    index_t best = no_index;
    for (; it != by_unit.end() && it->first == u; ++it) {
      const index_t m = it->second;
      if (best == no_index || first_start(m) < first_start(best) ||
          (first_start(m) == first_start(best) && snap.managers.records[m].id < snap.managers.records[best].id))
        best = m;
    }
    if (best != no_index) {
      out.manager = best;
      out.manager_unit = u;
      out.person = snap.managers.active_at(best, d)->person;
      break;
    }
  }
  return out;
}

std::vector<line_manager> line_managers_of_person(const snapshot& snap, index_t person, day d) {
  std::vector<index_t> mine;
  for (index_t e = 0; e < snap.engagements.size(); ++e) {
    const engagement_segment* s = snap.engagements.active_at(e, d);
    if (s && s->person == person) mine.push_back(e);
  }
  std::sort(mine.begin(), mine.end(), [&](index_t a, index_t b) {
    const bool pa = snap.engagements.active_at(a, d)->primary, pb = snap.engagements.active_at(b, d)->primary;
    if (pa != pb) return pa;
    return snap.engagements.records[a].id < snap.engagements.records[b].id;
  });
  std::vector<line_manager> out;
  for (index_t e : mine)
    if (auto lm = line_manager_of_engagement(snap, e, d)) out.push_back(std::move(*lm));
  return out;
}

}  // namespace linemgr::core
