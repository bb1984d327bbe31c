// Reads `linemgr-snapshot/1` (doc/formats.md §1) with RapidJSON: one in-situ parse; strings stay in
// the parsed buffer, which the snapshot's arena then owns. Ids are interned once.
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <linemgr/io/json_internal.hpp>
#include <linemgr/io/files.hpp>
#include <linemgr/io/snapshot_file.hpp>

namespace linemgr::io {

namespace {

using value = rapidjson::Value;

// Thrown inside the reader only; parse_snapshot turns it into an error.
struct bad_input {
  std::string message;
};

// Where a value is: array[record].segments[segment].member, formatted only on error.
struct where {
  const char* array = "";
  std::size_t record = 0;
  long segment = -1;
  std::string at(std::string_view member) const {
    std::string out = fmt::format("{}[{}]", array, record);
    if (segment >= 0) out += fmt::format(".segments[{}]", segment);
    if (!member.empty()) out += fmt::format(".{}", member);
    return out;
  }
};

std::string show(const value& v) {
  if (v.IsString()) return fmt::format("\"{}\"", std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsNull()) return "null";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsNumber()) return "a number";
  if (v.IsArray()) return "an array";
  return "an object";
}

[[noreturn]] void fail(const where& w, std::string_view member, std::string_view what) {
  throw bad_input{fmt::format("{}: {}", w.at(member), what)};
}

std::string_view view(const value& v) { return {v.GetString(), v.GetStringLength()}; }

const value* member(const value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// The members a record or segment may have, found in one pass over the object.
enum field : std::uint8_t { f_id, f_name, f_user_key, f_parent, f_level, f_class, f_from, f_to, f_person, f_unit,
                            f_type, f_primary, f_it_system, f_responsibilities, f_segments, field_count };
constexpr std::string_view field_names[field_count] = {"id",     "name", "user_key", "parent",    "level",
                                                       "class",  "from", "to",       "person",    "unit",
                                                       "type",   "primary", "it_system", "responsibilities", "segments"};

struct fields {
  const value* at[field_count] = {};
  const char* duplicate = nullptr;  // the name of a member given twice, if any
  explicit fields(const value& obj) {
    for (const auto& m : obj.GetObject()) {
      const std::string_view name(m.name.GetString(), m.name.GetStringLength());
      for (std::size_t f = 0; f < field_count; ++f)
        if (name.size() == field_names[f].size() && name == field_names[f]) {
          if (at[f] && !duplicate) duplicate = field_names[f].data();
          at[f] = &m.value;
          break;
        }
    }
  }
};

// Refuses an object that gives one of `names` twice (JSON leaves it open which one counts).
void refuse_duplicates(const value& obj, std::initializer_list<std::string_view> names, const std::string& path) {
  for (const std::string_view name : names) {
    int seen = 0;
    for (const auto& m : obj.GetObject())
      if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == name && ++seen == 2)
        throw bad_input{fmt::format("{}{}{}: given twice; keep one", path, path.empty() ? "" : ".", name)};
  }
}

// The member from the segment, else from the record (flat form or shared attribute).
const value* attribute(const fields& seg, const fields& rec, field f) {
  if (seg.at[f]) return seg.at[f];
  return &seg == &rec ? nullptr : rec.at[f];
}

class reader {
 public:
  explicit reader(snapshot& snap) : snap_(snap) {}

  void read(const value& root) {
    if (!root.IsObject()) throw bad_input{"$: a snapshot is a JSON object"};
    refuse_duplicates(root, {"format", "today", "organisation", "classes", "units", "persons", "engagements", "associations",
                             "it_users", "managers"}, "");
    if (const value* f = member(root, "format"); f && !f->IsNull()) {
      if (!f->IsString() || view(*f) != "linemgr-snapshot/1")
        throw bad_input{fmt::format("format: expected \"linemgr-snapshot/1\", got {}", show(*f))};
    }
    if (const value* t = member(root, "today"); t && !t->IsNull()) {
      const auto d = t->IsString() ? parse_date(view(*t)) : std::nullopt;
      if (!d) throw bad_input{fmt::format("today: not a date: {}", show(*t))};
      snap_.today = *d;
    }
    if (const value* o = member(root, "organisation"); o && !o->IsNull()) {
      if (!o->IsString()) throw bad_input{fmt::format("organisation: expected a string, got {}", show(*o))};
      snap_.organisation = view(*o);
    }
    read_classes(array(root, "classes", false));
    read_units(array(root, "units", true));
    read_persons(array(root, "persons", false));
    read_engagements(array(root, "engagements", false));
    read_associations(array(root, "associations", false));
    read_it_users(array(root, "it_users", false));
    read_managers(array(root, "managers", false));
  }

