// One change → one v29 mutation (os2mo-api.md §2.4): PATCH semantics, half-open validities.
#include <fmt/format.h>

#include <linemgr/os2mo/queries_internal.hpp>
#include <linemgr/io/copenhagen.hpp>
#include <linemgr/os2mo/sink_internal.hpp>

namespace linemgr::os2mo {

using namespace linemgr::io;

namespace {

using writer_t = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer_t& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void validity(writer_t& w, period p) {
  w.Key("validity");
  w.StartObject();
  w.Key("from");
  str(w, copenhagen_midnight(p.from));
  w.Key("to");
  p.to == open_end ? void(w.Null()) : str(w, copenhagen_midnight(p.to));
  w.EndObject();
}

// The uuid of a plan's class value within a facet, or an error naming it.
result<std::string> class_uuid(const snapshot& snap, const class_resolver& classes, const std::string& value, facet f) {
  const index_t c = classes.resolve_value(value, f);
  if (c == no_index || snap.classes[c].uuid.empty())
    return error{error_kind::data, fmt::format("class {} of facet {} is not in OS2mo", value, facet_name(f))};
  return std::string(snap.classes[c].uuid);
}

}  // namespace

result<std::string> write_change(os2mo_client& client, const snapshot& snap, const class_resolver& classes, const change& c) {
  rapidjson::StringBuffer buffer;
  writer_t w(buffer);
  const char* operation = nullptr;
  const char* document = nullptr;
  w.StartObject();
  w.Key("input");
  w.StartObject();
  switch (c.kind) {
    case op::set_unit_class: {
      auto klass = class_uuid(snap, classes, c.klass, facet::org_unit_hierarchy);
      if (!klass) return klass.err();
      operation = "LinemgrSetUnitClass";
      document = queries::set_unit_class;
      w.Key("uuid");
      str(w, snap.units.records[c.unit].id);
      validity(w, c.span);
      w.Key("org_unit_hierarchy");
      str(w, *klass);
      break;
    }
    case op::create_manager: {
      auto level = class_uuid(snap, classes, c.level, facet::manager_level);
      if (!level) return level.err();
      auto type = class_uuid(snap, classes, c.type, facet::manager_type);
      if (!type) return type.err();
      std::vector<std::string> responsibilities;
      for (const std::string& r : c.responsibilities) {
        auto u = class_uuid(snap, classes, r, facet::responsibility);
        if (!u) return u.err();
        responsibilities.push_back(*u);
      }
      operation = "LinemgrCreateManager";
      document = queries::create_manager;
      w.Key("person");
      str(w, snap.persons[c.person].id);
      w.Key("org_unit");
      str(w, snap.units.records[c.unit].id);
      w.Key("manager_level");
      str(w, *level);
      w.Key("manager_type");
      str(w, *type);
      w.Key("responsibility");
      w.StartArray();
      for (const std::string& r : responsibilities) str(w, r);
      w.EndArray();
      validity(w, c.span);
      break;
    }
    case op::update_manager: {
      auto level = class_uuid(snap, classes, c.level, facet::manager_level);
      if (!level) return level.err();
      operation = "LinemgrUpdateManager";
      document = queries::update_manager;
      w.Key("uuid");
      str(w, snap.managers.records[c.manager].id);
      validity(w, c.span);
      w.Key("manager_level");
      str(w, *level);
      break;
    }
    case op::vacate_manager:
      operation = "LinemgrUpdateManager";
      document = queries::update_manager;
      w.Key("uuid");
      str(w, snap.managers.records[c.manager].id);
      validity(w, c.span);
      w.Key("person");
      w.Null();  // an explicit null makes the manager vacant in the period
      break;
    case op::end_manager:
    case op::end_association: {
      const bool manager = c.kind == op::end_manager;
      operation = manager ? "LinemgrTerminateManager" : "LinemgrTerminateAssociation";
      document = manager ? queries::terminate_manager : queries::terminate_association;
      w.Key("uuid");
      str(w, manager ? snap.managers.records[c.manager].id : snap.associations.records[c.association].id);
      if (c.span.to == open_end || !manager) {  // no validity from `from` on: it ends at `from`
        w.Key("to");
        str(w, copenhagen_midnight(c.span.from));
      } else {  // only [from, to) is cut out
        w.Key("from");
        str(w, copenhagen_midnight(c.span.from));
        w.Key("to");
        str(w, copenhagen_midnight(c.span.to));
      }
      break;
    }
    case op::move_engagement: {
      const engagement_segment* at = snap.engagements.active_at(c.engagement, c.span.from);
      operation = "LinemgrMoveEngagement";
      document = queries::move_engagement;
      w.Key("uuid");
      str(w, snap.engagements.records[c.engagement].id);
      validity(w, {c.span.from, at ? at->valid.to : open_end});
      w.Key("org_unit");
      str(w, snap.units.records[c.unit].id);
      break;
    }
  }
  w.EndObject();
  w.EndObject();
  rapidjson::Document response;
  auto r = client.execute(operation, document, {buffer.GetString(), buffer.GetSize()}, response);
  if (!r) return r.err();
  // manager_create answers with the new manager's uuid.
  if (c.kind == op::create_manager && response.IsObject() && response.HasMember("data") && response["data"].IsObject() &&
      response["data"].HasMember("manager_create") && response["data"]["manager_create"].IsObject() &&
      response["data"]["manager_create"].HasMember("uuid") && response["data"]["manager_create"]["uuid"].IsString())
    return std::string(response["data"]["manager_create"]["uuid"].GetString());
  return std::string();
}

}  // namespace linemgr::os2mo
