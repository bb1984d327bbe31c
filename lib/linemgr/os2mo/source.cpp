// Reading a whole organisation from OS2mo into a snapshot: each collection page by page, written
// as a linemgr-snapshot/1 document that the snapshot reader then checks and interns.
#include <algorithm>
#include <map>
#include <set>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include <linemgr/io/snapshot_events_internal.hpp>
#include <linemgr/io/snapshot_file.hpp>
#include <linemgr/os2mo/client_internal.hpp>
#include <linemgr/os2mo/os2mo.hpp>

#include <linemgr/io/copenhagen.hpp>
#include <linemgr/os2mo/queries_internal.hpp>
#include <linemgr/os2mo/sink_internal.hpp>
#include <linemgr/os2mo/source_internal.hpp>

namespace linemgr::os2mo {

using namespace linemgr::io;

namespace {

using value = rapidjson::Value;
// Snapshot records are written as events straight into the reader that builds the model.
using writer_t = io::snapshot_events;

// A response that lacks what the query asked for; names the operation and the path.
struct malformed {
  std::string message;
};

// The most pages read of one collection: 10^4 pages of page_size records.
constexpr std::size_t max_pages = 10000;

class reader {
 public:
  reader(os2mo_client& client, writer_t& w) : client_(client), w_(w) {}

  // Pages through one collection, calling each(object, path) for every object.
  template <class Each>
  void collection(const char* operation, const char* document, const char* field, Each each) {
    std::optional<std::string> cursor;
    std::set<std::string> seen;  // every cursor OS2mo gave: one given twice would page forever
    std::size_t index = 0;
    for (std::size_t pages = 1;; ++pages) {
      if (pages > max_pages)
        throw error{error_kind::unavailable, fmt::format("{}: more than {} pages of {}; stopped (a misbehaving server?)", operation,
                                                         max_pages, client_.settings().page_size)};
      rapidjson::StringBuffer vars;  // the cursor is OS2mo's text: written as a JSON string, never spliced
      {
        rapidjson::Writer<rapidjson::StringBuffer> v(vars);
        v.StartObject();
        v.Key("limit");
        v.Int(client_.settings().page_size);
        v.Key("cursor");
        cursor ? v.String(cursor->data(), static_cast<rapidjson::SizeType>(cursor->size())) : v.Null();
        v.EndObject();
      }
      const std::string variables(vars.GetString(), vars.GetSize());
      rapidjson::Document doc;
      if (auto r = client_.execute(operation, document, variables, doc); !r) throw r.err();
      const value& paged = need(doc["data"], field, fmt::format("{}: data.{}", operation, field), &value::IsObject);
      const std::string path = fmt::format("{}: data.{}", operation, field);
      const value& objects = need(paged, "objects", path, &value::IsArray);
      for (const value& o : objects.GetArray()) each(o, fmt::format("{}.objects[{}]", path, index++));
      const value& info = need(paged, "page_info", path, &value::IsObject);
      const auto next = info.FindMember("next_cursor");
      if (next == info.MemberEnd()) throw malformed{path + ".page_info.next_cursor: missing"};
      if (next->value.IsNull()) return;  // a short or empty page is not the end; a null cursor is
      if (!next->value.IsString()) throw malformed{path + ".page_info.next_cursor: not a string"};
      cursor = std::string(next->value.GetString(), next->value.GetStringLength());
      if (!seen.insert(*cursor).second)
        throw error{error_kind::unavailable, fmt::format("{}: OS2mo gave the same next_cursor twice; stopped paging (a misbehaving "
                                                         "server?)", operation)};
    }
  }

  static const value& need(const value& obj, const char* name, const std::string& path, bool (value::*is)() const) {
    if (!obj.IsObject()) throw malformed{path + ": not an object"};
    const auto m = obj.FindMember(name);
    if (m == obj.MemberEnd()) throw malformed{fmt::format("{}.{}: missing", path, name)};
    if (!(m->value.*is)()) throw malformed{fmt::format("{}.{}: unexpected type", path, name)};
    return m->value;
  }