 private:
  const value* array(const value& root, const char* name, bool required) {
    const value* v = member(root, name);
    if (!v || v->IsNull()) {
      if (required) throw bad_input{fmt::format("{}: missing; a snapshot needs a \"{}\" array", name, name)};
      return nullptr;
    }
    if (!v->IsArray()) throw bad_input{fmt::format("{}: expected an array, got {}", name, show(*v))};
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i)
      if (!(*v)[i].IsObject()) throw bad_input{fmt::format("{}[{}]: expected an object, got {}", name, i, show((*v)[i]))};
    return v;
  }

  std::string_view optional_string(const value* v, const where& w, const char* name) {
    if (!v || v->IsNull()) return {};
    if (!v->IsString()) fail(w, name, fmt::format("expected a string, got {}", show(*v)));
    return view(*v);
  }

  std::string_view record_id(const fields& rec, const where& w) {
    const value* v = rec.at[f_id];
    if (!v || v->IsNull()) fail(w, "id", "missing; every record needs an id");
    if (!v->IsString() || v->GetStringLength() == 0) fail(w, "id", fmt::format("expected a non-empty string, got {}", show(*v)));
    return view(*v);
  }

  index_t class_reference(const value* v, const where& w, const char* name) {
    if (!v || v->IsNull()) return no_index;
    if (v->IsString()) {
      if (v->GetStringLength() == 0) fail(w, name, "a class reference is a non-empty string or an object");
      // A handful of classes (types, levels) repeat on most records: a small cache of recent
      // ones saves a probe into the big table for almost every record.
      const std::string_view text = view(*v);
      recent_class& slot = recent_[(text.size() * 31 + static_cast<unsigned char>(text.back())) % recent_.size()];
      if (slot.ref != no_index && slot.text == text) return slot.ref;
      slot = {text, snap_.intern_class(text)};
      return slot.ref;
    }
    if (!v->IsObject()) fail(w, name, fmt::format("expected a class reference (string or object), got {}", show(*v)));
    core::class_ref ref;
    ref.uuid = optional_string(member(*v, "uuid"), w, name);
    ref.user_key = optional_string(member(*v, "user_key"), w, name);
    ref.name = optional_string(member(*v, "name"), w, name);
    if (ref.uuid.empty() && ref.user_key.empty() && ref.name.empty())
      fail(w, name, "a class object needs at least one of uuid, user_key, name");
    return snap_.add_class_object(ref);
  }

  period dates(const fields& seg, const fields& rec, const where& w) {
    period p;
    if (const value* f = attribute(seg, rec, f_from); f && !f->IsNull()) {
      const auto d = f->IsString() ? parse_date(view(*f)) : std::nullopt;
      if (!d) fail(w, "from", fmt::format("not a date: {}", show(*f)));
      p.from = *d;
    }
    if (const value* t = attribute(seg, rec, f_to); t && !t->IsNull()) {
      const auto d = t->IsString() ? parse_date(view(*t)) : std::nullopt;
      if (!d) fail(w, "to", fmt::format("not a date: {}", show(*t)));
      p.to = *d;
    }
    if (p.to <= p.from) fail(w, "to", fmt::format("ends before it starts ({} <= {})", format_date(p.to), format_date(p.from)));
    return p;
  }

