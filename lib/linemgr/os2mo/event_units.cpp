// The seed units of a batch of events (doc/rules.md H11), resolved in OS2mo: one request for the
// events' objects and the persons' records, one more for the persons of engagements and managers.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <linemgr/os2mo/client_internal.hpp>
#include <linemgr/os2mo/os2mo.hpp>
#include <linemgr/os2mo/queries_internal.hpp>
#include <linemgr/os2mo/source_internal.hpp>

namespace linemgr::os2mo {

namespace {

using value = rapidjson::Value;
using id_set = std::set<std::string>;

// A response that lacks what the query asked for; the message names the operation and the path.
struct malformed {
  std::string message;
};

// Walks `data.<field>.objects[].validities[]`, calling each(validity, path).
template <class Each>
void each_validity(const value& data, const char* field, const char* operation, Each each) {
  const std::string path = fmt::format("{}: data.{}", operation, field);
  const auto paged = data.FindMember(field);
  if (paged == data.MemberEnd() || !paged->value.IsObject()) throw malformed{path + ": missing"};
  const auto objects = paged->value.FindMember("objects");
  if (objects == paged->value.MemberEnd() || !objects->value.IsArray()) throw malformed{path + ".objects: missing"};
  std::size_t i = 0;
  for (const value& o : objects->value.GetArray()) {
    const std::string opath = fmt::format("{}.objects[{}]", path, i++);
    const auto validities = o.IsObject() ? o.FindMember("validities") : o.MemberEnd();
    if (!o.IsObject() || validities == o.MemberEnd() || !validities->value.IsArray()) throw malformed{opath + ".validities: missing"};
    std::size_t j = 0;
    for (const value& v : validities->value.GetArray()) {
      const std::string vpath = fmt::format("{}.validities[{}]", opath, j++);
      if (!v.IsObject()) throw malformed{vpath + ": not an object"};
      each(v, vpath);
    }
  }
}

// Adds the uuid of the validity's `*_response` member to `out` (nothing when it is null).
void add_ref(const value& v, const char* name, const std::string& path, id_set& out) {
  const auto m = v.FindMember(name);
  if (m == v.MemberEnd()) throw malformed{fmt::format("{}.{}: missing", path, name)};
  if (m->value.IsNull()) return;
  const auto uuid = m->value.IsObject() ? m->value.FindMember("uuid") : m->value.MemberEnd();
  if (uuid == m->value.MemberEnd() || !uuid->value.IsString()) throw malformed{fmt::format("{}.{}.uuid: missing", path, name)};
  out.emplace(uuid->value.GetString(), uuid->value.GetStringLength());
}

// Writes `"name": [ids[first, first + n)]` into the variables object.
void uuid_slice(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* name, const std::vector<std::string>& ids,
                std::size_t first, std::size_t n) {
  w.Key(name);
  w.StartArray();
  for (std::size_t i = first; i < std::min(ids.size(), first + n); ++i)
    w.String(ids[i].c_str(), static_cast<rapidjson::SizeType>(ids[i].size()));
  w.EndArray();
}

// Runs `document` once per page-sized slice of the longest list (one request for a usual batch),
// calling read(data) on each response.
template <class Read>
status run_sliced(os2mo_client& client, const char* operation, const char* document,
                  const std::vector<std::pair<const char*, const std::vector<std::string>*>>& lists, Read read) {
  std::size_t longest = 0;
  for (const auto& [_, ids] : lists) longest = std::max(longest, ids->size());
  const std::size_t page = std::max<std::size_t>(1, static_cast<std::size_t>(client.settings().page_size));
  for (std::size_t first = 0; first < longest; first += page) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    for (const auto& [name, ids] : lists) uuid_slice(w, name, *ids, first, page);
    w.EndObject();
    rapidjson::Document doc;
    if (auto r = client.execute(operation, document, std::string_view(b.GetString(), b.GetSize()), doc); !r) return r;
    read(doc["data"]);
  }
  return {};
}

std::vector<std::string> list_of(const id_set& s) { return {s.begin(), s.end()}; }

}  // namespace