  // The uuid of a `*_response { uuid }` member, or nullptr when it is null.
  static const value* ref_uuid(const value& obj, const char* name, const std::string& path) {
    if (!obj.IsObject()) throw malformed{path + ": not an object"};
    const auto m = obj.FindMember(name);
    if (m == obj.MemberEnd()) throw malformed{fmt::format("{}.{}: missing", path, name)};
    if (m->value.IsNull()) return nullptr;
    return &need(m->value, "uuid", fmt::format("{}.{}", path, name), &value::IsString);
  }

  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(const value& v) { w_.String(v.GetString(), v.GetStringLength()); }
  void str_or_null(const value* v) { v ? str(*v) : void(w_.Null()); }
  void date(std::string_view k, const value& v, const std::string& path) {
    key(k);
    if (v.IsNull()) {
      w_.Null();
      return;
    }
    const auto d = v.IsString() ? copenhagen_day({v.GetString(), v.GetStringLength()}) : std::nullopt;
    if (!d) throw malformed{fmt::format("{}.{}: not a timestamp", path, k)};
    const std::string text = format_date(*d);
    w_.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  }

  // Writes {"id": uuid, "segments": [...]} with the validities sorted by their start.
  template <class Body>
  void record(const value& o, const std::string& path, Body body) {
    const value& uuid = need(o, "uuid", path, &value::IsString);
    const value& validities = need(o, "validities", path, &value::IsArray);
    std::vector<const value*> sorted;
    for (const value& v : validities.GetArray()) sorted.push_back(&v);
    auto from_of = [&](const value* v) {
      const value& from = need(need(*v, "validity", path + ".validities[]", &value::IsObject), "from", path + ".validities[].validity", &value::IsString);
      return std::string_view(from.GetString(), from.GetStringLength());
    };
    std::stable_sort(sorted.begin(), sorted.end(), [&](const value* a, const value* b) { return from_of(a) < from_of(b); });
    w_.StartObject();
    key("id");
    str(uuid);
    body(sorted, path);
    key("segments");
    w_.StartArray();
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const std::string vpath = fmt::format("{}.validities[{}]", path, i);
      const value& v = *sorted[i];
      w_.StartObject();
      segment_(v, vpath);
      const value& validity = need(v, "validity", vpath, &value::IsObject);
      date("from", need(validity, "from", vpath + ".validity", &value::IsString), vpath + ".validity");
      const auto to = validity.FindMember("to");
      if (to == validity.MemberEnd()) throw malformed{vpath + ".validity.to: missing"};
      date("to", to->value, vpath + ".validity");
      w_.EndObject();
    }
    w_.EndArray();
    w_.EndObject();
  }

  std::function<void(const value&, const std::string&)> segment_;

 private:
  os2mo_client& client_;
  writer_t& w_;
};

}  // namespace

os2mo_connection::os2mo_connection(os2mo_settings settings, std::unique_ptr<http_transport> transport) {
  http_global_init();
  impl_ = std::make_unique<impl>(std::move(settings), std::move(transport));
}

os2mo_connection::~os2mo_connection() = default;

std::size_t os2mo_connection::requests() const { return impl_->client.requests(); }

const os2mo_settings& os2mo_connection::settings() const { return impl_->client.settings(); }

apply_report os2mo_connection::apply(const snapshot& snap, const plan& p,
                                     const std::function<void(std::size_t, std::size_t)>& progress) {
  return apply_to_os2mo(impl_->client, snap, p, progress);
}

namespace {

// Writes snapshot records from OS2mo objects (the selections of the LinemgrXxx documents).
class snapshot_builder {
 public:
  snapshot_builder(writer_t& w, reader& r) : w_(w), r_(r) {}

  void klass(const value& c, const std::string& path) {
    const auto current = c.FindMember("current");
    if (current == c.MemberEnd()) throw malformed{path + ".current: missing"};
    if (current->value.IsNull()) return;  // a class that has ended
    const std::string cpath = path + ".current";
    w_.StartObject();
    for (const char* k : {"uuid", "user_key", "name"}) {
      w_.Key(k);
      r_.str(reader::need(current->value, k, cpath, &value::IsString));
    }
    const value& facet = reader::need(current->value, "facet_response", cpath, &value::IsObject);
    const auto fc = facet.FindMember("current");
    if (fc != facet.MemberEnd() && fc->value.IsObject()) {
      w_.Key("facet");
      r_.str(reader::need(fc->value, "user_key", cpath + ".facet_response.current", &value::IsString));
    }
    w_.EndObject();
  }

