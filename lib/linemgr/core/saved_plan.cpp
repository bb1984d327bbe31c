#include <linemgr/core/saved_plan.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace linemgr::core {

namespace {

std::string dates(const period& p) { return format_date(p.from) + "|" + (p.to == open_end ? std::string() : format_date(p.to)); }

std::string ref_text(const snapshot& s, index_t r) {
  if (r == no_index) return {};
  const class_ref& c = s.class_refs[r];
  if (!c.is_object) return std::string(c.text);
  return std::string(!c.uuid.empty() ? c.uuid : !c.user_key.empty() ? c.user_key : c.name);
}

// The fields a change and a saved change share (all but the records it names).
template <class From, class To>
void copy_values(const From& from, To& to) {
  to.span = from.span;
  to.klass = from.klass;
  to.was = from.was;
  to.was_null = from.was_null;
  to.level = from.level;
  to.type = from.type;
  to.responsibilities = from.responsibilities;
  to.reason = from.reason;
}

template <class Table>
index_t find_id(const Table& t, const std::string& id) {
  return id.empty() ? no_index : t.ids.find(id);
}

}  // namespace

std::string record_text(const snapshot& s, record_kind kind, index_t r) {
  std::string out;
  auto person = [&](index_t p) { return p == no_index ? std::string() : std::string(s.persons[p].id); };
  auto unit = [&](index_t u) { return u == no_index ? std::string() : std::string(s.units.records[u].id); };
  switch (kind) {
    case record_kind::unit:
      for (const unit_segment& g : s.units.segments_of(r))
        out += fmt::format("{}|{}|{}|{};", dates(g.valid), g.parent_id, ref_text(s, g.level), ref_text(s, g.klass));
      break;
    case record_kind::engagement:
      for (const engagement_segment& g : s.engagements.segments_of(r))
        out += fmt::format("{}|{}|{}|{}|{};", dates(g.valid), person(g.person), unit(g.unit), ref_text(s, g.type), g.primary ? 1 : 0);
      break;
    case record_kind::association:
      for (const association_segment& g : s.associations.segments_of(r))
        out += fmt::format("{}|{}|{}|{};", dates(g.valid), person(g.person), unit(g.unit), ref_text(s, g.type));
      break;
    case record_kind::manager:
      for (const manager_segment& g : s.managers.segments_of(r)) {
        out += fmt::format("{}|{}|{}|{}|{}|", dates(g.valid), person(g.person), unit(g.unit), ref_text(s, g.level), ref_text(s, g.type));
        for (index_t x : s.responsibilities_of(g)) out += ref_text(s, x) + ",";
        out += ";";
      }
      break;
  }
  return out;
}

