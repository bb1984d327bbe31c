// V: manager validity (doc/rules.md §4).
#include <algorithm>

#include <linemgr/core/rules_internal.hpp>

namespace linemgr::core {


std::vector<change> run_validity(const rule_context& ctx) {
  const snapshot& snap = ctx.snap;
  const auto& v = ctx.cfg.validity;

  // Engagement segments per person (CSR), types already filtered.
  const std::size_t np = snap.persons.size();
  std::vector<std::uint32_t> start(np + 1, 0);
  struct covering {
    period valid;
    index_t unit;
  };
  std::vector<std::uint8_t> type_ignored(snap.class_refs.size() + 1, 2);  // 2 = unknown
  auto ignored = [&](index_t type) {
    const std::size_t slot = type == no_index ? snap.class_refs.size() : type;
    if (type_ignored[slot] == 2)
      type_ignored[slot] = ctx.classes.matches_any(v.ignored_engagement_types, type, facet::engagement_type);
    return type_ignored[slot] == 1;
  };
  for (index_t e = 0; e < snap.engagements.size(); ++e)
    for (const engagement_segment& s : snap.engagements.segments_of(e))
      if (s.person != no_index && !ignored(s.type)) ++start[s.person + 1];
  for (std::size_t i = 0; i < np; ++i) start[i + 1] += start[i];
  std::vector<covering> cover(start[np]);
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (index_t e = 0; e < snap.engagements.size(); ++e)
      for (const engagement_segment& s : snap.engagements.segments_of(e))
        if (s.person != no_index && !ignored(s.type)) cover[fill[s.person]++] = {s.valid, s.unit};
  }
  // United coverage per person for any_unit, computed on first use (only managers' persons need it).
  std::vector<std::uint32_t> united_at(np, no_index);  // into `united`
  std::vector<std::vector<period>> united;

  std::vector<change> out;
  std::vector<period> invalid, covered;
  for (index_t m = 0; m < snap.managers.size(); ++m) {
    invalid.clear();
    for (const manager_segment& s : snap.managers.segments_of(m)) {
      if (s.person == no_index) continue;  // V2
      const covering* first = cover.data() + start[s.person];
      const covering* last = cover.data() + start[s.person + 1];
      if (v.scope == engagement_scope::any_unit) {
        if (united_at[s.person] == no_index) {
          united_at[s.person] = static_cast<std::uint32_t>(united.size());
          std::vector<period>& mine = united.emplace_back();
          for (const covering* c = first; c != last; ++c) mine.push_back(c->valid);
          unite(mine);
        }
        subtract(s.valid, united[united_at[s.person]], invalid);
      } else {
        covered.clear();
        for (const covering* c = first; c != last; ++c)
          if (c->unit == s.unit) covered.push_back(c->valid);
        unite(covered);
        subtract(s.valid, covered, invalid);
      }
    }
    if (invalid.empty()) continue;
    unite(invalid);  // V4: manager segment boundaries do not split a period
    for (const period& p : invalid) {
      change c;
      c.kind = v.action == validity_action::terminate ? op::end_manager : op::vacate_manager;
      c.manager = m;
      c.span = p;
      c.reason = v.scope == engagement_scope::any_unit ? "its person has no engagement in this period"
                                                       : "its person has no engagement in the managed unit in this period";
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace linemgr::core
