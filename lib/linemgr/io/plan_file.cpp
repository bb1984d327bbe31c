#include <linemgr/io/plan_file.hpp>

#include <map>

#include <fmt/format.h>

#include <linemgr/io/files.hpp>
#include <linemgr/io/json_internal.hpp>

namespace linemgr::io {

namespace {

using value = rapidjson::Value;

// Reads the fields of one JSON document into a saved plan, naming the first problem by its path.
class plan_reader {
 public:
  explicit plan_reader(const std::string& file) : file_(file) {}

  status read(const value& doc, saved_plan& out) {
    if (!doc.IsObject()) return bad("", "is not a JSON object");
    std::string format;
    if (!text(doc, "format", "", format)) return problem_;
    if (format != "linemgr-plan/1") return bad("format", fmt::format("is \"{}\", not \"linemgr-plan/1\"", format));
    const auto basis = doc.FindMember("basis");
    if (basis == doc.MemberEnd() || !basis->value.IsObject())
      return bad("basis", "is missing: this is a printed plan, not a saved one; save a plan to apply with "
                          "`linemgr reconcile-all --out FILE`");
    if (!date(doc, "today", "", out.today, false)) return problem_;
    const value& b = basis->value;
    if (!text(b, "source", "basis.", out.source) || !text(b, "config_digest", "basis.", out.config_digest) ||
        !text(b, "made_at", "basis.", out.made_at))
      return problem_;
    if (const auto u = b.FindMember("unit"); u != b.MemberEnd() && !u->value.IsNull()) {
      if (!u->value.IsString()) return bad("basis.unit", "is not a string or null");
      out.unit = std::string(u->value.GetString(), u->value.GetStringLength());
    }
    const auto changes = doc.FindMember("changes");
    if (changes == doc.MemberEnd() || !changes->value.IsArray()) return bad("changes", "is missing or not an array");
    std::size_t i = 0;
    for (const value& c : changes->value.GetArray()) {
      if (auto s = read_change(c, fmt::format("changes[{}].", i), out.changes.emplace_back()); !s) return s;
      ++i;
    }
    if (const auto d = doc.FindMember("diagnostics"); d != doc.MemberEnd() && d->value.IsArray()) {
      i = 0;
      for (const value& x : d->value.GetArray()) {
        const std::string at = fmt::format("diagnostics[{}].", i++);
        diagnostic& g = out.diagnostics.emplace_back();
        std::string level;
        if (!x.IsObject()) return bad(at.substr(0, at.size() - 1), "is not an object");
        if (!text(x, "code", at, g.code) || !text(x, "severity", at, level) || !text(x, "subject", at, g.subject) ||
            !text(x, "message", at, g.message))
          return problem_;
        g.level = level == "error" ? severity::error : level == "info" ? severity::info : severity::warn;
      }
    }
    return {};
  }

