// E: elevation (doc/rules.md §5).
#include <algorithm>
#include <map>

#include <linemgr/core/apply_internal.hpp>
#include <linemgr/core/rules_internal.hpp>
#include <linemgr/core/text.hpp>

namespace linemgr::core {

namespace {

struct candidate {
  index_t manager;
  index_t unit;
  index_t person;
  day start;      // s
  day effective;  // d
  index_t type;   // type at d
};

bool same_appointment(const manager_segment& x, const manager_segment& y) {
  return x.unit == y.unit && x.person == y.person;
}

// E1: appointments to a person that run today or later and started within the window.
std::vector<candidate> candidates_of(const rule_context& ctx) {
  const snapshot& snap = ctx.snap;
  const auto& el = ctx.cfg.elevation;
  const day today = ctx.today;
  std::vector<candidate> candidates;
  for (index_t r = 0; r < snap.managers.size(); ++r) {
    const auto segs = snap.managers.segments_of(r);
    for (std::size_t i = 0; i < segs.size(); ++i) {
      if (segs[i].person == no_index) continue;
      if (i > 0 && segs[i - 1].valid.to == segs[i].valid.from && same_appointment(segs[i - 1], segs[i])) continue;
      const period run = run_containing(segs, i, same_appointment);
      if (run.to <= today) continue;
      if (el.window_days >= 0 && run.from < today - el.window_days) continue;
      const day d = std::max(today, run.from);
      const index_t u = segs[i].unit;
      if (!snap.units.active_at(u, d) || ctx.tree.in_cycle[u]) continue;
      const manager_segment* at = snap.managers.active_at(r, d);
      candidates.push_back({r, u, segs[i].person, run.from, d, at ? at->type : segs[i].type});
    }
  }
  return candidates;
}

// E3: one manager per type: the candidate replaces the other managers of its unit (of its type,
// or all) that started earlier, or are vacant, from its effective day.
void replace_others(const rule_context& ctx, const std::vector<candidate>& candidates, std::vector<change>& out) {
  const snapshot& snap = ctx.snap;
  const auto& el = ctx.cfg.elevation;
  if (el.others == terminate_others::none) return;
  const records_per_key managers_in(snap.managers, snap.units.size(), [](const manager_segment& seg) { return seg.unit; });
  for (const candidate& c : candidates) {
    const class_keys ctype = ctx.classes.keys_of_ref(c.type, facet::manager_type);
    for (index_t other : managers_in[c.unit]) {
      if (other == c.manager) continue;
      const auto segs = snap.managers.segments_of(other);
      for (std::size_t i = 0; i < segs.size(); ++i) {
        if (!segs[i].valid.contains(c.effective) || segs[i].unit != c.unit) continue;
        if (el.others == terminate_others::same_type && !ctx.classes.keys_of_ref(segs[i].type, facet::manager_type).intersects(ctype))
          continue;
        const period run = run_containing(segs, i, same_appointment);
        const bool vacant = segs[i].person == no_index;
        if (!vacant && run.from == c.start) {
          ctx.diags.push_back({"CONCURRENT_MANAGERS", severity::warn, ctx.unit_id(c.unit),
                               "managers " + ctx.manager_id(c.manager) + " and " + ctx.manager_id(other) + " start the same day"});
          continue;
        }
        if (!vacant && run.from > c.start) continue;
        change e;
        e.kind = op::end_manager;
        e.manager = other;
        e.span = {c.effective, run.to};
        e.reason = "replaced by manager " + ctx.manager_id(c.manager) + " from " + format_date(c.effective);
        out.push_back(std::move(e));
      }
    }
  }
}

// An engagement a candidate would move into its unit.
struct move {
  index_t engagement;
  std::size_t candidate;
};

// E4: on the snapshot after E3, the engagement each candidate would move: its only (or single
// primary) engagement, unless one is already in a unit the person manages (or its led-adm child).
std::vector<move> moves_of(const rule_context& ctx, const std::vector<candidate>& candidates, const snapshot& after) {
  const auto& el = ctx.cfg.elevation;
  const std::string led_adm = normalize_name(ctx.cfg.managers.led_adm_suffix);
  const records_per_key engagements_of(after.engagements, after.persons.size(), [](const engagement_segment& seg) { return seg.person; });
  const records_per_key appointments_of(after.managers, after.persons.size(), [](const manager_segment& seg) { return seg.person; });
  std::vector<move> moves;
  for (std::size_t ci = 0; ci < candidates.size(); ++ci) {
    const candidate& c = candidates[ci];
    const manager_segment* still = after.managers.active_at(c.manager, c.effective);
    if (!still || still->unit != c.unit || still->person != c.person) continue;
    std::vector<index_t> home;
    for (index_t r : appointments_of[c.person]) {
      const manager_segment* seg = after.managers.active_at(r, c.effective);
      if (seg && seg->person == c.person) home.push_back(seg->unit);
    }
    if (el.move != move_policy::always) {
      const std::size_t direct = home.size();
      for (std::size_t i = 0; i < direct; ++i)
        if (ctx.tree.current[home[i]] && !ctx.tree.in_cycle[home[i]])
          for (index_t child : ctx.tree.children(home[i]))
            if (ends_with(ctx.normalized[child], led_adm)) home.push_back(child);
    }
    std::vector<std::pair<index_t, const engagement_segment*>> active;
    bool at_home = false;
    for (index_t e : engagements_of[c.person]) {
      const engagement_segment* seg = after.engagements.active_at(e, c.effective);
      if (!seg || seg->person != c.person) continue;
      active.emplace_back(e, seg);
      if (std::find(home.begin(), home.end(), seg->unit) != home.end()) at_home = true;
    }
    if (at_home || active.empty()) continue;
    index_t chosen = no_index;
    if (active.size() == 1) {
      chosen = active.front().first;
    } else {
      std::size_t primaries = 0;
      for (const auto& [e, seg] : active)
        if (seg->primary) {
          ++primaries;
          chosen = e;
        }
      if (primaries != 1) {
        chosen = no_index;
        ctx.diags.push_back({"AMBIGUOUS_ENGAGEMENT", severity::warn, ctx.manager_id(c.manager),
                             std::to_string(active.size()) + " engagements and no single primary one"});
      }
    }
    if (chosen != no_index && el.move != move_policy::never) moves.push_back({chosen, ci});
  }
  return moves;
}

// E5: the moves, except an engagement that candidates would move to different units.
void apply_moves(const rule_context& ctx, const std::vector<candidate>& candidates, const std::vector<move>& moves,
                 std::vector<change>& out) {
  for (const move& mv : moves) {
    const candidate& c = candidates[mv.candidate];
    bool conflict = false;
    for (const move& other : moves)
      if (other.engagement == mv.engagement && candidates[other.candidate].unit != c.unit) conflict = true;
    if (conflict) {
      ctx.diags.push_back({"AMBIGUOUS_ENGAGEMENT", severity::warn, ctx.manager_id(c.manager),
                           "another new manager role would move the same engagement elsewhere"});
      continue;
    }
    change ch;
    ch.kind = op::move_engagement;
    ch.engagement = mv.engagement;
    ch.unit = c.unit;
    ch.span = {c.effective, open_end};
    ch.reason = "its person manages " + ctx.unit_id(c.unit) + " from " + format_date(c.effective);
    out.push_back(std::move(ch));
  }
}

}  // namespace

std::vector<change> run_elevation(const rule_context& ctx) {
  std::vector<change> out;
  const std::vector<candidate> candidates = candidates_of(ctx);
  if (candidates.empty()) return out;
  replace_others(ctx, candidates, out);
  snapshot after = ctx.snap;  // the virtual snapshot after E3
  for (const change& c : out) apply_change(after, c, no_index);
  apply_moves(ctx, candidates, moves_of(ctx, candidates, after), out);
  return out;
}

}  // namespace linemgr::core
