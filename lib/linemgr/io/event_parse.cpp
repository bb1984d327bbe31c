#include <linemgr/io/event_parse.hpp>

#include <fmt/format.h>

#include <linemgr/io/json_internal.hpp>

namespace linemgr::io {

namespace {

using value = rapidjson::Value;

// A usable object id: non-empty, no white space, quotes or control characters.
bool plausible_id(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (unsigned char c : s)
    if (c <= ' ' || c == '"' || c == '\\' || c == 0x7F) return false;
  return true;
}

result<std::optional<event>> make(std::string_view routing_key, std::string_view subject) {
  const auto kind = event_kind_of(routing_key);
  if (!kind) return std::optional<event>{};
  if (!plausible_id(subject)) return error{error_kind::data, fmt::format("routing key {}: \"{}\" is not an object id", routing_key, subject)};
  return std::optional<event>{event{*kind, std::string(subject)}};
}

// The subject of a legacy body object: object_uuid.
result<std::string> legacy_subject(const value& v, std::string_view routing_key) {
  const auto m = v.FindMember("object_uuid");
  if (m == v.MemberEnd() || !m->value.IsString())
    return error{error_kind::data, fmt::format("routing key {}: a legacy body needs a string object_uuid", routing_key)};
  return std::string(m->value.GetString(), m->value.GetStringLength());
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

// Events are a routing key and a uuid: small, and shallow.
constexpr json_limits event_json_limits{max_event_bytes, 32};

result<std::optional<event>> parse_event_body(std::string_view routing_key, std::string_view body) {
  if (!event_kind_of(routing_key)) return std::optional<event>{};
  body = trim(body);
  if (body.empty()) return error{error_kind::data, fmt::format("routing key {}: empty body", routing_key)};
  if (body.front() != '"' && body.front() != '{') return make(routing_key, body);  // a bare uuid
  rapidjson::Document doc;
  if (const auto why = parse_untrusted(doc, body, event_json_limits))
    return error{error_kind::data, fmt::format("routing key {}: body {}", routing_key, *why)};
  if (doc.IsString()) return make(routing_key, {doc.GetString(), doc.GetStringLength()});
  if (doc.IsObject()) {
    auto subject = legacy_subject(doc, routing_key);
    if (!subject) return subject.err();
    return make(routing_key, *subject);
  }
  return error{error_kind::data, fmt::format("routing key {}: body is neither a uuid nor a legacy object", routing_key)};
}

result<std::optional<event>> parse_event_line(std::string_view line) {
  rapidjson::Document doc;
  if (const auto why = parse_untrusted(doc, line, event_json_limits)) {
    const std::string& w = *why;
    return error{error_kind::data, w.starts_with("is not JSON") ? w.substr(3) : "the line " + w};
  }
  if (!doc.IsObject()) return error{error_kind::data, "an event is a JSON object"};
  const auto key = doc.FindMember("routing_key");
  if (key == doc.MemberEnd() || !key->value.IsString()) return error{error_kind::data, "routing_key: missing or not a string"};
  const std::string_view routing_key(key->value.GetString(), key->value.GetStringLength());
  if (const auto subject = doc.FindMember("subject"); subject != doc.MemberEnd()) {
    if (!subject->value.IsString()) return error{error_kind::data, "subject: not a string"};
    return make(routing_key, {subject->value.GetString(), subject->value.GetStringLength()});
  }
  const auto body = doc.FindMember("body");
  if (body == doc.MemberEnd()) return error{error_kind::data, "neither subject nor body"};
  if (body->value.IsString()) return parse_event_body(routing_key, {body->value.GetString(), body->value.GetStringLength()});
  if (body->value.IsObject()) {
    if (!event_kind_of(routing_key)) return std::optional<event>{};
    auto subject = legacy_subject(body->value, routing_key);
    if (!subject) return subject.err();
    return make(routing_key, *subject);
  }
  return error{error_kind::data, "body: neither a string nor an object"};
}

}  // namespace linemgr::io
