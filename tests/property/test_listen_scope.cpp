// A listener's batches on generated organisations: for edits of every kind (as OS2mo records them,
// from today on) and the events they raise, the plan made from the part of the snapshot the seeds'
// scopes read (core::plan_scope) equals the full plan scoped to the seeds (G9, H11); and after any
// sequence of edits and batches the organisation is where one reconcile-all would leave it.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <linemgr/core/events.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/scope.hpp>
#include <linemgr/core/text.hpp>
#include <linemgr/io/config_file.hpp>
#include <linemgr/io/plan_output.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include "org_generator.hpp"

namespace examples = linemgr::examples;
using namespace linemgr::core;
using namespace linemgr::io;

namespace {

// Deterministic numbers (splitmix64).
struct numbers {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  index_t below(std::size_t n) { return static_cast<index_t>(next() % n); }
};

// Edits record r from `from` on, as OS2mo does: the segment containing `from` is split, `edit` is
// applied to every part from `from` on, and a part is dropped when `edit` returns false (an end).
template <class Segment, class Edit>
void edit_from(table<Segment>& t, index_t r, day from, Edit edit) {
  std::vector<Segment> out;
  for (Segment s : t.segments_of(r)) {
    if (s.valid.to <= from) {
      out.push_back(s);
      continue;
    }
    if (s.valid.from < from) {
      Segment before = s;
      before.valid.to = from;
      out.push_back(before);
      s.valid.from = from;
    }
    if (edit(s)) out.push_back(s);
  }
  t.replace(r, out);
}

// True when record r existed before `day`: an edit from `day` on leaves its past in place (an edit
// of a record that starts that day would erase its history, and an event could not tell where it was).
template <class Segment>
bool has_past(const table<Segment>& t, index_t r, day d) {
  return t.records[r].count > 0 && t.segments_of(r).front().valid.from < d;
}

// True when `a` is `u` or one of its ancestors today.
bool is_ancestor_or_self(const snapshot& s, index_t a, index_t u, day today) {
  for (std::size_t steps = 0; u != no_index && steps <= s.units.size(); ++steps) {
    if (u == a) return true;
    const unit_segment* seg = s.units.active_at(u, today);
    u = seg && !s.is_root_parent(*seg) ? seg->parent : no_index;
  }
  return false;
}

// One random edit of the kind `kind` to `s`; appends the event OS2mo would raise. Returns false
// when the kind found nothing to edit.
bool edit_once(snapshot& s, numbers& rnd, int kind, day today, std::vector<event>& events) {
  const std::size_t units = s.units.size();
  switch (kind) {
    case 0: {  // an engagement moves to another unit (often in another subtree)
      const index_t e = rnd.below(s.engagements.size());
      const index_t to = rnd.below(units);
      if (!has_past(s.engagements, e, today)) return false;
      edit_from(s.engagements, e, today, [&](engagement_segment& g) { return g.unit = to, true; });
      events.push_back({event_kind::engagement, std::string(s.engagements.records[e].id)});
      return true;
    }
    case 1: {  // a manager role goes to another person, or falls vacant
      if (s.managers.size() == 0) return false;
      const index_t m = rnd.below(s.managers.size());
      const index_t p = rnd.next() % 3 == 0 ? no_index : rnd.below(s.persons.size());
      if (!has_past(s.managers, m, today)) return false;
      edit_from(s.managers, m, today, [&](manager_segment& g) { return g.person = p, true; });
      events.push_back({event_kind::manager, std::string(s.managers.records[m].id)});
      return true;
    }
    case 2: {  // a manager role ends
      if (s.managers.size() == 0) return false;
      const index_t m = rnd.below(s.managers.size());
      if (!has_past(s.managers, m, today)) return false;
      edit_from(s.managers, m, today, [](manager_segment&) { return false; });
      events.push_back({event_kind::manager, std::string(s.managers.records[m].id)});
      return true;
    }
    case 3: {  // a unit moves under another subtree
      const index_t u = rnd.below(units);
      const index_t to = rnd.below(units);
      if (is_ancestor_or_self(s, u, to, today) || !has_past(s.units, u, today)) return false;  // no cycles made here
      edit_from(s.units, u, today, [&](unit_segment& g) { return g.parent = to, g.parent_id = s.units.records[to].id, true; });
      events.push_back({event_kind::org_unit, std::string(s.units.records[u].id)});
      return true;
    }
    case 4: {  // a unit's level or class is changed by hand
      const index_t u = rnd.below(units);
      const index_t like = rnd.below(units);
      const unit_segment* other = s.units.last(like);
      if (!other || !has_past(s.units, u, today)) return false;
      const bool level = rnd.next() % 2 == 0;
      edit_from(s.units, u, today, [&](unit_segment& g) { return (level ? g.level = other->level : g.klass = other->klass), true; });
      events.push_back({event_kind::org_unit, std::string(s.units.records[u].id)});
      return true;
    }
    case 5: {  // someone is designated in a leder unit (a new association)
      std::vector<index_t> leder;
      for (index_t u = 0; u < units; ++u)
        if (ends_with(normalize_name(s.unit_name(u)), "_leder")) leder.push_back(u);
      if (leder.empty()) return false;
      const association_segment seg{{today, open_end}, rnd.below(s.persons.size()), leder[rnd.below(leder.size())], no_index};
      const std::string_view id = s.arena->store("new-association-" + std::to_string(s.associations.size()));
      s.associations.add(id, std::span(&seg, 1));
      events.push_back({event_kind::association, std::string(id)});
      return true;
    }
    case 6: {  // an association ends
      if (s.associations.size() == 0) return false;
      const index_t a = rnd.below(s.associations.size());
      if (!has_past(s.associations, a, today)) return false;
      edit_from(s.associations, a, today, [](association_segment&) { return false; });
      events.push_back({event_kind::association, std::string(s.associations.records[a].id)});
      return true;
    }
    default: {  // a person leaves: every engagement of theirs ends (a person event)
      const index_t e = rnd.below(s.engagements.size());
      const engagement_segment* seg = s.engagements.last(e);
      if (!seg || seg->person == no_index) return false;
      const index_t p = seg->person;
      for (index_t r = 0; r < s.engagements.size(); ++r)
        for (const engagement_segment& g : s.engagements.segments_of(r))
          if (g.person == p && has_past(s.engagements, r, today)) {
            edit_from(s.engagements, r, today, [](engagement_segment&) { return false; });
            break;
          }
      events.push_back({event_kind::person, std::string(s.persons[p].id)});
      return true;
    }
  }
}

}  // namespace

