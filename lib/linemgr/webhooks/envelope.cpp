#include <linemgr/webhooks/envelope.hpp>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include <linemgr/io/json_internal.hpp>

namespace linemgr::webhooks {

using namespace linemgr::io;

namespace {

namespace mustache = kainjow::mustache;

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void key(writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void opt(writer& w, const std::optional<std::string>& s) { s ? str(w, *s) : void(w.Null()); }

void target(writer& w, const notice_target& t) {
  w.StartObject();
  key(w, "kind");
  str(w, t.kind);
  key(w, "id");
  t.id.empty() ? void(w.Null()) : str(w, t.id);
  w.EndObject();
}

void fields(writer& w, std::string_view name, const std::vector<notice_field>& fs) {
  key(w, name);
  if (fs.empty()) {
    w.Null();
    return;
  }
  w.StartObject();
  for (const notice_field& f : fs) {
    key(w, f.name);
    opt(w, f.value);
  }
  w.EndObject();
}

void run_data(writer& w, const run_summary& r) {
  key(w, "command");
  str(w, r.command);
  key(w, "scope");
  opt(w, r.scope);
  key(w, "today");
  str(w, format_date(r.today));
  for (const auto& [name, n] : {std::pair{"changes", r.changes}, {"applied", r.ok}, {"failed", r.failed}, {"stale", r.stale}}) {
    key(w, name);
    w.Uint64(n);
  }
}

// A JSON value as Mustache data: objects and arrays as such, scalars as strings, null as false
// (so {{#x}}…{{/x}} skips it), booleans as booleans.
mustache::data to_data(const rapidjson::Value& v) {
  if (v.IsObject()) {
    mustache::data d{mustache::data::type::object};
    for (const auto& m : v.GetObject()) d.set(m.name.GetString(), to_data(m.value));
    return d;
  }
  if (v.IsArray()) {
    mustache::data d{mustache::data::type::list};
    for (const auto& item : v.GetArray()) d.push_back(to_data(item));
    return d;
  }
  if (v.IsString()) return mustache::data{std::string(v.GetString(), v.GetStringLength())};
  if (v.IsBool()) return mustache::data{v.GetBool()};
  if (v.IsNull()) return mustache::data{false};
  rapidjson::StringBuffer b;
  writer w(b);
  v.Accept(w);
  return mustache::data{std::string(b.GetString(), b.GetSize())};
}

// Checks the bounds before the Mustache parser (which recurses per nested section) sees the text.
std::optional<std::string> shape_problem(std::string_view tmpl) {
  if (tmpl.size() > max_template_bytes)
    return fmt::format("the body template is {} bytes; at most {}", tmpl.size(), max_template_bytes);
  std::size_t depth = 0;
  for (std::size_t at = tmpl.find("{{"); at != std::string_view::npos; at = tmpl.find("{{", at + 2)) {
    std::size_t k = at + 2;
    while (k < tmpl.size() && (tmpl[k] == ' ' || tmpl[k] == '\t')) ++k;
    if (k == tmpl.size()) break;
    if (tmpl[k] == '=') return std::string("the body template changes its delimiters ({{=…=}}); use {{ and }}");
    if ((tmpl[k] == '#' || tmpl[k] == '^') && ++depth > max_template_nesting)
      return fmt::format("the body template nests sections more than {} deep", max_template_nesting);
    if (tmpl[k] == '/' && depth > 0) --depth;
  }
  return std::nullopt;
}

// Thrown by the output handler once a body passes max_rendered_bytes; ends the rendering.
struct too_long {};

result<std::string> render(const std::string& tmpl, std::string_view content_type, const std::string& envelope) {
  if (auto problem = shape_problem(tmpl)) return error{error_kind::config, *problem};
  mustache::mustache m{tmpl};
  if (!m.is_valid()) return error{error_kind::config, fmt::format("the body template does not parse: {}", m.error_message())};
  if (is_json_content_type(content_type)) m.set_custom_escape([](const std::string& s) { return json_escape(s); });
  else m.set_custom_escape([](const std::string& s) { return s; });
  rapidjson::Document doc;
  doc.Parse(envelope.data(), envelope.size());
  std::string out;
  try {
    m.render(to_data(doc), [&out](const std::string& piece) {
      if (out.size() + piece.size() > max_rendered_bytes) throw too_long{};
      out += piece;
    });
  } catch (const too_long&) {
    return error{error_kind::config, fmt::format("the body template renders more than {} bytes", max_rendered_bytes)};
  }
  if (!m.is_valid()) return error{error_kind::config, fmt::format("the body template does not render: {}", m.error_message())};
  return out;
}

}  // namespace

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += ch;
    }
  }
  return out;
}

