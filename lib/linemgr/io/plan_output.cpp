#include <linemgr/io/plan_output.hpp>

#include <array>
#include <map>

#include <fmt/format.h>

#include <linemgr/io/json_internal.hpp>

namespace linemgr::io {

namespace {

// The id of the record a change is about (as subject_id for a plan).
const std::string& saved_subject(const saved_change& c) {
  if (!c.manager.empty()) return c.manager;
  if (!c.association.empty()) return c.association;
  if (!c.engagement.empty()) return c.engagement;
  return c.unit;
}

}  // namespace

std::string plan_to_json(const saved_plan& p, const apply_report* applied, bool with_basis) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  auto key = [&](std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); };
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  auto date = [&](std::string_view k, day d) {
    key(k);
    d == open_end ? void(w.Null()) : str(format_date(d));
  };
  w.StartObject();
  key("format");
  str("linemgr-plan/1");
  key("today");
  str(format_date(p.today));
  if (with_basis) {
    key("basis");
    w.StartObject();
    key("source");
    str(p.source);
    key("config_digest");
    str(p.config_digest);
    key("made_at");
    str(p.made_at);
    key("unit");
    p.unit ? str(*p.unit) : void(w.Null());
    w.EndObject();
  }
  key("changes");
  w.StartArray();
  for (const saved_change& c : p.changes) {
    w.StartObject();
    key("op");
    str(op_name(c.kind));
    switch (c.kind) {
      case op::set_unit_class:
        key("unit");
        str(c.unit);
        key("class");
        str(c.klass);
        key("was");
        c.was_null ? void(w.Null()) : str(c.was);
        date("from", c.span.from);
        date("to", c.span.to);
        break;
      case op::create_manager:
        key("unit");
        str(c.unit);
        key("person");
        str(c.person);
        key("level");
        str(c.level);
        key("type");
        str(c.type);
        key("responsibilities");
        w.StartArray();
        for (const std::string& r : c.responsibilities) str(r);
        w.EndArray();
        date("from", c.span.from);
        date("to", c.span.to);
        break;
      case op::update_manager:
        key("manager");
        str(c.manager);
        date("from", c.span.from);
        date("to", c.span.to);
        key("level");
        str(c.level);
        break;
      case op::end_manager:
      case op::vacate_manager:
        key("manager");
        str(c.manager);
        date("from", c.span.from);
        date("to", c.span.to);
        break;
      case op::end_association:
        key("association");
        str(c.association);
        date("from", c.span.from);
        break;
      case op::move_engagement:
        key("engagement");
        str(c.engagement);
        key("unit");
        str(c.unit);
        date("from", c.span.from);
        break;
    }
    key("reason");
    str(c.reason);
    if (with_basis) {
      key("fingerprint");
      str(c.fingerprint);
    }
    w.EndObject();
  }
  w.EndArray();
  key("diagnostics");
  w.StartArray();
  for (const diagnostic& d : p.diagnostics) {
    w.StartObject();
    key("code");
    str(d.code);
    key("severity");
    str(severity_name(d.level));
    key("subject");
    str(d.subject);
    key("message");
    str(d.message);
    w.EndObject();
  }
  w.EndArray();
  key("applied");
  if (!applied) {
    w.Null();
  } else {
    w.StartObject();
    key("ok");
    w.Uint64(applied->ok);
    key("failed");
    w.StartArray();
    for (const auto& f : applied->failed) {
      w.StartObject();
      key("change");
      w.Uint64(f.change);
      key("error");
      str(f.error);
      w.EndObject();
    }
    w.EndArray();
    key("stale");
    w.StartArray();
    for (const auto& f : applied->stale) {
      w.StartObject();
      key("change");
      w.Uint64(f.change);
      key("reason");
      str(f.error);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  std::string out(buffer.GetString(), buffer.GetSize());
  out += '\n';
  return out;
}

std::string plan_to_text(const saved_plan& p, const apply_report* applied) {
  std::string out;
  auto range = [](const saved_change& c) {
    return c.span.to == open_end ? fmt::format("from {}", format_date(c.span.from))
                                 : fmt::format("{} to {}", format_date(c.span.from), format_date(c.span.to));
  };
  std::map<std::string_view, std::size_t> by_op;
  for (const saved_change& c : p.changes) {
    ++by_op[op_name(c.kind)];
    std::string what;
    switch (c.kind) {
      case op::set_unit_class:
        what = fmt::format("unit {} ({}): class {} -> {}", c.unit, c.unit_name,
                           c.was_null ? "(none)" : c.was, c.klass);
        break;
      case op::create_manager:
        what = fmt::format("unit {}: new manager {} ({}, {})", c.unit, c.person, c.level, c.type);
        break;
      case op::update_manager:
        what = fmt::format("manager {}: level -> {}", c.manager, c.level);
        break;
      case op::end_manager: what = fmt::format("manager {}: ends", c.manager); break;
      case op::vacate_manager: what = fmt::format("manager {}: becomes vacant", c.manager); break;
      case op::end_association:
        what = fmt::format("association {}: ends", c.association);
        break;
      case op::move_engagement:
        what = fmt::format("engagement {}: moves to unit {}", c.engagement, c.unit);
        break;
    }
    out += fmt::format("{:<15} {} {}: {}\n", op_name(c.kind), what, range(c), c.reason);
  }
  std::array<std::size_t, 3> by_severity{};
  for (const diagnostic& d : p.diagnostics) {
    ++by_severity[static_cast<std::size_t>(d.level)];
    out += fmt::format("{:<5} {} {}: {}\n", severity_name(d.level), d.code, d.subject, d.message);
  }
  out += fmt::format("\n{} change{} for {}", p.changes.size(), p.changes.size() == 1 ? "" : "s", format_date(p.today));
  if (!by_op.empty()) {
    out += " (";
    bool first = true;
    for (const auto& [name, n] : by_op) {
      out += fmt::format("{}{} {}", first ? "" : ", ", n, name);
      first = false;
    }
    out += ")";
  }
  out += fmt::format("; diagnostics: {} error, {} warn, {} info\n", by_severity[2], by_severity[1], by_severity[0]);
  if (applied) {
    for (const auto& f : applied->failed)
      out += fmt::format("failed: change {} ({} {}): {}\n", f.change, op_name(p.changes[f.change].kind), saved_subject(p.changes[f.change]), f.error);
    for (const auto& f : applied->stale)
      out += fmt::format("stale:  change {} ({} {}): {}\n", f.change, op_name(p.changes[f.change].kind), saved_subject(p.changes[f.change]), f.error);
    out += fmt::format("applied: {} ok, {} failed, {} stale\n", applied->ok, applied->failed.size(), applied->stale.size());
  }
  else
    out += "dry run: nothing was applied\n";
  return out;
}

std::string plan_in_words(const plan& p) {
  std::array<std::size_t, 7> n{};
  for (const change& c : p.changes) ++n[static_cast<std::size_t>(c.kind)];
  auto count = [](std::size_t k, const char* one, const char* many) { return fmt::format("{} {}", k, k == 1 ? one : many); };
  std::vector<std::string> parts;
  auto add = [&](op o, std::string text) {
    if (n[static_cast<std::size_t>(o)]) parts.push_back(std::move(text));
  };
  add(op::create_manager, "create " + count(n[0], "manager", "managers"));
  add(op::update_manager, "correct the level of " + count(n[1], "manager", "managers"));
  add(op::end_manager, "end " + count(n[2], "manager", "managers"));
  add(op::vacate_manager, "make " + count(n[3], "manager role", "manager roles") + " vacant");
  add(op::end_association, "end " + count(n[4], "association", "associations"));
  add(op::move_engagement, "move " + count(n[5], "engagement", "engagements"));
  add(op::set_unit_class, "change the class of " + count(n[6], "unit", "units"));
  if (parts.empty()) return "change nothing";
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return out;
}

std::string plan_to_json(const snapshot& snap, const plan& p, const apply_report* applied) {
  return plan_to_json(saved_from(snap, p), applied, false);
}

std::string plan_to_text(const snapshot& snap, const plan& p, const apply_report* applied) {
  return plan_to_text(saved_from(snap, p), applied);
}

}  // namespace linemgr::io