  void unit(const value& u, const std::string& path) {
    r_.segment_ = [&](const value& v, const std::string& p) {
      w_.Key("parent");
      r_.str_or_null(reader::ref_uuid(v, "parent_response", p));
      w_.Key("level");
      r_.str_or_null(reader::ref_uuid(v, "unit_level_response", p));
      w_.Key("class");
      r_.str_or_null(reader::ref_uuid(v, "unit_hierarchy_response", p));
    };
    r_.record(u, path, [&](const std::vector<const value*>& sorted, const std::string& p) {
      if (sorted.empty()) return;
      for (const char* k : {"name", "user_key"}) {  // from the latest validity
        w_.Key(k);
        r_.str(reader::need(*sorted.back(), k, p + ".validities[]", &value::IsString));
      }
    });
  }

  void engagement(const value& e, const std::string& path) {
    r_.segment_ = [&](const value& v, const std::string& p) {
      person_and_unit(v, p);
      w_.Key("type");
      r_.str_or_null(reader::ref_uuid(v, "engagement_type_response", p));
      w_.Key("primary");
      w_.Bool(reader::need(v, "is_primary", p, &value::IsBool).GetBool());
    };
    r_.record(e, path, [](auto&&, auto&&) {});
  }

  void association(const value& a, const std::string& path) {
    r_.segment_ = [&](const value& v, const std::string& p) {
      person_and_unit(v, p);
      w_.Key("type");
      r_.str_or_null(reader::ref_uuid(v, "association_type_response", p));
    };
    r_.record(a, path, [](auto&&, auto&&) {});
  }

  void it_user(const value& i, const std::string& path) {
    r_.segment_ = [&](const value& v, const std::string& p) {
      person_and_unit(v, p);
      w_.Key("it_system");
      r_.str_or_null(reader::ref_uuid(v, "itsystem_response", p));
    };
    r_.record(i, path, [](auto&&, auto&&) {});
  }

  void manager(const value& m, const std::string& path) {
    r_.segment_ = [&](const value& v, const std::string& p) {
      person_and_unit(v, p);
      w_.Key("level");
      r_.str_or_null(reader::ref_uuid(v, "manager_level_response", p));
      w_.Key("type");
      r_.str_or_null(reader::ref_uuid(v, "manager_type_response", p));
      w_.Key("responsibilities");
      w_.StartArray();
      const value& resp = reader::need(v, "responsibilities_response", p, &value::IsObject);
      for (const value& c : reader::need(resp, "objects", p + ".responsibilities_response", &value::IsArray).GetArray())
        r_.str(reader::need(c, "uuid", p + ".responsibilities_response.objects[]", &value::IsString));
      w_.EndArray();
    };
    r_.record(m, path, [](auto&&, auto&&) {});
  }

 private:
  void person_and_unit(const value& v, const std::string& p) {
    w_.Key("person");
    r_.str_or_null(reader::ref_uuid(v, "person_response", p));
    w_.Key("unit");
    r_.str_or_null(reader::ref_uuid(v, "org_unit_response", p));
  }

  writer_t& w_;
  reader& r_;
};

// The objects of `data.<field>.objects`, each with its path; throws malformed when absent.
std::vector<std::pair<const value*, std::string>> objects_of(const value& data, const char* field, const std::string& op) {
  const std::string path = fmt::format("{}: data.{}", op, field);
  const value& paged = reader::need(data, field, fmt::format("{}: data", op), &value::IsObject);
  std::vector<std::pair<const value*, std::string>> out;
  std::size_t i = 0;
  for (const value& o : reader::need(paged, "objects", path, &value::IsArray).GetArray())
    out.emplace_back(&o, fmt::format("{}.objects[{}]", path, i++));
  return out;
}

std::string uuid_list(const std::vector<std::string>& ids, const char* name) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key(name);
  w.StartArray();
  for (const std::string& id : ids) w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
  w.EndArray();
  w.EndObject();
  return {b.GetString(), b.GetSize()};
}