std::string digest_of(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

std::vector<std::string> change_fingerprints(const snapshot& s, const plan& p) {
  // The managers of each unit a create names, found in one pass.
  std::vector<std::vector<index_t>> managers_of(s.units.size());
  std::vector<std::uint8_t> wanted(s.units.size(), 0);
  for (const change& c : p.changes)
    if (c.kind == op::create_manager && c.unit < s.units.size()) wanted[c.unit] = 1;
  for (index_t m = 0; m < s.managers.size(); ++m) {
    index_t last = no_index;
    for (const manager_segment& g : s.managers.segments_of(m))
      if (g.unit != no_index && g.unit != last && wanted[g.unit]) {
        managers_of[g.unit].push_back(m);
        last = g.unit;
      }
  }
  std::vector<std::string> out;
  out.reserve(p.changes.size());
  for (const change& c : p.changes) {
    std::string text;
    auto add = [&](record_kind k, index_t r, std::string_view label) {
      text += label;
      text += ':';
      if (r != no_index) text += record_text(s, k, r);
      text += '\n';
    };
    switch (c.kind) {
      case op::set_unit_class: add(record_kind::unit, c.unit, "unit"); break;
      case op::create_manager: {
        add(record_kind::unit, c.unit, "unit");
        std::vector<index_t> ms = managers_of[c.unit];
        std::sort(ms.begin(), ms.end(), [&](index_t a, index_t b) { return s.managers.records[a].id < s.managers.records[b].id; });
        ms.erase(std::unique(ms.begin(), ms.end()), ms.end());
        for (index_t m : ms) add(record_kind::manager, m, s.managers.records[m].id);
        break;
      }
      case op::update_manager:
      case op::end_manager:
      case op::vacate_manager: add(record_kind::manager, c.manager, "manager"); break;
      case op::end_association: add(record_kind::association, c.association, "association"); break;
      case op::move_engagement:
        add(record_kind::engagement, c.engagement, "engagement");
        add(record_kind::unit, c.unit, "unit");
        break;
    }
    out.push_back(digest_of(text));
  }
  return out;
}

void describe(const snapshot& s, saved_change& c) {
  auto unit_named = [&](index_t u, std::string& name) {
    if (u != no_index) name = s.unit_name(u);
  };
  auto person_named = [&](index_t p, std::string& name) {
    if (p != no_index) name = s.persons[p].name;
  };
  const index_t unit = c.unit.empty() ? no_index : s.units.ids.find(c.unit);
  unit_named(unit, c.unit_name);
  person_named(c.person.empty() ? no_index : s.person_ids.find(c.person), c.person_name);
  // The subject's unit and person: from its segment at the change's start, else its last one.
  auto subject = [&](const auto& table, const std::string& id) {
    const index_t r = id.empty() ? no_index : table.ids.find(id);
    if (r == no_index) return;
    const auto* g = table.active_at(r, c.span.from);
    if (!g) g = table.last(r);
    if (!g) return;
    person_named(g->person, c.subject_person_name);
    if (c.group_unit.empty() && g->unit != no_index) {
      c.group_unit = s.units.records[g->unit].id;
      c.group_unit_name = s.unit_name(g->unit);
    }
  };
  subject(s.managers, c.manager);
  subject(s.associations, c.association);
  subject(s.engagements, c.engagement);
  if (c.group_unit.empty()) {
    c.group_unit = c.unit;
    c.group_unit_name = c.unit_name;
  }
}

void saved_change_of(const snapshot& s, const change& c, saved_change& sc) {
  sc = saved_change{};
  sc.kind = c.kind;
  if (c.unit != no_index) sc.unit = s.units.records[c.unit].id;
  if (c.person != no_index) sc.person = s.persons[c.person].id;
  if (c.manager != no_index) sc.manager = s.managers.records[c.manager].id;
  if (c.association != no_index) sc.association = s.associations.records[c.association].id;
  if (c.engagement != no_index) sc.engagement = s.engagements.records[c.engagement].id;
  copy_values(c, sc);
}

saved_plan saved_from(const snapshot& s, const plan& p) {
  saved_plan out;
  out.today = p.today;
  out.diagnostics = p.diagnostics;
  out.changes.resize(p.changes.size());
  for (std::size_t i = 0; i < p.changes.size(); ++i) saved_change_of(s, p.changes[i], out.changes[i]);
  return out;
}

resolved_plan resolve_saved_plan(const snapshot& s, const saved_plan& saved, std::string_view where) {
  resolved_plan out;
  out.fresh.today = saved.today;
  out.fresh.diagnostics = saved.diagnostics;
  for (std::size_t i = 0; i < saved.changes.size(); ++i) {
    const saved_change& sc = saved.changes[i];
    change c;
    c.kind = sc.kind;
    copy_values(sc, c);
    std::string missing;
    auto need = [&](index_t& slot, index_t found, const std::string& id, std::string_view what) {
      slot = found;
      if (!id.empty() && found == no_index && missing.empty()) missing = fmt::format("{} {} is no longer in {}", what, id, where);
    };
    need(c.unit, find_id(s.units, sc.unit), sc.unit, "unit");
    need(c.manager, find_id(s.managers, sc.manager), sc.manager, "manager");
    need(c.association, find_id(s.associations, sc.association), sc.association, "association");
    need(c.engagement, find_id(s.engagements, sc.engagement), sc.engagement, "engagement");
    need(c.person, sc.person.empty() ? no_index : s.person_ids.find(sc.person), sc.person, "person");
    if (!missing.empty()) {
      out.stale.push_back({i, missing});
      continue;
    }
    plan one;
    one.changes.push_back(c);
    if (change_fingerprints(s, one).front() != sc.fingerprint) {
      out.stale.push_back({i, fmt::format("its records changed in {} after the plan was made; not applied", where)});
      continue;
    }
    out.fresh.changes.push_back(std::move(c));
    out.origin.push_back(i);
  }
  return out;
}

std::vector<event> saved_plan_events(const saved_plan& saved) {
  std::vector<event> out;
  for (const saved_change& c : saved.changes) {
    if (!c.unit.empty()) out.push_back({event_kind::org_unit, c.unit});
    if (!c.manager.empty()) out.push_back({event_kind::manager, c.manager});
    if (!c.association.empty()) out.push_back({event_kind::association, c.association});
    if (!c.engagement.empty()) out.push_back({event_kind::engagement, c.engagement});
  }
  return out;
}

apply_report report_in_saved_order(const resolved_plan& resolved, const apply_report& fresh) {
  apply_report out;
  out.ok = fresh.ok;
  out.fatal = fresh.fatal;
  for (const auto& f : fresh.failed) out.failed.push_back({resolved.origin[f.change], f.error});
  for (const auto& f : fresh.stale) out.stale.push_back({resolved.origin[f.change], f.error});
  out.stale.insert(out.stale.end(), resolved.stale.begin(), resolved.stale.end());
  std::sort(out.stale.begin(), out.stale.end(), [](const auto& a, const auto& b) { return a.change < b.change; });
  for (const auto& c : fresh.created) out.created.push_back({resolved.origin[c.change], c.id});
  return out;
}

}  // namespace linemgr::core
