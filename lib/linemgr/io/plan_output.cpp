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

std::string words_of(const std::array<std::size_t, 7>& n) {
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

// The changes of a saved plan, as they are.
struct stored_changes {
  const saved_plan& p;
  std::size_t size() const { return p.changes.size(); }
  const saved_change& operator[](std::size_t i) const { return p.changes[i]; }
};

// The changes of a plan over a snapshot, each given ids (and, when `named`, names) only when it is
// asked for: the output never holds the whole plan converted.
struct converted_changes {
  const snapshot& s;
  const plan& p;
  bool named;
  mutable saved_change scratch{};
  std::size_t size() const { return p.changes.size(); }
  const saved_change& operator[](std::size_t i) const {
    saved_change_of(s, p.changes[i], scratch);
    if (named) describe(s, scratch);
    return scratch;
  }
};

// The parts of a plan that are not its changes. `basis` (a saved plan's) is written when given.
struct plan_frame {
  day today = 0;
  const std::vector<diagnostic>& diagnostics;
  const saved_plan* basis = nullptr;
};

template <class Changes>
void write_json(text_sink& sink, const plan_frame& p, const Changes& changes, const apply_report* applied) {
  const bool with_basis = p.basis != nullptr;
  sink_stream buffer(sink);
  rapidjson::PrettyWriter<sink_stream> w(buffer);
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
    str(p.basis->source);
    key("config_digest");
    str(p.basis->config_digest);
    key("made_at");
    str(p.basis->made_at);
    key("unit");
    p.basis->unit ? str(*p.basis->unit) : void(w.Null());
    w.EndObject();
  }
  key("changes");
  w.StartArray();
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const saved_change& c = changes[i];
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
  buffer.Put('\n');
  buffer.Flush();
}

template <class Changes>
void write_text(text_sink& sink, const plan_frame& p, const Changes& changes, const apply_report* applied, bool colour) {
  std::string out;  // written to the sink whenever it holds 64 KiB
  auto pass_on = [&](std::size_t at_least) {
    if (out.size() < at_least) return;
    sink.write(out);
    out.clear();
  };
  auto paint = [&](const char* code, const std::string& text) { return colour ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text; };
  auto range = [](const saved_change& c) {
    return c.span.to == open_end ? fmt::format("from {}", format_date(c.span.from))
                                 : fmt::format("from {} to {}", format_date(c.span.from), format_date(c.span.to));
  };
  auto named = [](const std::string& id, const std::string& name) { return name.empty() ? id : fmt::format("{} ({})", name, id); };
  auto whose = [](const std::string& id, const std::string& person) { return person.empty() ? id : fmt::format("{} ({})", id, person); };
  // Changes grouped by the unit they are about, units in order of their first change.
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const saved_change& c = changes[i];
    const std::string& g = c.kind == op::move_engagement ? c.unit : c.group_unit.empty() ? c.unit : c.group_unit;
    auto [it, fresh] = groups.try_emplace(g);
    if (fresh) order.push_back(g);
    it->second.push_back(i);
  }
  std::array<std::size_t, 7> by_op{};
  for (const std::string& g : order) {
    const saved_change& first = changes[groups[g].front()];
    const std::string& name = first.kind == op::move_engagement || first.group_unit.empty() ? first.unit_name : first.group_unit_name;
    out += paint("1", "unit " + named(g, name)) + "\n";
    for (const std::size_t i : groups[g]) {
      const saved_change& c = changes[i];
      ++by_op[static_cast<std::size_t>(c.kind)];
      std::string marker = "~", what;
      switch (c.kind) {
        case op::set_unit_class: what = fmt::format("class {} -> {}", c.was_null ? "(none)" : c.was, c.klass); break;
        case op::create_manager:
          marker = "+";
          what = fmt::format("manager {}: {}, {}", named(c.person, c.person_name), c.level, c.type);
          if (!c.responsibilities.empty()) {
            what += ", responsible for ";
            for (std::size_t r = 0; r < c.responsibilities.size(); ++r) what += (r ? ", " : "") + c.responsibilities[r];
          }
          break;
        case op::update_manager: what = fmt::format("manager {}: level -> {}", whose(c.manager, c.subject_person_name), c.level); break;
        case op::end_manager:
          marker = "-";
          what = fmt::format("manager {} ends", whose(c.manager, c.subject_person_name));
          break;
        case op::vacate_manager:
          marker = "-";
          what = fmt::format("manager {} becomes vacant", whose(c.manager, c.subject_person_name));
          break;
        case op::end_association:
          marker = "-";
          what = fmt::format("association {} ends", whose(c.association, c.subject_person_name));
          break;
        case op::move_engagement:
          what = fmt::format("engagement {} moves here{}", whose(c.engagement, c.subject_person_name),
                             c.group_unit.empty() || c.group_unit == c.unit ? "" : " from " + named(c.group_unit, c.group_unit_name));
          break;
      }
      const char* tint = marker == "+" ? "32" : marker == "-" ? "31" : "33";
      out += fmt::format("  {} {}, {}\n      {}\n", paint(tint, marker), what, range(c), c.reason);
      pass_on(65536);
    }
  }
  std::array<std::size_t, 3> by_severity{};
  if (!p.diagnostics.empty() && changes.size() != 0) out += "\n";
  for (const diagnostic& d : p.diagnostics) {
    ++by_severity[static_cast<std::size_t>(d.level)];
    const std::string level(severity_name(d.level));
    out += fmt::format("{:<5} {} {}: {}\n", paint(d.level == severity::error ? "31" : d.level == severity::warn ? "33" : "0", level) +
                                                 std::string(level.size() < 5 ? 5 - level.size() : 0, ' '),
                       d.code, d.subject, d.message);
  }
  out += fmt::format("\n{} change{} for {}", changes.size(), changes.size() == 1 ? "" : "s", format_date(p.today));
  if (changes.size() != 0) {
    out += " (";
    bool first = true;
    std::map<std::string_view, std::size_t> named_ops;
    for (std::size_t k = 0; k < by_op.size(); ++k)
      if (by_op[k]) named_ops[op_name(static_cast<op>(k))] = by_op[k];
    for (const auto& [name, n] : named_ops) {
      out += fmt::format("{}{} {}", first ? "" : ", ", n, name);
      first = false;
    }
    out += ")";
  }
  out += fmt::format("; diagnostics: {} error, {} warn, {} info\n", by_severity[2], by_severity[1], by_severity[0]);
  if (applied) {
    for (const auto& f : applied->failed) {
      const saved_change& c = changes[f.change];
      out += fmt::format("failed: change {} ({} {}): {}\n", f.change, op_name(c.kind), saved_subject(c), f.error);
    }
    for (const auto& f : applied->stale) {
      const saved_change& c = changes[f.change];
      out += fmt::format("stale:  change {} ({} {}): {}\n", f.change, op_name(c.kind), saved_subject(c), f.error);
    }
    out += fmt::format("applied: {} ok, {} failed, {} stale\n", applied->ok, applied->failed.size(), applied->stale.size());
  } else if (changes.size() == 0) {
    out += "dry run: nothing was applied\n";
  } else {
    out += fmt::format("dry run: nothing was applied (applying would {})\n", words_of(by_op));
  }
  pass_on(0);
}

}  // namespace

