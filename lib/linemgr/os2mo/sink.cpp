// Applying a plan to OS2mo with the v29 mutations. Before writing, every object a change names is
// read again (in batches) and compared with the snapshot the plan was made from; a change whose
// object changed meanwhile is skipped and reported stale rather than written blindly.
#include <map>
#include <set>

#include <fmt/format.h>

#include <linemgr/core/classes.hpp>
#include <linemgr/core/saved_plan.hpp>
#include <linemgr/os2mo/client_internal.hpp>
#include <linemgr/os2mo/os2mo.hpp>
#include <linemgr/os2mo/queries_internal.hpp>
#include <linemgr/io/copenhagen.hpp>
#include <linemgr/os2mo/sink_internal.hpp>

namespace linemgr::os2mo {

using namespace linemgr::core;
using namespace linemgr::io;

namespace {

using value = rapidjson::Value;

std::string text_of(const value& v, const char* name) {
  if (!v.IsObject()) return {};
  const auto m = v.FindMember(name);
  return m != v.MemberEnd() && m->value.IsString() ? std::string(m->value.GetString(), m->value.GetStringLength()) : std::string();
}

std::string uuid_of(const value& v, const char* name) {
  if (!v.IsObject()) return {};
  const auto m = v.FindMember(name);
  return m != v.MemberEnd() && m->value.IsObject() ? text_of(m->value, "uuid") : std::string();
}

std::string day_of(const value& v, const char* name) {
  const std::string t = text_of(v, name);
  const auto d = t.empty() ? std::nullopt : copenhagen_day(t);
  return d ? format_date(*d) : std::string();
}

// How to read objects of a kind again, by uuid (indexed by object_kind).
struct verify_query {
  const char* const& document;
  const char* operation;
  const char* field;
};
const verify_query verify_queries[] = {
    {queries::verify_org_units, "LinemgrVerifyOrgUnits", "org_units"},
    {queries::verify_engagements, "LinemgrVerifyEngagements", "engagements"},
    {queries::verify_associations, "LinemgrVerifyAssociations", "associations"},
    {queries::verify_managers, "LinemgrVerifyManagers", "managers"},
};

std::string_view record_id(const snapshot& s, object_kind kind, index_t r) {
  switch (kind) {
    case object_kind::unit: return s.units.records[r].id;
    case object_kind::engagement: return s.engagements.records[r].id;
    case object_kind::association: return s.associations.records[r].id;
    default: return s.managers.records[r].id;
  }
}

}  // namespace

std::string canonical_response(object_kind kind, const value& object) {
  std::vector<std::pair<std::string, std::string>> segs;  // (from, text)
  const auto v = object.FindMember("validities");
  if (v == object.MemberEnd() || !v->value.IsArray()) return "(malformed)";
  for (const value& g : v->value.GetArray()) {
    const value& validity = g.HasMember("validity") ? g["validity"] : g;
    const std::string from = day_of(validity, "from"), to = day_of(validity, "to");
    std::string text = from + "|" + to + "|";
    switch (kind) {
      case object_kind::unit:
        text += fmt::format("{}|{}|{};", uuid_of(g, "parent_response"), uuid_of(g, "unit_level_response"), uuid_of(g, "unit_hierarchy_response"));
        break;
      case object_kind::engagement:
        text += fmt::format("{}|{}|{}|{};", uuid_of(g, "person_response"), uuid_of(g, "org_unit_response"),
                            uuid_of(g, "engagement_type_response"), g.HasMember("is_primary") && g["is_primary"].IsTrue() ? 1 : 0);
        break;
      case object_kind::association:
        text += fmt::format("{}|{}|{};", uuid_of(g, "person_response"), uuid_of(g, "org_unit_response"), uuid_of(g, "association_type_response"));
        break;
      case object_kind::manager: {
        text += fmt::format("{}|{}|{}|{}|", uuid_of(g, "person_response"), uuid_of(g, "org_unit_response"),
                            uuid_of(g, "manager_level_response"), uuid_of(g, "manager_type_response"));
        if (g.HasMember("responsibilities_response") && g["responsibilities_response"].HasMember("objects"))
          for (const value& x : g["responsibilities_response"]["objects"].GetArray()) text += text_of(x, "uuid") + ",";
        text += ";";
        break;
      }
    }
    segs.emplace_back(from, std::move(text));
  }
  std::stable_sort(segs.begin(), segs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (auto& [from, text] : segs) out += text;
  return out;
}

apply_report apply_to_os2mo(os2mo_client& client, const snapshot& snap, const plan& p,
                            const std::function<void(std::size_t, std::size_t)>& progress) {
  apply_report report;
  const class_resolver classes(snap);

  // The objects the plan changes, by kind.
  auto kind_of = [](const change& c) -> std::optional<std::pair<object_kind, index_t>> {
    switch (c.kind) {
      case op::set_unit_class: return std::pair{object_kind::unit, c.unit};
      case op::update_manager:
      case op::end_manager:
      case op::vacate_manager: return std::pair{object_kind::manager, c.manager};
      case op::end_association: return std::pair{object_kind::association, c.association};
      case op::move_engagement: return std::pair{object_kind::engagement, c.engagement};
      default: return std::nullopt;  // a create names no existing object
    }
  };
  std::map<object_kind, std::set<index_t>> touched;
  for (const change& c : p.changes)
    if (auto k = kind_of(c)) touched[k->first].insert(k->second);

  // Read them again, 100 at a time, and note the ones that changed.
  std::map<std::pair<object_kind, index_t>, std::string> stale;
  for (const auto& [kind_of_records, records] : touched) {
    const object_kind kind = kind_of_records;  // a variable a lambda can capture (structured bindings: not before clang 16)
    const verify_query& q = verify_queries[static_cast<std::size_t>(kind)];
    const char* document = q.document;
    const char* operation = q.operation;
    const char* field = q.field;
    auto id_of = [&](index_t r) { return record_id(snap, kind, r); };
    std::vector<index_t> list(records.begin(), records.end());
    for (std::size_t at = 0; at < list.size(); at += 100) {
      rapidjson::StringBuffer vars;
      rapidjson::Writer<rapidjson::StringBuffer> w(vars);
      w.StartObject();
      w.Key("uuids");
      w.StartArray();
      for (std::size_t i = at; i < std::min(list.size(), at + 100); ++i) {
        const std::string_view id = id_of(list[i]);
        w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
      }
      w.EndArray();
      w.EndObject();
      rapidjson::Document doc;
      if (auto r = client.execute(operation, document, {vars.GetString(), vars.GetSize()}, doc); !r) {
        report.fatal = r.err();
        return report;
      }
      std::map<std::string, const value*, std::less<>> found;
      const value& data = doc["data"];
      if (data.HasMember(field) && data[field].HasMember("objects") && data[field]["objects"].IsArray())
        for (const value& o : data[field]["objects"].GetArray()) found[text_of(o, "uuid")] = &o;
      for (std::size_t i = at; i < std::min(list.size(), at + 100); ++i) {
        const auto it = found.find(id_of(list[i]));
        if (it == found.end())
          stale[{kind, list[i]}] = "no longer exists in OS2mo";
        else if (canonical_response(kind, *it->second) != record_text(snap, kind, list[i]))
          stale[{kind, list[i]}] = "changed in OS2mo after it was read; not overwritten";
      }
    }
  }

  for (std::size_t i = 0; i < p.changes.size(); ++i) {
    if (progress && i) progress(i, p.changes.size());
    const change& c = p.changes[i];
    if (auto k = kind_of(c)) {
      if (auto s = stale.find(*k); s != stale.end()) {
        report.stale.push_back({i, s->second});
        continue;
      }
    }
    auto result = write_change(client, snap, classes, c);
    if (result) {
      ++report.ok;
      if (!result->empty()) report.created.push_back({i, std::move(*result)});
    } else if (result.err().kind == error_kind::unavailable) {
      report.fatal = result.err();
      for (std::size_t j = i; j < p.changes.size(); ++j) report.failed.push_back({j, "not attempted: " + result.err().message});
      return report;
    } else {
      report.failed.push_back({i, result.err().message});
    }
  }
  if (progress) progress(p.changes.size(), p.changes.size());
  return report;
}

}  // namespace linemgr::os2mo
