// Planning a scope from the part of the snapshot it reads (what os2mo_connection::load_scope reads
// from OS2mo, taken from a snapshot in memory).
#include <linemgr/core/scope.hpp>

#include <linemgr/core/planner_internal.hpp>

namespace linemgr::core {

namespace {

// What scope_snapshot keeps of a unit.
enum : std::uint8_t { loaded = 1, complete = 2, on_path = 4, below_root = 8 };

// True when some segment of record r lies in a unit marked `loaded`.
template <class Segment>
bool in_loaded_unit(const table<Segment>& t, index_t r, const std::vector<std::uint8_t>& mark) {
  for (const Segment& s : t.segments_of(r))
    if (s.unit != no_index && (mark[s.unit] & loaded)) return true;
  return false;
}

// True when some segment of record r belongs to a marked person.
template <class Segment>
bool of_marked_person(const table<Segment>& t, index_t r, const std::vector<std::uint8_t>& persons) {
  for (const Segment& s : t.segments_of(r))
    if (s.person != no_index && persons[s.person]) return true;
  return false;
}

// Copies the chosen records of `from` into `to` (ascending index order), with their segments' unit
// and person indices translated; `segment` adjusts anything else a segment refers to.
template <class Segment, class Adjust>
void copy_records(const table<Segment>& from, const std::vector<std::uint8_t>& chosen, const std::vector<index_t>& unit_in_part,
                  const snapshot& full, snapshot& part, table<Segment>& to, Adjust segment) {
  std::vector<Segment> segs;
  for (index_t r = 0; r < from.size(); ++r) {
    if (!chosen[r]) continue;
    segs.assign(from.segments_of(r).begin(), from.segments_of(r).end());
    for (Segment& s : segs) {
      if (s.unit != no_index) s.unit = unit_in_part[s.unit];
      if (s.person != no_index) {
        const person& who = full.persons[s.person];
        s.person = part.intern_person(who.id);
        part.persons[s.person] = who;
      }
      segment(s);
    }
    to.add(from.records[r].id, segs);
  }
}

// What a scope reads of a snapshot: per unit its `mark`, per record whether it is read.
struct scope_selection {
  std::vector<std::uint8_t> mark, engagements, associations, managers;
  std::size_t units = 0;  // units read
};

// Scratch memory kept between batches on the same thread: per-batch vectors the size of the
// organisation would otherwise cost fresh pages (page faults) on every batch.
struct scratch {
  scope_selection sel;
  std::vector<std::uint8_t> persons;
  std::vector<index_t> unit_in_part;
};
scratch& scratch_space() {
  thread_local scratch s;
  return s;
}

const scope_selection& select_scope(const snapshot& full, const std::vector<index_t>& roots, day today) {
  const std::size_t n = full.units.size();
  scope_selection& sel = scratch_space().sel;
  sel.units = 0;
  const parent_graph graph(full, today);
  std::vector<std::uint8_t>& mark = sel.mark;
  mark.assign(n, 0);

  // Paths (ancestors, walks stop where an earlier one went) and subtrees: complete.
  std::vector<index_t> path;
  for (index_t root : roots) {
    if (root == no_index || root >= n) continue;
    for (index_t u = root; u != no_index && !(mark[u] & on_path); u = graph.parent[u]) {
      mark[u] |= on_path | loaded | complete;
      path.push_back(u);
    }
  }
  std::vector<index_t> stack;
  for (index_t root : roots)
    if (root < n && !(mark[root] & below_root)) {
      mark[root] |= below_root;
      stack.push_back(root);
    }
  while (!stack.empty()) {
    const index_t u = stack.back();
    stack.pop_back();
    for (index_t c : graph.children_of(u))
      if (!(mark[c] & below_root)) {
        mark[c] |= loaded | complete | below_root;
        stack.push_back(c);
      }
  }
  // The children and grandchildren of the paths: siblings, and leder units that designate managers.
  for (index_t p : path)
    for (index_t c : graph.children_of(p)) {
      mark[c] |= loaded;
      for (index_t g : graph.children_of(c)) mark[g] |= loaded;
    }

  // The records in those units, their persons, and those persons' other engagements and manager roles.
  std::vector<std::uint8_t>&engagements = sel.engagements, &associations = sel.associations, &managers = sel.managers;
  engagements.assign(full.engagements.size(), 0);
  associations.assign(full.associations.size(), 0);
  managers.assign(full.managers.size(), 0);
  std::vector<std::uint8_t>& persons = scratch_space().persons;
  persons.assign(full.persons.size(), 0);
  auto mark_persons = [&](const auto& t, index_t r) {
    for (const auto& s : t.segments_of(r))
      if (s.person != no_index) persons[s.person] = 1;
  };
  for (index_t r = 0; r < full.engagements.size(); ++r)
    if (in_loaded_unit(full.engagements, r, mark)) engagements[r] = 1, mark_persons(full.engagements, r);
  for (index_t r = 0; r < full.associations.size(); ++r)
    if (in_loaded_unit(full.associations, r, mark)) associations[r] = 1, mark_persons(full.associations, r);
  for (index_t r = 0; r < full.managers.size(); ++r)
    if (in_loaded_unit(full.managers, r, mark)) managers[r] = 1, mark_persons(full.managers, r);
  for (index_t r = 0; r < full.engagements.size(); ++r)
    if (!engagements[r] && of_marked_person(full.engagements, r, persons)) engagements[r] = 1;
  for (index_t r = 0; r < full.managers.size(); ++r)
    if (!managers[r] && of_marked_person(full.managers, r, persons)) managers[r] = 1;
  // The units those records name, as they stand.
  auto name_units = [&](const auto& t, const std::vector<std::uint8_t>& chosen) {
    for (index_t r = 0; r < t.size(); ++r)
      if (chosen[r])
        for (const auto& s : t.segments_of(r))
          if (s.unit != no_index) mark[s.unit] |= loaded;
  };
  name_units(full.engagements, engagements);
  name_units(full.associations, associations);
  name_units(full.managers, managers);
  for (std::uint8_t m : mark) sel.units += (m & loaded) ? 1 : 0;
  return sel;
}

// The selected part of `full` as a snapshot of its own.
snapshot build_part(const snapshot& full, const scope_selection& sel) {
  const std::size_t n = full.units.size();
  const std::vector<std::uint8_t>& mark = sel.mark;
  snapshot part;
  part.partial = true;
  part.arena = full.arena;
  part.organisation = full.organisation;
  part.today = full.today;
  part.classes = full.classes;
  part.class_refs = full.class_refs;
  part.class_ref_ids = full.class_ref_ids;
  // Every unit's index first: a parent may come later than its child.
  std::vector<index_t>& unit_in_part = scratch_space().unit_in_part;
  unit_in_part.assign(n, no_index);
  index_t next = 0;
  for (index_t u = 0; u < n; ++u)
    if (mark[u] & loaded) unit_in_part[u] = next++;
  part.units.ids.reserve(next);
  std::vector<unit_segment> segs;
  for (index_t u = 0; u < n; ++u) {
    if (!(mark[u] & loaded)) continue;
    segs.assign(full.units.segments_of(u).begin(), full.units.segments_of(u).end());
    for (unit_segment& s : segs)
      if (s.parent != no_index) s.parent = unit_in_part[s.parent];
    part.units.add(full.units.records[u].id, segs);
    part.unit_infos.push_back(full.unit_infos[u]);
    part.frozen.push_back((mark[u] & complete) ? 0 : 1);
  }
  copy_records(full.engagements, sel.engagements, unit_in_part, full, part, part.engagements, [](engagement_segment&) {});
  copy_records(full.associations, sel.associations, unit_in_part, full, part, part.associations, [](association_segment&) {});
  copy_records(full.managers, sel.managers, unit_in_part, full, part, part.managers, [&](manager_segment& s) {
    const auto first = static_cast<std::uint32_t>(part.responsibilities.size());
    for (index_t c : full.responsibilities_of(s)) part.responsibilities.push_back(c);
    s.responsibilities_first = first;
  });
  return part;
}

}  // namespace

snapshot scope_snapshot(const snapshot& full, const std::vector<index_t>& roots, day today) {
  return build_part(full, select_scope(full, roots, today));
}

plan translate_plan(const plan& p, const snapshot& part, const snapshot& full) {
  plan out = p;
  auto to_full = [](index_t i, const auto& from, const auto& to) { return i == no_index ? no_index : to.ids.find(from.records[i].id); };
  for (change& c : out.changes) {
    c.unit = to_full(c.unit, part.units, full.units);
    c.manager = to_full(c.manager, part.managers, full.managers);
    c.association = to_full(c.association, part.associations, full.associations);
    c.engagement = to_full(c.engagement, part.engagements, full.engagements);
    if (c.person != no_index) c.person = full.person_ids.find(part.persons[c.person].id);
  }
  return out;
}

plan plan_part(const snapshot& full, const snapshot& part, const config& cfg, day today, const std::vector<index_t>& roots) {
  std::vector<index_t> part_roots;
  for (index_t r : roots)
    if (r < full.units.size())
      if (const index_t p = part.units.ids.find(full.units.records[r].id); p != no_index) part_roots.push_back(p);
  const plan whole_part = make_plan(part, cfg, today);
  plan out = translate_plan(scope_plan_units(part, cfg, whole_part, part_roots), part, full);
  // The part cannot tell a configured unit that is elsewhere from one that is nowhere; `full` can.
  if (cfg.modules.hierarchy) {
    const auto& h = cfg.hierarchy;
    for (const auto* ids : {&h.top_level, &h.hidden_roots, &h.self_owned_roots, &h.external_roots})
      for (const std::string& id : *ids)
        if (full.units.ids.find(id) == no_index) out.diagnostics.push_back(unknown_configured_unit(id));
    sort_diagnostics(out.diagnostics);
  }
  return out;
}

plan plan_scope(const snapshot& full, const config& cfg, day today, const std::vector<index_t>& roots) {
  const scope_selection& sel = select_scope(full, roots, today);
  // A scope that reads much of the organisation (a root's, say) is planned whole: as fast, and G9
  // without the assumption about the units outside.
  if (sel.units * 4 > full.units.size()) return scope_plan_units(full, cfg, make_plan(full, cfg, today), roots);
  return plan_part(full, build_part(full, sel), cfg, today, roots);
}

}  // namespace linemgr::core