void write_plan_json(text_sink& out, const saved_plan& p, const apply_report* applied, bool with_basis) {
  write_json(out, {p.today, p.diagnostics, with_basis ? &p : nullptr}, stored_changes{p}, applied);
}

void write_plan_text(text_sink& out, const saved_plan& p, const apply_report* applied, bool colour) {
  write_text(out, {p.today, p.diagnostics, nullptr}, stored_changes{p}, applied, colour);
}

void write_plan_json(text_sink& out, const snapshot& snap, const plan& p, const apply_report* applied) {
  write_json(out, {p.today, p.diagnostics, nullptr}, converted_changes{snap, p, false}, applied);
}

void write_plan_text(text_sink& out, const snapshot& snap, const plan& p, const apply_report* applied, bool colour) {
  write_text(out, {p.today, p.diagnostics, nullptr}, converted_changes{snap, p, true}, applied, colour);
}

std::string plan_to_json(const saved_plan& p, const apply_report* applied, bool with_basis) {
  string_sink out;
  write_plan_json(out, p, applied, with_basis);
  return std::move(out.out);
}

std::string plan_to_text(const saved_plan& p, const apply_report* applied, bool colour) {
  string_sink out;
  write_plan_text(out, p, applied, colour);
  return std::move(out.out);
}

std::string plan_in_words(const plan& p) {
  std::array<std::size_t, 7> n{};
  for (const change& c : p.changes) ++n[static_cast<std::size_t>(c.kind)];
  return words_of(n);
}

std::string plan_to_json(const snapshot& snap, const plan& p, const apply_report* applied) {
  string_sink out;
  write_plan_json(out, snap, p, applied);
  return std::move(out.out);
}

std::string plan_to_text(const snapshot& snap, const plan& p, const apply_report* applied, bool colour) {
  string_sink out;
  write_plan_text(out, snap, p, applied, colour);
  return std::move(out.out);
}

}  // namespace linemgr::io