result<std::vector<std::string>> os2mo_connection::event_units(const std::vector<event>& events) {
  os2mo_client& client = impl_->client;
  id_set units, engagements, associations, managers, persons;
  for (const event& e : events) {
    switch (e.kind) {
      case event_kind::org_unit: units.insert(e.subject); break;
      case event_kind::engagement: engagements.insert(e.subject); break;
      case event_kind::association: associations.insert(e.subject); break;
      case event_kind::manager: managers.insert(e.subject); break;
      case event_kind::person: persons.insert(e.subject); break;
      case event_kind::ituser: break;  // no rule reads it-users
    }
  }
  id_set seeds(units);  // a unit seeds its own id even when it no longer exists
  id_set engagement_persons, manager_persons;
  try {
    const std::vector<std::string> u = list_of(units), e = list_of(engagements), a = list_of(associations), m = list_of(managers),
                                   p = list_of(persons);
    const char* op = "LinemgrEventObjects";
    if (auto r = run_sliced(client, op, queries::event_objects,
                            {{"units", &u}, {"engagements", &e}, {"associations", &a}, {"managers", &m}, {"persons", &p}},
                            [&](const value& data) {
                              each_validity(data, "org_units", op, [&](const value& v, const std::string& path) {
                                add_ref(v, "parent_response", path, seeds);
                              });
                              each_validity(data, "engagements", op, [&](const value& v, const std::string& path) {
                                add_ref(v, "org_unit_response", path, seeds);
                                add_ref(v, "person_response", path, engagement_persons);
                              });
                              each_validity(data, "managers", op, [&](const value& v, const std::string& path) {
                                add_ref(v, "org_unit_response", path, seeds);
                                add_ref(v, "person_response", path, manager_persons);
                              });
                              for (const char* field : {"associations", "person_engagements", "person_associations", "person_managers"})
                                each_validity(data, field, op, [&](const value& v, const std::string& path) {
                                  add_ref(v, "org_unit_response", path, seeds);
                                });
                            });
        !r)
      return r.err();
    // An engagement seeds its persons' manager units; a manager its persons' engagement units.
    for (const std::string& id : persons) {
      engagement_persons.erase(id);  // already read with all of its records
      manager_persons.erase(id);
    }
    const std::vector<std::string> ep = list_of(engagement_persons), mp = list_of(manager_persons);
    const char* op2 = "LinemgrEventPersons";
    if (auto r = run_sliced(client, op2, queries::event_persons, {{"engagement_persons", &ep}, {"manager_persons", &mp}},
                            [&](const value& data) {
                              for (const char* field : {"managers", "engagements"})
                                each_validity(data, field, op2, [&](const value& v, const std::string& path) {
                                  add_ref(v, "org_unit_response", path, seeds);
                                });
                            });
        !r)
      return r.err();
  } catch (const malformed& bad) {
    return error{error_kind::data, "malformed response from OS2mo: " + bad.message};
  }
  return list_of(seeds);
}

result<std::vector<std::pair<std::string, std::string>>> os2mo_connection::units_with_user_key(const std::string& user_key) {
  rapidjson::StringBuffer vars;
  rapidjson::Writer<rapidjson::StringBuffer> w(vars);
  w.StartObject();
  w.Key("user_keys");
  w.StartArray();
  w.String(user_key.c_str(), static_cast<rapidjson::SizeType>(user_key.size()));
  w.EndArray();
  w.EndObject();
  rapidjson::Document doc;
  if (auto r = impl_->client.execute("LinemgrUnitsByUserKey", queries::units_by_user_key, {vars.GetString(), vars.GetSize()}, doc); !r)
    return r.err();
  std::map<std::string, std::string> found;  // uuid -> latest name with that user_key
  try {
    const value& data = doc["data"];
    const auto paged = data.IsObject() ? data.FindMember("org_units") : data.MemberEnd();
    if (paged == data.MemberEnd() || !paged->value.IsObject() || !paged->value.HasMember("objects") || !paged->value["objects"].IsArray())
      throw malformed{"LinemgrUnitsByUserKey: data.org_units.objects: missing"};
    std::size_t i = 0;
    for (const value& o : paged->value["objects"].GetArray()) {
      const std::string path = fmt::format("LinemgrUnitsByUserKey: data.org_units.objects[{}]", i++);
      if (!o.IsObject() || !o.HasMember("uuid") || !o["uuid"].IsString()) throw malformed{path + ".uuid: missing"};
      const std::string uuid(o["uuid"].GetString(), o["uuid"].GetStringLength());
      if (!o.HasMember("validities") || !o["validities"].IsArray()) throw malformed{path + ".validities: missing"};
      for (const value& v : o["validities"].GetArray()) {
        if (!v.IsObject() || !v.HasMember("user_key") || !v["user_key"].IsString() ||
            std::string_view(v["user_key"].GetString(), v["user_key"].GetStringLength()) != user_key)
          continue;
        found[uuid] = v.HasMember("name") && v["name"].IsString() ? std::string(v["name"].GetString(), v["name"].GetStringLength()) : "";
      }
    }
  } catch (const malformed& m) {
    return error{error_kind::data, "malformed response from OS2mo: " + m.message};
  }
  return std::vector<std::pair<std::string, std::string>>(found.begin(), found.end());
}

}  // namespace linemgr::os2mo