  index_t unit_ref(const fields& seg, const fields& rec, const where& w, bool required) {
    const value* v = attribute(seg, rec, f_unit);
    if (!v || v->IsNull()) {
      if (required) fail(w, "unit", "missing; name the unit's id");
      return no_index;
    }
    if (!v->IsString()) fail(w, "unit", fmt::format("expected a unit id, got {}", show(*v)));
    const index_t u = snap_.units.ids.find(view(*v));
    if (u == no_index) fail(w, "unit", fmt::format("unknown unit {}: no unit has this id", show(*v)));
    return u;
  }

  index_t person_ref(const fields& seg, const fields& rec, const where& w) {
    const value* v = attribute(seg, rec, f_person);
    if (!v || v->IsNull()) return no_index;
    if (!v->IsString() || v->GetStringLength() == 0) fail(w, "person", fmt::format("expected a person id, got {}", show(*v)));
    return snap_.intern_person(view(*v));
  }

  // Calls per_segment(segment object, where) for the flat form or each of `segments`, collects
  // the periods it returns and checks their order.
  template <class Segment, class Fn>
  void read_records(table<Segment>& t, const value* arr, const char* name, Fn per_segment) {
    if (!arr) return;
    t.records.reserve(arr->Size());
    t.segments.reserve(arr->Size());
    t.ids.reserve(arr->Size());
    std::vector<Segment> segs;
    for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
      const fields rec((*arr)[i]);
      where w{name, i, -1};
      if (rec.duplicate) fail(w, rec.duplicate, "given twice; keep one");
      const std::string_view id = record_id(rec, w);
      segs.clear();
      if (const value* s = rec.at[f_segments]; s && !s->IsNull()) {
        if (!s->IsArray()) fail(w, "segments", fmt::format("expected an array, got {}", show(*s)));
        for (rapidjson::SizeType j = 0; j < s->Size(); ++j) {
          w.segment = j;
          if (!(*s)[j].IsObject()) fail(w, "", fmt::format("expected an object, got {}", show((*s)[j])));
          const fields seg((*s)[j]);
          if (seg.duplicate) fail(w, seg.duplicate, "given twice; keep one");
          segs.push_back(per_segment(seg, rec, w));
          if (j > 0 && segs[j].valid.from < segs[j - 1].valid.to)
            fail(w, "from", "segments overlap or are not sorted by from");
        }
      } else {
        segs.push_back(per_segment(rec, rec, w));
      }
      w.segment = -1;
      if (t.add(id, segs) == no_index) fail(w, "id", fmt::format("duplicate id \"{}\" in {}", id, name));
    }
  }

  void read_classes(const value* arr) {
    if (!arr) return;
    for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
      const value& c = (*arr)[i];
      where w{"classes", i, -1};
      refuse_duplicates(c, {"uuid", "user_key", "name", "facet"}, w.at(""));
      class_def def{optional_string(member(c, "uuid"), w, "uuid"), optional_string(member(c, "user_key"), w, "user_key"),
                    optional_string(member(c, "name"), w, "name"), optional_string(member(c, "facet"), w, "facet")};
      if (def.uuid.empty() && def.user_key.empty() && def.name.empty())
        fail(w, "", "a class needs at least one of uuid, user_key, name");
      snap_.classes.push_back(def);
    }
  }

  void read_units(const value* arr) {
    // Ids first, so parents can refer forward.
    snap_.units.ids.reserve(arr->Size());
    read_records(snap_.units, arr, "units", [&](const fields& seg, const fields& rec, const where& w) {
      unit_segment s;
      s.valid = dates(seg, rec, w);
      s.parent_id = optional_string(attribute(seg, rec, f_parent), w, "parent");
      s.level = class_reference(attribute(seg, rec, f_level), w, "level");
      s.klass = class_reference(attribute(seg, rec, f_class), w, "class");
      return s;
    });
    snap_.unit_infos.reserve(arr->Size());
    for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
      const value& rec = (*arr)[i];
      where w{"units", i, -1};
      snap_.unit_infos.push_back({optional_string(member(rec, "name"), w, "name"),
                                  optional_string(member(rec, "user_key"), w, "user_key")});
    }
    for (unit_segment& s : snap_.units.segments)
      if (!s.parent_id.empty() && s.parent_id != snap_.organisation) s.parent = snap_.units.ids.find(s.parent_id);
  }

  void read_persons(const value* arr) {
    if (!arr) return;
    snap_.persons.reserve(arr->Size());
    snap_.person_ids.reserve(arr->Size());
    for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
      const fields rec((*arr)[i]);
      where w{"persons", i, -1};
      if (rec.duplicate) fail(w, rec.duplicate, "given twice; keep one");
      const std::string_view id = record_id(rec, w);
      const auto next = static_cast<index_t>(snap_.persons.size());
      if (snap_.person_ids.insert(id, next) != next) fail(w, "id", fmt::format("duplicate id \"{}\" in persons", id));
      snap_.persons.push_back({id, optional_string(rec.at[f_name], w, "name"), true});
    }
  }

  void read_engagements(const value* arr) {
    read_records(snap_.engagements, arr, "engagements", [&](const fields& seg, const fields& rec, const where& w) {
      engagement_segment s;
      s.valid = dates(seg, rec, w);
      s.person = person_ref(seg, rec, w);
      s.unit = unit_ref(seg, rec, w, true);
      s.type = class_reference(attribute(seg, rec, f_type), w, "type");
      if (const value* p = attribute(seg, rec, f_primary); p && !p->IsNull()) {
        if (!p->IsBool()) fail(w, "primary", fmt::format("expected true or false, got {}", show(*p)));
        s.primary = p->GetBool();
      }
      return s;
    });
  }

  void read_associations(const value* arr) {
    read_records(snap_.associations, arr, "associations", [&](const fields& seg, const fields& rec, const where& w) {
      association_segment s;
      s.valid = dates(seg, rec, w);
      s.person = person_ref(seg, rec, w);
      s.unit = unit_ref(seg, rec, w, true);
      s.type = class_reference(attribute(seg, rec, f_type), w, "type");
      return s;
    });
  }

  void read_it_users(const value* arr) {
    read_records(snap_.it_users, arr, "it_users", [&](const fields& seg, const fields& rec, const where& w) {
      it_user_segment s;
      s.valid = dates(seg, rec, w);
      s.person = person_ref(seg, rec, w);
      s.unit = unit_ref(seg, rec, w, false);
      s.it_system = class_reference(attribute(seg, rec, f_it_system), w, "it_system");
      return s;
    });
  }

  void read_managers(const value* arr) {
    read_records(snap_.managers, arr, "managers", [&](const fields& seg, const fields& rec, const where& w) {
      manager_segment s;
      s.valid = dates(seg, rec, w);
      s.person = person_ref(seg, rec, w);
      s.unit = unit_ref(seg, rec, w, true);
      s.level = class_reference(attribute(seg, rec, f_level), w, "level");
      s.type = class_reference(attribute(seg, rec, f_type), w, "type");
      s.responsibilities_first = static_cast<std::uint32_t>(snap_.responsibilities.size());
      if (const value* r = attribute(seg, rec, f_responsibilities); r && !r->IsNull()) {
        if (!r->IsArray()) fail(w, "responsibilities", fmt::format("expected an array, got {}", show(*r)));
        for (rapidjson::SizeType k = 0; k < r->Size(); ++k) {
          const index_t ref = class_reference(&(*r)[k], w, "responsibilities");
          if (ref == no_index) fail(w, "responsibilities", "null is not a class reference");
          snap_.responsibilities.push_back(ref);
        }
      }
      s.responsibilities_count = static_cast<std::uint32_t>(snap_.responsibilities.size() - s.responsibilities_first);
      return s;
    });
  }

  struct recent_class {
    std::string_view text;
    index_t ref = no_index;
  };
  std::array<recent_class, 64> recent_{};
  snapshot& snap_;
};

