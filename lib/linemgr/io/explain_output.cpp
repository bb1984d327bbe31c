#include <linemgr/io/explain_output.hpp>

#include <fmt/format.h>

#include <linemgr/io/json_internal.hpp>

namespace linemgr::io {

namespace {

std::string unit_label(const snapshot& snap, index_t u) {
  const std::string_view name = snap.unit_infos[u].name;
  return name.empty() ? std::string(snap.units.records[u].id) : fmt::format("{} ({})", snap.units.records[u].id, name);
}

std::string person_label(const snapshot& snap, index_t p) {
  if (p == no_index) return "(vacant)";
  const std::string_view name = snap.persons[p].name;
  return name.empty() ? std::string(snap.persons[p].id) : fmt::format("{} ({})", snap.persons[p].id, name);
}

using writer_t = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void key(writer_t& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void str(writer_t& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void id_list(writer_t& w, std::string_view name, const std::vector<index_t>& ids, auto id_of) {
  key(w, name);
  w.StartArray();
  for (index_t i : ids) str(w, id_of(i));
  w.EndArray();
}

}  // namespace

std::string explanation_to_text(const snapshot& snap, const config& cfg, day today, const unit_explanation& x) {
  std::string out = fmt::format("unit {} on {}\n", unit_label(snap, x.unit), format_date(today));
  if (!x.current) return out + "  not active on this day: it is not classified and is no parent or child today (G2)\n";
  if (x.in_cycle) return out + "  on or below a parent cycle: hierarchy, managers and elevation ignore it (G3)\n";
  out += fmt::format("  class now:    {}\n", x.current_class.empty() ? "(none)" : x.current_class);
  out += fmt::format("  class target: {}  by {}: {}\n", x.target_class, x.rule, x.rule_text);
  if (x.root_cause != no_index) out += fmt::format("  root:         {}\n", unit_label(snap, x.root_cause));
  std::string path;
  for (index_t a : x.ancestors) path += fmt::format("{}{}", path.empty() ? "" : " > ", snap.units.records[a].id);
  out += fmt::format("  ancestors:    {}\n", path.empty() ? "(root)" : path);
  out += fmt::format("  top-level:    {}\n", x.top_level_ancestor != no_index ? "below " + std::string(snap.units.records[x.top_level_ancestor].id)
                                                                                 : std::string("no ancestor is in hierarchy.top_level"));
  out += fmt::format("  level:        {} ({})\n", x.level.empty() ? "(none)" : x.level,
                     x.level_ok ? "matches hierarchy.levels" : "does not match hierarchy.levels");
  out += fmt::format("  people:       {}\n", x.people_ok ? "yes" : "no");
  for (const engagement_note& e : x.engagements)
    out += fmt::format("    engagement {} of {}: {}\n", snap.engagements.records[e.engagement].id, person_label(snap, e.person),
                       e.excluded_because.empty() ? "counted" : "not counted: " + e.excluded_because);
  for (index_t a : x.associations) {
    const association_segment* s = snap.associations.active_at(a, today);
    out += fmt::format("    association {} of {}: {}\n", snap.associations.records[a].id, person_label(snap, s ? s->person : no_index),
                       cfg.hierarchy.count_associations ? "counted" : "not counted (count_associations = false)");
  }
  for (index_t c : x.line_children) out += fmt::format("  line-management child: {}\n", unit_label(snap, c));
  for (const leder_note& l : x.leder_children) {
    out += fmt::format("  leder unit {}:", unit_label(snap, l.unit));
    if (l.associations.empty()) out += " no current association";
    for (index_t a : l.associations) {
      const association_segment* s = snap.associations.active_at(a, today);
      out += fmt::format(" {} designates {};", snap.associations.records[a].id, person_label(snap, s ? s->person : no_index));
    }
    out += "\n";
  }
  if (x.managers.empty()) out += "  managers:     none current\n";
  for (index_t m : x.managers) {
    const manager_segment* s = snap.managers.active_at(m, today);
    out += fmt::format("  manager {}: {}\n", snap.managers.records[m].id, person_label(snap, s ? s->person : no_index));
  }
  if (x.planned.changes.empty()) out += "  planned:      nothing\n";
  for (const change& c : x.planned.changes)
    out += fmt::format("  planned: {} {} from {}: {}\n", op_name(c.kind), subject_id(snap, c), format_date(c.span.from), c.reason);
  for (const diagnostic& d : x.planned.diagnostics)
    out += fmt::format("  {}: {} {}: {}\n", severity_name(d.level), d.code, d.subject, d.message);
  return out;
}

std::string explanation_to_json(const snapshot& snap, const config&, day today, const unit_explanation& x) {
  rapidjson::StringBuffer buffer;
  writer_t w(buffer);
  w.SetIndent(' ', 2);
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  auto unit_id = [&](index_t u) { return snap.units.records[u].id; };
  w.StartObject();
  key(w, "format");
  str(w, "linemgr-explain/1");
  key(w, "today");
  str(w, format_date(today));
  key(w, "unit");
  str(w, unit_id(x.unit));
  key(w, "current");
  w.Bool(x.current);
  key(w, "cycle");
  w.Bool(x.in_cycle);
  key(w, "class");
  x.current_class.empty() ? void(w.Null()) : str(w, x.current_class);
  key(w, "target");
  x.target_class.empty() ? void(w.Null()) : str(w, x.target_class);
  key(w, "rule");
  str(w, x.rule);
  key(w, "because");
  str(w, x.rule_text);
  key(w, "root");
  x.root_cause == no_index ? void(w.Null()) : str(w, unit_id(x.root_cause));
  id_list(w, "ancestors", x.ancestors, unit_id);
  key(w, "top_level_ancestor");
  x.top_level_ancestor == no_index ? void(w.Null()) : str(w, unit_id(x.top_level_ancestor));
  key(w, "level");
  x.level.empty() ? void(w.Null()) : str(w, x.level);
  key(w, "level_ok");
  w.Bool(x.level_ok);
  key(w, "people_ok");
  w.Bool(x.people_ok);
  key(w, "engagements");
  w.StartArray();
  for (const engagement_note& e : x.engagements) {
    w.StartObject();
    key(w, "engagement");
    str(w, snap.engagements.records[e.engagement].id);
    key(w, "counted");
    w.Bool(e.excluded_because.empty());
    if (!e.excluded_because.empty()) {
      key(w, "because");
      str(w, e.excluded_because);
    }
    w.EndObject();
  }
  w.EndArray();
  id_list(w, "associations", x.associations, [&](index_t a) { return snap.associations.records[a].id; });
  id_list(w, "line_children", x.line_children, unit_id);
  id_list(w, "managers", x.managers, [&](index_t m) { return snap.managers.records[m].id; });
  key(w, "planned");
  w.StartArray();
  for (const change& c : x.planned.changes) {
    w.StartObject();
    key(w, "op");
    str(w, op_name(c.kind));
    key(w, "subject");
    str(w, subject_id(snap, c));
    key(w, "from");
    str(w, format_date(c.span.from));
    key(w, "reason");
    str(w, c.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string line_managers_to_text(const snapshot& snap, std::string_view who, day d, const std::vector<line_manager>& answers) {
  std::string out;
  if (answers.empty()) return fmt::format("{} has no engagement active on {}\n", who, format_date(d));
  for (const line_manager& a : answers) {
    out += fmt::format("engagement {} in {}: ", snap.engagements.records[a.engagement].id, unit_label(snap, a.unit));
    if (a.manager == no_index) {
      out += "no line manager (no unit on the way to the root has a manager with a person)\n";
      continue;
    }
    out += fmt::format("line manager {} (manager {} of {})\n", person_label(snap, a.person), snap.managers.records[a.manager].id,
                       unit_label(snap, a.manager_unit));
  }
  return out;
}

std::string line_managers_to_json(const snapshot& snap, std::string_view who, day d, const std::vector<line_manager>& answers) {
  rapidjson::StringBuffer buffer;
  writer_t w(buffer);
  w.SetIndent(' ', 2);
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  w.StartObject();
  key(w, "format");
  str(w, "linemgr-manager-of/1");
  key(w, "subject");
  str(w, who);
  key(w, "date");
  str(w, format_date(d));
  key(w, "answers");
  w.StartArray();
  for (const line_manager& a : answers) {
    w.StartObject();
    key(w, "engagement");
    str(w, snap.engagements.records[a.engagement].id);
    key(w, "unit");
    str(w, snap.units.records[a.unit].id);
    key(w, "manager");
    a.manager == no_index ? void(w.Null()) : str(w, snap.managers.records[a.manager].id);
    key(w, "person");
    a.person == no_index ? void(w.Null()) : str(w, snap.persons[a.person].id);
    key(w, "managed_unit");
    a.manager_unit == no_index ? void(w.Null()) : str(w, snap.units.records[a.manager_unit].id);
    id_list(w, "path", a.path, [&](index_t u) { return snap.units.records[u].id; });
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace linemgr::io
