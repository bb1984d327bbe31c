// OS2mo's GraphQL event system (namespace mo), as an event source for `listen --source mo-events`.
#include <fmt/format.h>

#include <linemgr/os2mo/client_internal.hpp>
#include <linemgr/os2mo/os2mo.hpp>
#include <linemgr/os2mo/queries_internal.hpp>
#include <linemgr/os2mo/source_internal.hpp>

namespace linemgr::os2mo {

namespace {

std::string json_string(std::string_view s) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {b.GetString(), b.GetSize()};
}

}  // namespace

status os2mo_connection::declare_listeners(const std::string& prefix) {
  impl& self = *impl_;
  self.listeners.clear();
  for (event_kind kind : {event_kind::org_unit, event_kind::engagement, event_kind::association, event_kind::manager, event_kind::person}) {
    const std::string_view key = routing_key_of(kind);
    const std::string variables = fmt::format(R"({{"input": {{"namespace": "mo", "user_key": {}, "routing_key": {}}}}})",
                                              json_string(fmt::format("{}_{}", prefix, key)), json_string(key));
    rapidjson::Document doc;
    if (auto r = self.client.execute("LinemgrDeclareListener", queries::declare_listener, variables, doc); !r) return r.err();
    const auto& data = doc["data"];
    if (!data.HasMember("event_listener_declare") || !data["event_listener_declare"].IsObject() ||
        !data["event_listener_declare"].HasMember("uuid") || !data["event_listener_declare"]["uuid"].IsString())
      return error{error_kind::data, "LinemgrDeclareListener: the response has no listener uuid"};
    self.listeners.push_back({kind, data["event_listener_declare"]["uuid"].GetString()});
  }
  return {};
}

result<std::optional<os2mo_connection::fetched_event>> os2mo_connection::fetch_event() {
  impl& self = *impl_;
  for (std::size_t tried = 0; tried < self.listeners.size(); ++tried) {
    const auto& listener = self.listeners[self.next_listener];
    self.next_listener = (self.next_listener + 1) % self.listeners.size();
    rapidjson::Document doc;
    const std::string variables = fmt::format(R"({{"listener": {}}})", json_string(listener.uuid));
    if (auto r = self.client.execute("LinemgrFetchEvent", queries::fetch_event, variables, doc); !r) return r.err();
    const auto& data = doc["data"];
    if (!data.HasMember("event_fetch")) return error{error_kind::data, "LinemgrFetchEvent: data.event_fetch: missing"};
    const auto& e = data["event_fetch"];
    if (e.IsNull()) continue;
    if (!e.IsObject() || !e.HasMember("subject") || !e["subject"].IsString() || !e.HasMember("token") || !e["token"].IsString())
      return error{error_kind::data, "LinemgrFetchEvent: data.event_fetch: needs a string subject and token"};
    return std::optional<fetched_event>{fetched_event{event{listener.kind, e["subject"].GetString()}, e["token"].GetString()}};
  }
  return std::optional<fetched_event>{};
}

status os2mo_connection::acknowledge(const std::string& token) {
  rapidjson::Document doc;
  return impl_->client.execute("LinemgrAcknowledgeEvent", queries::acknowledge_event,
                               fmt::format(R"({{"token": {}}})", json_string(token)), doc);
}

}  // namespace linemgr::os2mo