std::string text(const value& v) { return {v.GetString(), v.GetStringLength()}; }

}  // namespace

result<snapshot> os2mo_connection::load_all() {
  writer_t w("OS2mo at " + impl_->client.settings().url);
  reader r(impl_->client, w);
  snapshot_builder b(w, r);
  try {
    rapidjson::Document org;
    if (auto res = impl_->client.execute("LinemgrOrganisation", queries::organisation, "{}", org); !res) return res.err();
    const value& o = reader::need(org["data"], "org", "LinemgrOrganisation: data", &value::IsObject);
    w.StartObject();
    w.Key("format");
    w.String("linemgr-snapshot/1");
    w.Key("organisation");
    r.str(reader::need(o, "uuid", "LinemgrOrganisation: data.org", &value::IsString));
    w.Key("classes");
    w.StartArray();
    r.collection("LinemgrClasses", queries::classes, "classes", [&](const value& c, const std::string& p) { b.klass(c, p); });
    w.EndArray();
    w.Key("units");
    w.StartArray();
    r.collection("LinemgrOrgUnits", queries::org_units, "org_units", [&](const value& u, const std::string& p) { b.unit(u, p); });
    w.EndArray();
    w.Key("persons");  // none declared (records name them): the records that follow need not wait for any
    w.StartArray();
    w.EndArray();
    w.Key("engagements");
    w.StartArray();
    r.collection("LinemgrEngagements", queries::engagements, "engagements", [&](const value& e, const std::string& p) { b.engagement(e, p); });
    w.EndArray();
    w.Key("associations");
    w.StartArray();
    r.collection("LinemgrAssociations", queries::associations, "associations", [&](const value& a, const std::string& p) { b.association(a, p); });
    w.EndArray();
    w.Key("it_users");
    w.StartArray();
    r.collection("LinemgrITUsers", queries::itusers, "itusers", [&](const value& i, const std::string& p) { b.it_user(i, p); });
    w.EndArray();
    w.Key("managers");
    w.StartArray();
    r.collection("LinemgrManagers", queries::managers, "managers", [&](const value& m, const std::string& p) { b.manager(m, p); });
    w.EndArray();
    w.EndObject();
  } catch (const malformed& m) {
    return error{error_kind::data, "malformed response from OS2mo: " + m.message};
  } catch (const error& e) {
    return e;
  }
  return w.finish();
}

result<snapshot> os2mo_connection::load_scope(std::string_view unit_id) {
  return load_scope(std::vector<std::string>{std::string(unit_id)});
}

