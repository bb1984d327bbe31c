// Properties over generated organisations of several sizes and seeds: fixpoint (G7), scoped plans
// (G9) and byte-identical output (G6).
#include <set>
#include <string>

#include <doctest/doctest.h>

#include <linemgr/core/plan.hpp>
#include <linemgr/io/config_file.hpp>
#include <linemgr/io/plan_output.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include "org_generator.hpp"

namespace examples = linemgr::examples;
using namespace linemgr::core;
using namespace linemgr::io;

namespace {

struct org {
  snapshot snap;
  config cfg;
  day today;
};

org generated(std::size_t units, std::uint64_t seed, bool elevation) {
  examples::org_options o;
  o.units = units;
  o.seed = seed;
  o.persons_per_unit = 3.0;
  const auto g = examples::generate_org(o);
  auto s = parse_snapshot(g.snapshot_json, "generated");
  REQUIRE(s);
  auto c = parse_config(g.config_toml, "generated");
  REQUIRE(c);
  if (elevation) c->modules.elevation = true;
  return {std::move(s.value()), std::move(c.value()), *parse_date(o.today)};
}

// Scope(U) computed independently: ancestors and descendants in the parent graph.
std::set<index_t> scope_of(const snapshot& s, index_t root, day today) {
  auto parent = [&](index_t u) -> index_t {
    const unit_segment* seg = s.units.active_at(u, today);
    if (!seg) seg = s.units.last(u);
    return !seg || s.is_root_parent(*seg) ? no_index : seg->parent;
  };
  std::set<index_t> out{root};
  for (index_t u = parent(root); u != no_index && out.insert(u).second; u = parent(u)) {
  }
  bool grew = true;
  std::set<index_t> below{root};
  while (grew) {
    grew = false;
    for (index_t u = 0; u < s.units.size(); ++u)
      if (!below.count(u) && parent(u) != no_index && below.count(parent(u))) grew = below.insert(u).second || grew;
  }
  out.insert(below.begin(), below.end());
  return out;
}

}  // namespace

TEST_SUITE("property") {
  TEST_CASE("fixpoint: applying a plan and planning again gives no changes (G7)") {
    for (std::size_t units : {150, 600, 2000})
      for (std::uint64_t seed : {1, 2, 3})
        for (bool elevation : {false, true}) {
          CAPTURE(units);
          CAPTURE(seed);
          CAPTURE(elevation);
          org o = generated(units, seed, elevation);
          const std::string before = snapshot_to_json(o.snap);
          const plan p = make_plan(o.snap, o.cfg, o.today);
          CHECK(snapshot_to_json(o.snap) == before);  // the planner never changes its input
          CHECK_FALSE(p.changes.empty());
          apply_plan(o.snap, p);
          // Through the file format too, as --write-snapshot does.
          auto written = parse_snapshot(snapshot_to_json(o.snap), "applied");
          REQUIRE(written);
          const plan again = make_plan(*written, o.cfg, o.today);
          CHECK(again.changes.size() == 0);
          if (!again.changes.empty()) MESSAGE(plan_to_text(*written, again, nullptr).substr(0, 2000));
        }
  }

  TEST_CASE("reconcile-unit equals reconcile-all filtered to the unit's scope, and is a fixpoint too (G9)") {
    for (std::uint64_t seed : {4, 5}) {
      org o = generated(400, seed, seed == 5);
      const plan full = make_plan(o.snap, o.cfg, o.today);
      std::set<std::string> all_lines;
      const std::string full_json = plan_to_json(o.snap, full, nullptr);
      for (index_t u = 0; u < o.snap.units.size(); u += 7) {
        CAPTURE(o.snap.units.records[u].id);
        const plan scoped = scope_plan(o.snap, o.cfg, full, o.snap.units.records[u].id);
        const std::set<index_t> scope = scope_of(o.snap, u, o.today);
        // Every kept change is in scope, and every set_unit_class/create/move in scope is kept.
        std::size_t expected = 0;
        for (const change& c : full.changes)
          if ((c.kind == op::set_unit_class || c.kind == op::create_manager || c.kind == op::move_engagement) && scope.count(c.unit)) ++expected;
        std::size_t kept = 0;
        for (const change& c : scoped.changes)
          if (c.kind == op::set_unit_class || c.kind == op::create_manager || c.kind == op::move_engagement) {
            CHECK(scope.count(c.unit) == 1);
            ++kept;
          }
        CHECK(kept == expected);
        // A subsequence of the full plan, in the same order.
        std::size_t at = 0;
        for (const change& c : scoped.changes) {
          while (at < full.changes.size() && !(full.changes[at].kind == c.kind && full.changes[at].span == c.span &&
                                               subject_id(o.snap, full.changes[at]) == subject_id(o.snap, c)))
            ++at;
          CHECK(at < full.changes.size());
        }
        if (u % 35 == 0) {  // G7 for reconcile-unit
          snapshot applied = o.snap;
          apply_plan(applied, scoped);
          const plan again = scope_plan(applied, o.cfg, make_plan(applied, o.cfg, o.today), o.snap.units.records[u].id);
          CHECK(again.changes.size() == 0);
        }
      }
    }
  }

  TEST_CASE("equal input gives byte-equal output (G6)") {
    for (std::uint64_t seed : {7, 8}) {
      examples::org_options opts;
      opts.units = 500;
      opts.seed = seed;
      const auto g1 = examples::generate_org(opts);
      const auto g2 = examples::generate_org(opts);
      REQUIRE(g1.snapshot_json == g2.snapshot_json);  // the generator itself is deterministic
      auto s1 = parse_snapshot(g1.snapshot_json, "one");
      auto s2 = parse_snapshot(g2.snapshot_json, "two");
      auto c = parse_config(g1.config_toml, "cfg");
      REQUIRE((s1 && s2 && c));
      const day today = *parse_date(opts.today);
      CHECK(plan_to_json(*s1, make_plan(*s1, *c, today), nullptr) == plan_to_json(*s2, make_plan(*s2, *c, today), nullptr));
      CHECK(plan_to_text(*s1, make_plan(*s1, *c, today), nullptr) == plan_to_text(*s2, make_plan(*s2, *c, today), nullptr));
      CHECK(snapshot_to_json(*s1) == snapshot_to_json(*s2));
    }
  }
}