TEST_SUITE("property") {
  TEST_CASE("a batch planned from its scope's part of the snapshot equals the full plan scoped to its seeds (G9, H11)") {
    for (std::uint64_t seed : {1, 2, 3, 4, 5, 6}) {
      CAPTURE(seed);
      examples::org_options o;
      o.units = 500;
      o.seed = seed;
      o.persons_per_unit = 3.0;
      const auto g = examples::generate_org(o);
      auto parsed = parse_snapshot(g.snapshot_json, "generated");
      REQUIRE(parsed);
      auto cfg = parse_config(g.config_toml, "generated");
      REQUIRE(cfg);
      if (seed % 2 == 0) cfg->modules.elevation = true;
      snapshot s = std::move(*parsed);
      const day today = *parse_date(o.today);
      apply_plan(s, make_plan(s, *cfg, today));  // a listener starts from a reconciled organisation
      REQUIRE(make_plan(s, *cfg, today).changes.empty());

      numbers rnd{seed};
      std::size_t batches = 0, changes = 0;
      for (int round = 0; round < 80; ++round) {
        CAPTURE(round);
        std::vector<event> events;
        const int edits = round % 10 == 9 ? 8 : 1;  // mostly one event, sometimes a burst
        for (int i = 0; i < edits; ++i) {
          const int kind = static_cast<int>(rnd.next() % 8);
          (void)edit_once(s, rnd, kind, today, events);
        }
        const std::vector<index_t> seeds = seed_units(s, events);
        const plan expected = scope_plan_units(s, *cfg, make_plan(s, *cfg, today), seeds);
        const plan got = plan_part(s, scope_snapshot(s, seeds, today), *cfg, today, seeds);
        REQUIRE(plan_to_json(s, got, nullptr) == plan_to_json(s, expected, nullptr));
        REQUIRE(plan_to_json(s, plan_scope(s, *cfg, today, seeds), nullptr) == plan_to_json(s, expected, nullptr));
        apply_plan(s, got);
        ++batches;
        changes += got.changes.size();
      }
      // Every edit came with its event: the batches leave nothing for a full reconcile to do.
      const plan rest = make_plan(s, *cfg, today);
      CHECK(rest.changes.empty());
      if (!rest.changes.empty()) MESSAGE(plan_to_text(s, rest, nullptr).substr(0, 3000));
      CHECK(batches == 80);
      CHECK(changes > 20);  // the edits did make the rules act
    }
  }
}