result<snapshot> os2mo_connection::load_scope(const std::vector<std::string>& unit_ids) {
  os2mo_client& client = impl_->client;
  writer_t w("OS2mo at " + client.settings().url);
  reader r(client, w);
  snapshot_builder b(w, r);
  std::vector<std::string> frozen;
  try {
    // 1: the organisation, the classes, the units' paths to the root, their subtrees, and the children
    // and grandchildren of the paths (siblings and leder units that designate managers on a path).
    rapidjson::Document units_doc;
    if (auto res = client.execute("LinemgrScopeUnits", queries::scope_units, uuid_list(unit_ids, "unit"), units_doc); !res)
      return res.err();
    const value& data = units_doc["data"];
    std::map<std::string, std::pair<const value*, std::string>, std::less<>> units;
    std::set<std::string, std::less<>> complete;  // path and subtree: every child of theirs is loaded
    for (const char* field : {"path", "subtree", "children", "grandchildren"})
      for (auto& [o, path] : objects_of(data, field, "LinemgrScopeUnits")) {
        const std::string id = text(reader::need(*o, "uuid", path, &value::IsString));
        units.try_emplace(id, o, path);
        if (std::string_view(field) == "path" || std::string_view(field) == "subtree") complete.insert(id);
      }

    // 2: the engagements, associations and managers in those units.
    std::vector<std::string> scope_ids;
    for (const auto& [id, _] : units) scope_ids.push_back(id);
    rapidjson::Document records_doc;
    if (auto res = client.execute("LinemgrScopeRecords", queries::scope_records, uuid_list(scope_ids, "units"), records_doc); !res)
      return res.err();
    // 3: everything else of the persons in them: their other engagements and manager roles.
    std::set<std::string> persons;
    auto collect = [&](const value& d, const char* field, const char* op) {
      std::vector<std::pair<const value*, std::string>> list = objects_of(d, field, op);
      for (auto& [o, path] : list)
        for (const value& v : reader::need(*o, "validities", path, &value::IsArray).GetArray())
          if (const value* p = reader::ref_uuid(v, "person_response", path)) persons.insert(text(*p));
      return list;
    };
    auto engagements = collect(records_doc["data"], "engagements", "LinemgrScopeRecords");
    auto associations = collect(records_doc["data"], "associations", "LinemgrScopeRecords");
    auto managers = collect(records_doc["data"], "managers", "LinemgrScopeRecords");
    rapidjson::Document persons_doc;
    if (auto res = client.execute("LinemgrScopePersons", queries::scope_persons,
                                  uuid_list(std::vector<std::string>(persons.begin(), persons.end()), "persons"), persons_doc);
        !res)
      return res.err();
    for (auto& e : objects_of(persons_doc["data"], "engagements", "LinemgrScopePersons")) engagements.push_back(e);
    for (auto& m : objects_of(persons_doc["data"], "managers", "LinemgrScopePersons")) managers.push_back(m);

    // 4: the units those records name that are not loaded yet (read as they stand).
    std::set<std::string> missing;
    for (const auto* list : {&engagements, &associations, &managers})
      for (const auto& [o, path] : *list)
        for (const value& v : reader::need(*o, "validities", path, &value::IsArray).GetArray())
          if (const value* u = reader::ref_uuid(v, "org_unit_response", path); u && !units.count(text(*u))) missing.insert(text(*u));
    rapidjson::Document extra_doc;
    if (!missing.empty()) {
      if (auto res = client.execute("LinemgrVerifyOrgUnits", queries::verify_org_units,
                                    uuid_list(std::vector<std::string>(missing.begin(), missing.end()), "uuids"), extra_doc);
          !res)
        return res.err();
      for (auto& [o, path] : objects_of(extra_doc["data"], "org_units", "LinemgrVerifyOrgUnits"))
        units.try_emplace(text(reader::need(*o, "uuid", path, &value::IsString)), o, path);
    }

    w.StartObject();
    w.Key("format");
    w.String("linemgr-snapshot/1");
    w.Key("organisation");
    r.str(reader::need(reader::need(data, "org", "LinemgrScopeUnits: data", &value::IsObject), "uuid", "LinemgrScopeUnits: data.org",
                       &value::IsString));
    w.Key("classes");
    w.StartArray();
    for (auto& [c, path] : objects_of(data, "classes", "LinemgrScopeUnits")) b.klass(*c, path);
    w.EndArray();
    w.Key("units");
    w.StartArray();
    for (const auto& [id, o] : units) {
      b.unit(*o.first, o.second);
      if (!complete.count(id)) frozen.push_back(id);
    }
    w.EndArray();
    w.Key("persons");
    w.StartArray();
    w.EndArray();
    auto write_unique = [&](const char* key, const std::vector<std::pair<const value*, std::string>>& list, auto write) {
      std::set<std::string> seen;
      w.Key(key);
      w.StartArray();
      for (const auto& [o, path] : list)
        if (seen.insert(text(reader::need(*o, "uuid", path, &value::IsString))).second) write(*o, path);
      w.EndArray();
    };
    write_unique("engagements", engagements, [&](const value& o, const std::string& p) { b.engagement(o, p); });
    write_unique("associations", associations, [&](const value& o, const std::string& p) { b.association(o, p); });
    write_unique("managers", managers, [&](const value& o, const std::string& p) { b.manager(o, p); });
    w.EndObject();
  } catch (const malformed& m) {
    return error{error_kind::data, "malformed response from OS2mo: " + m.message};
  } catch (const error& e) {
    return e;
  }
  auto snap = w.finish();
  if (!snap) return snap;
  snap->partial = true;
  snap->frozen.assign(snap->units.size(), 0);
  for (const std::string& id : frozen) snap->frozen[snap->units.ids.find(id)] = 1;
  return snap;
}

}  // namespace linemgr::os2mo