// NUL bytes after the text: a string cut off inside a UTF-8 sequence makes the validating in-situ
// parser read (and write) up to 3 bytes past the end; they must be ours, and NUL.
constexpr std::size_t padding = 4;
// The deepest nesting a snapshot may have (it needs 4: document, table, record, segment list).
constexpr std::size_t max_snapshot_depth = 64;

// Parses a NUL-terminated buffer of `size` bytes in place; the snapshot keeps the buffer.
// `original` is the unparsed text when the caller still has it (in-situ parsing rewrites
// escapes in the buffer, so line numbers are counted in the original when possible).
result<snapshot> parse_owned(std::unique_ptr<char[]> buffer, std::size_t size, std::string_view source,
                             std::string_view original) {
  snapshot snap;
  char* data = buffer.get();
  const std::string_view text(data, size);
  const json_shape shape = scan_json(text, max_snapshot_depth);
  if (shape.depth > max_snapshot_depth)
    return error{error_kind::data, fmt::format("{}: nests more than {} levels deep; a snapshot needs 4 (doc/formats.md §1)", source,
                                               max_snapshot_depth)};
  if (shape.lone_surrogate != std::string_view::npos) {
    const auto [line, col] = line_column(text, shape.lone_surrogate);
    return error{error_kind::data, fmt::format("{}:{}:{}: not valid JSON: {}", source, line, col, lone_surrogate_message)};
  }
  // The in-situ parser stops at a NUL byte and would ignore whatever follows it.
  if (const void* nul = std::memchr(data, 0, size)) {
    const auto [line, col] = line_column(text, static_cast<std::size_t>(static_cast<const char*>(nul) - data));
    return error{error_kind::data, fmt::format("{}:{}:{}: not valid JSON: a NUL byte (JSON text has none; is this the right file?)",
                                               source, line, col)};
  }
  rapidjson::Document doc;
  doc.ParseInsitu<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(data);
  if (doc.HasParseError()) {
    std::string reread;
    if (original.empty() && source != "-") {
      std::FILE* f = std::fopen(std::string(source).c_str(), "rb");
      char chunk[65536];
      std::size_t got = 0;
      while (f && reread.size() < doc.GetErrorOffset() && (got = std::fread(chunk, 1, sizeof chunk, f)) > 0)
        reread.append(chunk, got);
      if (f) std::fclose(f);
      original = reread;
    }
    if (original.empty()) original = std::string_view(data, size);
    const auto [line, col] = line_column(original, doc.GetErrorOffset());
    return error{error_kind::data, fmt::format("{}:{}:{}: not valid JSON: {}", source, line, col,
                                               rapidjson::GetParseError_En(doc.GetParseError()))};
  }
  snap.arena->adopt(std::move(buffer));
  try {
    reader(snap).read(doc);
  } catch (const bad_input& e) {
    return error{error_kind::data, fmt::format("{}: {}", source, e.message)};
  }
  return snap;
}

}  // namespace