bool is_json_content_type(std::string_view content_type) {
  const std::string_view base = content_type.substr(0, content_type.find(';'));
  return base == "application/json" || (base.size() > 5 && base.substr(base.size() - 5) == "+json");
}

std::string envelope_json(const notice& n) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  key(w, "id");
  str(w, n.id);
  key(w, "type");
  str(w, n.type);
  key(w, "time");
  str(w, n.time);
  key(w, "outcome");
  str(w, n.success ? "success" : "error");
  key(w, "dry_run");
  w.Bool(n.dry_run);
  key(w, "subject");
  target(w, n.subject);
  key(w, "related");
  w.StartArray();
  for (const notice_target& t : n.related) target(w, t);
  w.EndArray();
  key(w, "data");
  w.StartObject();
  if (n.run) {
    run_data(w, *n.run);
  } else {
    key(w, "unit");
    if (n.unit_path.empty()) {
      w.Null();
    } else {
      w.StartObject();
      key(w, "id");
      str(w, n.unit_path.front());
      key(w, "name");
      str(w, n.unit_name);
      w.EndObject();
    }
    key(w, "person_name");
    n.person_name.empty() ? void(w.Null()) : str(w, n.person_name);
    key(w, "from");
    n.from ? str(w, format_date(*n.from)) : void(w.Null());
    key(w, "to");
    n.to ? str(w, format_date(*n.to)) : void(w.Null());
    fields(w, "before", n.before);
    fields(w, "after", n.after);
    key(w, "reason");
    str(w, n.reason);
  }
  key(w, "error");
  opt(w, n.error);
  w.EndObject();
  w.EndObject();
  return {b.GetString(), b.GetSize()};
}

result<std::string> render_body(const webhook_sink& sink, const notice& n) {
  std::string envelope = envelope_json(n);
  if (sink.body_template.empty()) return envelope;
  return render(sink.body_template, sink.content_type, envelope);
}

std::optional<std::string> template_problem(const std::string& tmpl, std::string_view content_type) {
  auto out = render(tmpl, content_type, envelope_json(sample_notice("2026-01-01T00:00:00Z")));
  if (!out) return out.err().message;
  if (is_json_content_type(content_type)) {
    rapidjson::Document doc;
    doc.Parse(out->data(), out->size());
    if (doc.HasParseError())
      return fmt::format("the body template renders invalid JSON ({} at offset {} of \"{}\"); put {{{{x}}}} inside quotes, "
                         "it is escaped for a JSON string",
                         rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset(), *out);
  }
  return std::nullopt;
}

notice sample_notice(const std::string& time) {
  notice n;
  n.id = "00000000-0000-8000-8000-000000000000";
  n.type = "webhook.test";
  n.time = time;
  n.subject = {"manager", "11111111-1111-4111-8111-111111111111"};
  n.related = {{"unit", "22222222-2222-4222-8222-222222222222"}, {"person", "33333333-3333-4333-8333-333333333333"}};
  n.unit_path = {"22222222-2222-4222-8222-222222222222"};
  n.unit_name = "Skole \"Øst\"\\Afd.\nÆble & Åbo";
  n.person_name = "Søren \"Test\" Ærø";
  n.from = days_from_civil(2026, 1, 1);
  n.before = {{"person", std::nullopt}};
  n.after = {{"person", "33333333-3333-4333-8333-333333333333"}, {"level", "Niveau 2"}, {"type", "Leder"}};
  n.reason = "a test notice sent by `linemgr webhooks test`; it changes nothing";
  return n;
}

}  // namespace linemgr::webhooks