 private:
  status read_change(const value& c, const std::string& at, saved_change& out) {
    if (!c.IsObject()) return bad(at.substr(0, at.size() - 1), "is not an object");
    static const std::map<std::string, op, std::less<>> ops = {
        {"create_manager", op::create_manager}, {"update_manager", op::update_manager},   {"end_manager", op::end_manager},
        {"vacate_manager", op::vacate_manager}, {"end_association", op::end_association}, {"move_engagement", op::move_engagement},
        {"set_unit_class", op::set_unit_class}};
    std::string name;
    if (!text(c, "op", at, name)) return problem_;
    const auto o = ops.find(name);
    if (o == ops.end()) return bad(at + "op", fmt::format("\"{}\" is not an op of linemgr-plan/1", name));
    out.kind = o->second;
    if (!date(c, "from", at, out.span.from, false)) return problem_;
    if (c.HasMember("to") && !date(c, "to", at, out.span.to, true)) return problem_;
    bool ok = text(c, "reason", at, out.reason) && text(c, "fingerprint", at, out.fingerprint);
    switch (out.kind) {
      case op::set_unit_class:
        ok = ok && text(c, "unit", at, out.unit) && text(c, "class", at, out.klass);
        if (ok) {
          const auto was = c.FindMember("was");
          out.was_null = was == c.MemberEnd() || was->value.IsNull();
          if (!out.was_null) ok = text(c, "was", at, out.was);
        }
        break;
      case op::create_manager:
        ok = ok && text(c, "unit", at, out.unit) && text(c, "person", at, out.person) && text(c, "level", at, out.level) &&
             text(c, "type", at, out.type);
        if (ok) {
          const auto r = c.FindMember("responsibilities");
          if (r != c.MemberEnd()) {
            if (!r->value.IsArray()) return bad(at + "responsibilities", "is not an array of strings");
            for (const value& x : r->value.GetArray()) {
              if (!x.IsString()) return bad(at + "responsibilities", "is not an array of strings");
              out.responsibilities.emplace_back(x.GetString(), x.GetStringLength());
            }
          }
        }
        break;
      case op::update_manager: ok = ok && text(c, "manager", at, out.manager) && text(c, "level", at, out.level); break;
      case op::end_manager:
      case op::vacate_manager: ok = ok && text(c, "manager", at, out.manager); break;
      case op::end_association: ok = ok && text(c, "association", at, out.association); break;
      case op::move_engagement: ok = ok && text(c, "engagement", at, out.engagement) && text(c, "unit", at, out.unit); break;
    }
    if (!ok) return problem_;
    return {};
  }

  bool text(const value& o, const char* key, const std::string& at, std::string& out) {
    const auto m = o.FindMember(key);
    if (m == o.MemberEnd() || !m->value.IsString()) {
      problem_ = bad(at + key, m == o.MemberEnd() ? "is missing" : "is not a string");
      return false;
    }
    out.assign(m->value.GetString(), m->value.GetStringLength());
    return true;
  }

  bool date(const value& o, const char* key, const std::string& at, day& out, bool null_is_open) {
    const auto m = o.FindMember(key);
    if (null_is_open && m != o.MemberEnd() && m->value.IsNull()) {
      out = open_end;
      return true;
    }
    std::string t;
    if (!text(o, key, at, t)) return false;
    const auto d = parse_date(t);
    if (!d) {
      problem_ = bad(at + key, fmt::format("\"{}\" is not a date (YYYY-MM-DD)", t));
      return false;
    }
    out = *d;
    return true;
  }

  error bad(const std::string& path, const std::string& what) const {
    return error{error_kind::data, path.empty() ? fmt::format("{}: {}", file_, what) : fmt::format("{}: {} {}", file_, path, what)};
  }

  const std::string& file_;
  status problem_;
};


// A saved plan nests 4 levels (document, changes, change, responsibilities).
constexpr std::size_t max_plan_depth = 64;

}  // namespace

result<saved_plan> read_plan_file(const std::string& path) {
  auto text = read_input_file(path, "plan file", error_kind::io, max_plan_file_bytes);
  if (!text) return text.err();
  rapidjson::Document doc;
  const json_shape shape = scan_json(*text, max_plan_depth);
  if (shape.depth > max_plan_depth)
    return error{error_kind::data, fmt::format("{}: nests more than {} levels deep; not a saved plan", path, max_plan_depth)};
  if (shape.lone_surrogate != std::string_view::npos) {
    const auto [line, col] = line_column(*text, shape.lone_surrogate);
    return error{error_kind::data, fmt::format("{}:{}:{}: not a JSON document: {}", path, line, col, lone_surrogate_message)};
  }
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text->data(), text->size());
  if (doc.HasParseError()) {
    const auto [line, col] = line_column(*text, doc.GetErrorOffset());
    return error{error_kind::data, fmt::format("{}:{}:{}: not a JSON document: {}", path, line, col,
                                               rapidjson::GetParseError_En(doc.GetParseError()))};
  }
  saved_plan out;
  if (auto s = plan_reader(path).read(doc, out); !s) return s.err();
  return out;
}

}  // namespace linemgr::io