result<snapshot> parse_snapshot(std::string_view text, std::string_view source) {
  auto buffer = std::make_unique<char[]>(text.size() + padding);
  std::memcpy(buffer.get(), text.data(), text.size());
  std::memset(buffer.get() + text.size(), 0, padding);
  return parse_owned(std::move(buffer), text.size(), source, text);
}

result<snapshot> read_snapshot_file(const std::string& path) {
  if (auto usable = check_input_file(path, "snapshot file"); !usable) return usable.err();
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return error{error_kind::io, fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  std::size_t capacity = 1 << 20, size = 0;
  if (f != stdin && std::fseek(f, 0, SEEK_END) == 0) {
    const long end = std::ftell(f);
    if (end > 0) capacity = static_cast<std::size_t>(end) + 1;
    std::fseek(f, 0, SEEK_SET);
  }
  auto buffer = std::make_unique<char[]>(capacity + padding);
  for (;;) {
    size += std::fread(buffer.get() + size, 1, capacity - size, f);
    if (size < capacity || std::feof(f) || std::ferror(f)) break;
    auto bigger = std::make_unique<char[]>(capacity * 2 + padding);
    std::memcpy(bigger.get(), buffer.get(), size);
    buffer = std::move(bigger);
    capacity *= 2;
  }
  const bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) return error{error_kind::io, fmt::format("{}: read error", path)};
  std::memset(buffer.get() + size, 0, padding);
  return parse_owned(std::move(buffer), size, path, {});
}

}  // namespace linemgr::io
