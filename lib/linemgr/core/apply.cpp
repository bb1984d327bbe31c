// Applying changes to a snapshot (doc/rules.md §6).
#include <string>
#include <vector>

#include <linemgr/core/apply_internal.hpp>
#include <linemgr/core/plan.hpp>

namespace linemgr::core {

namespace {

// Rebuilds a record's segments: parts outside `range` stay as they are, parts inside are
// passed to `edit`, which changes them in place or returns false to drop them.
template <class Segment, class Edit>
void edit_range(table<Segment>& t, index_t r, period range, Edit edit) {
  std::vector<Segment> out;
  bool touched = false;
  for (const Segment& s : t.segments_of(r)) {
    if (!s.valid.overlaps(range)) {
      out.push_back(s);
      continue;
    }
    touched = true;
    if (s.valid.from < range.from) {
      Segment before = s;
      before.valid.to = range.from;
      out.push_back(before);
    }
    Segment mid = s;
    mid.valid.from = std::max(s.valid.from, range.from);
    mid.valid.to = std::min(s.valid.to, range.to);
    if (edit(mid)) out.push_back(mid);
    if (range.to < s.valid.to) {
      Segment after = s;
      after.valid.from = range.to;
      out.push_back(after);
    }
  }
  if (touched) t.replace(r, out);
}

}  // namespace

std::string created_manager_id(const snapshot& snap, const change& c) {
  const std::string key = "linemgr:create_manager:" + std::string(snap.units.records[c.unit].id) + ":" +
                          std::string(snap.persons[c.person].id) + ":" + format_date(c.span.from);
  for (std::uint64_t salt = 0;; ++salt) {
    const std::uint64_t a = hash_string(key + ":" + std::to_string(salt));
    const std::uint64_t b = hash_string(std::to_string(salt) + ":" + key);
    std::string id = uuid_like(a, b);
    if (snap.managers.ids.find(id) == no_index) return id;
  }
}

index_t apply_change(snapshot& snap, const change& c, std::uint32_t tag) {
  switch (c.kind) {
    case op::set_unit_class: {
      const index_t ref = snap.intern_class(snap.arena->store(c.klass));
      edit_range(snap.units, c.unit, c.span, [&](unit_segment& s) {
        s.klass = ref;
        return true;
      });
      return no_index;
    }
    case op::create_manager: {
      manager_segment seg;
      seg.valid = c.span;
      seg.person = c.person;
      seg.unit = c.unit;
      seg.level = snap.intern_class(snap.arena->store(c.level));
      seg.type = snap.intern_class(snap.arena->store(c.type));
      seg.responsibilities_first = static_cast<std::uint32_t>(snap.responsibilities.size());
      seg.responsibilities_count = static_cast<std::uint32_t>(c.responsibilities.size());
      for (const std::string& r : c.responsibilities)
        snap.responsibilities.push_back(snap.intern_class(snap.arena->store(r)));
      const std::string_view id = snap.arena->store(created_manager_id(snap, c));
      const index_t m = snap.managers.add(id, std::span<const manager_segment>(&seg, 1));
      snap.managers.records[m].tag = tag;
      return m;
    }
    case op::update_manager: {
      const index_t ref = snap.intern_class(snap.arena->store(c.level));
      edit_range(snap.managers, c.manager, c.span, [&](manager_segment& s) {
        s.level = ref;
        return true;
      });
      return no_index;
    }
    case op::end_manager:
      edit_range(snap.managers, c.manager, c.span, [](manager_segment&) { return false; });
      return no_index;
    case op::vacate_manager:
      edit_range(snap.managers, c.manager, c.span, [](manager_segment& s) {
        s.person = no_index;
        return true;
      });
      return no_index;
    case op::end_association:
      edit_range(snap.associations, c.association, period{c.span.from, open_end},
                 [](association_segment&) { return false; });
      return no_index;
    case op::move_engagement: {
      const engagement_segment* at = snap.engagements.active_at(c.engagement, c.span.from);
      if (!at) return no_index;
      edit_range(snap.engagements, c.engagement, period{c.span.from, at->valid.to}, [&](engagement_segment& s) {
        s.unit = c.unit;
        return true;
      });
      return no_index;
    }
  }
  return no_index;
}

apply_report apply_plan(snapshot& snap, const plan& p) {
  apply_report report;
  for (std::size_t i = 0; i < p.changes.size(); ++i) {
    const index_t created = apply_change(snap, p.changes[i], no_index);
    if (created != no_index) report.created.push_back({i, std::string(snap.managers.records[created].id)});
    ++report.ok;
  }
  return report;
}

}  // namespace linemgr::core
