// S: manager sync from _leder units (doc/rules.md §3).
#include <algorithm>
#include <map>
#include <set>

#include <linemgr/core/rules_internal.hpp>
#include <linemgr/core/text.hpp>

namespace linemgr::core {

namespace {

enum class leder_state { decided, undecided, skipped };

struct target {
  index_t unit;
  std::string level;  // configured manager level value
};

struct leder_unit {
  index_t unit = no_index, managed = no_index, grand = no_index;  // L, P(L), G
  leder_state state = leder_state::undecided;
  index_t winner = no_index;
  day winner_date = 0;
  index_t winner_association = no_index;
  std::vector<index_t> ends;  // associations to end
  std::vector<target> targets;
};

// The run of the association's segments containing today (contiguous, any attributes).
period association_run(const snapshot& snap, index_t a, day today) {
  const auto segs = snap.associations.segments_of(a);
  for (std::size_t i = 0; i < segs.size(); ++i)
    if (segs[i].valid.contains(today))
      return run_containing(segs, i, [](const association_segment&, const association_segment&) { return true; });
  return {};
}

// S9: the manager level for target unit T, or an empty string after a diagnostic.
std::string level_for(const rule_context& ctx, index_t t) {
  const auto& m = ctx.cfg.managers;
  const std::string led_adm = normalize_name(m.led_adm_suffix);
  index_t x = t;
  if (ends_with(ctx.normalized[t], led_adm) && ctx.tree.parent[t] != no_index) x = ctx.tree.parent[t];
  const index_t level = ctx.tree.current[x]->level;
  if (level == no_index) {
    ctx.diags.push_back({"UNIT_WITHOUT_LEVEL", severity::error, ctx.unit_id(x),
                         "unit has no level, so its manager level cannot be mapped"});
    return {};
  }
  const class_keys keys = ctx.classes.keys_of_ref(level, facet::org_unit_level);
  for (std::string_view key : keys.keys) {  // uuid keys before user_key keys before name keys
    if (key.empty()) continue;
    for (const auto& [from, to] : m.level_mapping)
      if (from == key) {
        if (ctx.classes.has_classes_for(facet::manager_level) &&
            ctx.classes.resolve_value(to, facet::manager_level) == no_index) {
          ctx.diags.push_back({"CLASS_UNRESOLVED", severity::error, to,
                               "manager level " + to + " matches no class of facet manager_level"});
          return {};
        }
        return to;
      }
  }
  ctx.diags.push_back({"MISSING_LEVEL_MAPPING", severity::error, ctx.unit_id(x),
                       "level " + ctx.classes.output_of_ref(level, facet::org_unit_level) +
                           " is not in managers.level_mapping"});
  return {};
}

// What the phases share: the configured name affixes and the records they read, indexed once.
struct manager_run {
  const rule_context& ctx;
  std::string suffix, prefix, led_adm;
  std::map<index_t, std::vector<index_t>> associations_in;  // current associations of leder units
  records_per_key engagements_of;                           // per person
};

// Unresolved manager_type or responsibilities: reported; then S does nothing.
bool classes_resolve(const rule_context& ctx) {
  const auto& m = ctx.cfg.managers;
  bool resolved = true;
  auto check = [&](const std::string& v, facet f) {
    if (ctx.classes.has_classes_for(f) && ctx.classes.resolve_value(v, f) == no_index) {
      ctx.diags.push_back({"CLASS_UNRESOLVED", severity::error, v,
                           std::string("value ") + v + " matches no class of facet " + std::string(facet_name(f))});
      resolved = false;
    }
  };
  check(m.manager_type, facet::manager_type);
  for (const std::string& r : m.responsibilities) check(r, facet::responsibility);
  return resolved;
}

// S1/S2: the leder units (by name) with their current associations, and engagements per person.
manager_run index_records(const rule_context& ctx) {
  const snapshot& snap = ctx.snap;
  const auto& m = ctx.cfg.managers;
  manager_run run{ctx, normalize_name(m.leder_suffix), normalize_name(m.excluded_prefix), normalize_name(m.led_adm_suffix), {},
                  records_per_key(snap.engagements, snap.persons.size(), [](const engagement_segment& seg) { return seg.person; })};
  std::vector<std::uint8_t> is_leder(snap.units.size(), 0);
  for (index_t u : ctx.tree.order)
    if (ends_with(ctx.normalized[u], run.suffix) && !starts_with(ctx.normalized[u], run.prefix)) is_leder[u] = 1;
  for (index_t a = 0; a < snap.associations.size(); ++a) {
    const association_segment* seg = snap.associations.active_at(a, ctx.today);
    if (seg && is_leder[seg->unit]) run.associations_in[seg->unit].push_back(a);
  }
  return run;
}

// S3: one association per person (the longest-running wins), the person-less ones ended.
std::map<index_t, index_t> one_per_person(const manager_run& run, leder_unit& L, const std::vector<index_t>& assocs) {
  const snapshot& snap = run.ctx.snap;
  const day today = run.ctx.today;
  std::map<index_t, index_t> kept;  // person -> association
  for (index_t a : assocs) {
    const index_t p = snap.associations.active_at(a, today)->person;
    if (p == no_index) {
      L.ends.push_back(a);
      continue;
    }
    auto [it, fresh] = kept.try_emplace(p, a);
    if (fresh) continue;
    const period ra = association_run(snap, a, today), rb = association_run(snap, it->second, today);
    const bool a_wins = (ra.to == open_end) != (rb.to == open_end) ? ra.to == open_end
                        : ra.to != rb.to                          ? ra.to > rb.to
                        : ra.from != rb.from                      ? ra.from > rb.from
                                                                  : snap.associations.records[a].id < snap.associations.records[it->second].id;
    L.ends.push_back(a_wins ? it->second : a);
    if (a_wins) it->second = a;
  }
  return kept;
}

// S4/S5: the eligible persons (engaged in P(L) today) and the one with the latest continuous
// engagement start; a tie is reported and skipped or broken by person id.
void designate(const manager_run& run, leder_unit& L, const std::map<index_t, index_t>& kept) {
  const rule_context& ctx = run.ctx;
  const snapshot& snap = ctx.snap;
  std::vector<std::pair<index_t, day>> eligible;
  for (const auto& [p, a] : kept) {
    bool any = false;
    day date = 0;
    for (index_t e : run.engagements_of[p]) {
      const auto segs = snap.engagements.segments_of(e);
      for (std::size_t i = 0; i < segs.size(); ++i) {
        if (!segs[i].valid.contains(ctx.today) || segs[i].unit != L.managed || segs[i].person != p) continue;
        const day from = run_containing(segs, i, [](const engagement_segment& x, const engagement_segment& y) {
                           return x.unit == y.unit && x.person == y.person;
                         }).from;
        date = any ? std::max(date, from) : from;
        any = true;
      }
    }
    if (any) eligible.emplace_back(p, date);
  }
  if (eligible.empty()) return;
  day best = eligible.front().second;
  for (const auto& e : eligible) best = std::max(best, e.second);
  std::vector<index_t> top;
  for (const auto& e : eligible)
    if (e.second == best) top.push_back(e.first);
  if (top.size() > 1) {
    ctx.diags.push_back({"TIE", severity::warn, ctx.unit_id(L.unit),
                         std::to_string(top.size()) + " candidates share the latest engagement start " + format_date(best)});
    if (ctx.cfg.managers.ties == tie_policy::skip_unit)
      L.state = leder_state::skipped;
    else
      L.winner = *std::min_element(top.begin(), top.end(), [&](index_t a, index_t b) { return snap.persons[a].id < snap.persons[b].id; });
  } else {
    L.winner = top.front();
  }
  L.winner_date = best;
  if (L.state != leder_state::skipped) L.state = leder_state::decided;
}

// S7/S9: the units the winner manages (P(L), and G for a led-adm P(L)) with their levels; a
// level that cannot be mapped skips the leder unit.
void choose_targets(const manager_run& run, leder_unit& L) {
  const rule_context& ctx = run.ctx;
  std::vector<index_t> units{L.managed};
  if (ends_with(ctx.normalized[L.managed], run.led_adm)) {
    if (L.grand == no_index)
      ctx.diags.push_back({"LED_ADM_AT_ROOT", severity::warn, ctx.unit_id(L.managed), "led-adm unit is a root: only it gets the manager"});
    else
      units.push_back(L.grand);
  }
  for (index_t t : units) {
    std::string level = level_for(ctx, t);
    if (level.empty()) {
      L.state = leder_state::skipped;
      return;
    }
    L.targets.push_back({t, std::move(level)});
  }
}

// S6: the designations of the other persons end; undecided, a person whose engagement in P(L)
// starts later keeps theirs.
void end_other_designations(const manager_run& run, leder_unit& L, const std::map<index_t, index_t>& kept) {
  const rule_context& ctx = run.ctx;
  const snapshot& snap = ctx.snap;
  if (L.state == leder_state::skipped) return;
  for (const auto& [p, a] : kept) {
    if (L.state == leder_state::decided && p == L.winner) continue;
    if (L.state == leder_state::undecided) {
      bool future = false;
      for (index_t e : run.engagements_of[p])
        for (const engagement_segment& seg : snap.engagements.segments_of(e))
          if (seg.unit == L.managed && seg.person == p && seg.valid.from > ctx.today) future = true;
      if (future) {
        ctx.diags.push_back({"PENDING_FUTURE_ENGAGEMENT", severity::info, std::string(snap.associations.records[a].id),
                             "kept until the person's engagement in " + ctx.unit_id(L.managed) + " starts"});
        continue;
      }
    }
    L.ends.push_back(a);
  }
}

// S3–S9 per leder unit: who is designated, what ends, which units they manage.
std::vector<leder_unit> decide_leder_units(const manager_run& run) {
  const rule_context& ctx = run.ctx;
  std::vector<leder_unit> leders;
  for (const auto& [l, assocs] : run.associations_in) {
    leder_unit L;
    L.unit = l;
    L.managed = ctx.tree.parent[l];
    if (L.managed == no_index) {
      ctx.diags.push_back({"LEDER_WITHOUT_PARENT", severity::warn, ctx.unit_id(l), "leder unit is a root: it has no unit to manage"});
      continue;  // skipped, nothing protected
    }
    if (ends_with(ctx.normalized[L.managed], run.led_adm)) L.grand = ctx.tree.parent[L.managed];
    std::map<index_t, index_t> kept = one_per_person(run, L, assocs);
    designate(run, L, kept);
    if (L.state == leder_state::decided) {
      L.winner_association = kept[L.winner];
      choose_targets(run, L);
    }
    end_other_designations(run, L, kept);
    leders.push_back(std::move(L));
  }
  return leders;
}

// The (unit, person) pairs the leder units call for, and which units are managed or protected.
struct expectations {
  std::vector<std::uint8_t> managed, protect;                              // per unit
  std::map<std::pair<index_t, index_t>, const leder_unit*> expected;       // (unit, person) -> leder unit
  std::map<std::pair<index_t, index_t>, std::string> expected_level;
};

// The expectations of the leder units, and the end_association changes their decisions call for.
expectations expected_managers(const rule_context& ctx, const std::vector<leder_unit>& leders, std::vector<change>& out) {
  const snapshot& snap = ctx.snap;
  expectations x{std::vector<std::uint8_t>(snap.units.size(), 0), std::vector<std::uint8_t>(snap.units.size(), 0), {}, {}};
  for (const leder_unit& L : leders) {
    if (L.state == leder_state::skipped) {
      x.protect[L.managed] = 1;
      if (L.grand != no_index) x.protect[L.grand] = 1;
      continue;
    }
    for (index_t a : L.ends) {
      change c;
      c.kind = op::end_association;
      c.association = a;
      c.span = {ctx.today, open_end};
      c.reason = L.state == leder_state::decided ? "designation in " + ctx.unit_id(L.unit) + " lost to " + ctx.person_id(L.winner)
                                                 : "designation in " + ctx.unit_id(L.unit) + " without an eligible person";
      if (snap.associations.active_at(a, ctx.today)->person == no_index) c.reason = "designation without a person";
      out.push_back(std::move(c));
    }
    if (L.state != leder_state::decided) continue;
    for (const target& t : L.targets) {
      x.managed[t.unit] = 1;
      if (x.expected.emplace(std::make_pair(t.unit, L.winner), &L).second) x.expected_level[{t.unit, L.winner}] = t.level;
    }
  }
  return x;
}

// A current manager appointment of manager_type, with its continuous run.
struct appointment {
  index_t manager;
  period run;
  const manager_segment* current;
};

// The managers of manager_type: pairs with a current or later appointment, and the current ones.
struct appointments {
  using pair = std::pair<index_t, index_t>;                        // (unit, person)
  std::vector<pair> present_or_future;                              // sorted, each once
  std::vector<std::pair<pair, appointment>> current_by_pair;        // sorted by pair
  std::vector<appointment> all_current;
  bool has_present_or_future(const pair& p) const { return std::binary_search(present_or_future.begin(), present_or_future.end(), p); }
};

appointments type_appointments(const rule_context& ctx) {
  const snapshot& snap = ctx.snap;
  auto of_type = [&](index_t type) { return ctx.classes.matches(ctx.cfg.managers.manager_type, type, facet::manager_type); };
  appointments out;
  for (index_t r = 0; r < snap.managers.size(); ++r) {
    const auto segs = snap.managers.segments_of(r);
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const manager_segment& seg = segs[i];
      if (!of_type(seg.type) || seg.valid.to <= ctx.today) continue;
      if (seg.person != no_index) out.present_or_future.push_back({seg.unit, seg.person});
      if (!seg.valid.contains(ctx.today)) continue;
      const period run = run_containing(segs, i, [](const manager_segment& x, const manager_segment& y) {
        return x.unit == y.unit && x.person == y.person;
      });
      out.all_current.push_back({r, run, &seg});
      if (seg.person != no_index) out.current_by_pair.push_back({{seg.unit, seg.person}, out.all_current.back()});
    }
  }
  std::sort(out.present_or_future.begin(), out.present_or_future.end());
  out.present_or_future.erase(std::unique(out.present_or_future.begin(), out.present_or_future.end()), out.present_or_future.end());
  std::stable_sort(out.current_by_pair.begin(), out.current_by_pair.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// S7: a manager for every expected pair that has none, current or future.
void creations(const rule_context& ctx, const expectations& x, const appointments& have, std::vector<change>& out) {
  const auto& m = ctx.cfg.managers;
  for (const auto& [key, L] : x.expected) {
    if (have.has_present_or_future(key)) continue;
    change c;
    c.kind = op::create_manager;
    c.unit = key.first;
    c.person = key.second;
    c.level = ctx.classes.output_of_value(x.expected_level.at(key), facet::manager_level);
    c.type = ctx.classes.output_of_value(m.manager_type, facet::manager_type);
    for (const std::string& r : m.responsibilities) c.responsibilities.push_back(ctx.classes.output_of_value(r, facet::responsibility));
    c.span = {ctx.today, open_end};
    c.reason = "designated in " + ctx.unit_id(L->unit) + " by association " +
               std::string(ctx.snap.associations.records[L->winner_association].id) + "; engaged in " + ctx.unit_id(L->managed) +
               " since " + format_date(L->winner_date);
    out.push_back(std::move(c));
  }
}

// S8: current managers the termination scope covers who are not the designated person end.
void terminations(const rule_context& ctx, const expectations& x, const appointments& have, std::vector<change>& out) {
  auto in_scope = [&](index_t unit) {
    if (x.protect[unit]) return false;
    switch (ctx.cfg.managers.termination) {
      case termination_scope::managed_units: return x.managed[unit] != 0;
      case termination_scope::all_managers: return true;
      default: return false;
    }
  };
  for (const appointment& a : have.all_current) {
    const manager_segment& seg = *a.current;
    if (!in_scope(seg.unit) || x.expected.count({seg.unit, seg.person})) continue;
    change c;
    c.kind = op::end_manager;
    c.manager = a.manager;
    c.span = {ctx.today, a.run.to};
    c.reason = seg.person == no_index ? "vacant manager in a unit whose manager is derived from a leder unit"
                                      : "not the person designated for " + ctx.unit_id(seg.unit);
    out.push_back(std::move(c));
  }
}

// S8/S9 for expected pairs with current managers: the first appointment is kept, duplicates end,
// and its level is corrected when it does not match the mapping.
void duplicates_and_levels(const rule_context& ctx, const expectations& x, const appointments& have, std::vector<change>& out) {
  const snapshot& snap = ctx.snap;
  const auto& m = ctx.cfg.managers;
  std::vector<appointment> list;
  for (std::size_t at = 0, next = 0; at < have.current_by_pair.size(); at = next) {
    const appointments::pair key = have.current_by_pair[at].first;
    for (next = at; next < have.current_by_pair.size() && have.current_by_pair[next].first == key; ++next) {}
    if (!x.expected.count(key)) continue;
    list.clear();
    for (std::size_t i = at; i < next; ++i) list.push_back(have.current_by_pair[i].second);
    auto first_start = [&](const appointment& a) { return snap.managers.segments_of(a.manager).front().valid.from; };
    std::sort(list.begin(), list.end(), [&](const appointment& a, const appointment& b) {
      const day fa = first_start(a), fb = first_start(b);
      return fa != fb ? fa < fb : snap.managers.records[a.manager].id < snap.managers.records[b.manager].id;
    });
    const appointment& keep = list.front();
    if (m.termination != termination_scope::none && !x.protect[key.first])
      for (std::size_t i = 1; i < list.size(); ++i) {
        change c;
        c.kind = op::end_manager;
        c.manager = list[i].manager;
        c.span = {ctx.today, list[i].run.to};
        c.reason = "duplicate of manager " + ctx.manager_id(keep.manager);
        out.push_back(std::move(c));
        ctx.diags.push_back({"DUPLICATE_MANAGER", severity::warn, ctx.manager_id(list[i].manager),
                             "another manager " + ctx.manager_id(keep.manager) + " already has this role"});
      }
    if (!m.update_level_on_mismatch) continue;
    const std::string& level = x.expected_level.at(key);
    const class_keys held = ctx.classes.keys_of_ref(keep.current->level, facet::manager_level);
    if (held.empty() || !held.intersects(ctx.classes.keys_of_value(level, facet::manager_level))) {
      change c;
      c.kind = op::update_manager;
      c.manager = keep.manager;
      c.span = {ctx.today, keep.current->valid.to};
      c.level = ctx.classes.output_of_value(level, facet::manager_level);
      c.reason = "level of " + ctx.unit_id(key.first) + " maps to " + c.level;
      out.push_back(std::move(c));
    }
  }
}

}  // namespace

std::vector<change> run_managers(const rule_context& ctx) {
  std::vector<change> out;
  if (!classes_resolve(ctx)) return out;
  const manager_run run = index_records(ctx);
  const std::vector<leder_unit> leders = decide_leder_units(run);
  const expectations x = expected_managers(ctx, leders, out);
  appointments have = type_appointments(ctx);
  creations(ctx, x, have, out);
  terminations(ctx, x, have, out);
  duplicates_and_levels(ctx, x, have, out);
  return out;
}

}  // namespace linemgr::core
