// Checking the records of a snapshot, one at a time, and adding them to the model.
#include <linemgr/io/snapshot_records_internal.hpp>

#include <type_traits>
#include <vector>

#include <fmt/format.h>

namespace linemgr::io {

using namespace linemgr::core;
using value = rapidjson::Value;

namespace {
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

}  // namespace

std::string show(const value& v) {
  if (v.IsString()) return fmt::format("\"{}\"", std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsNull()) return "null";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsNumber()) return "a number";
  if (v.IsArray()) return "an array";
  return "an object";
}

namespace {

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
        throw bad_input{fmt::format("{}.{}: given twice; keep one", path, name)};
  }
}

// The member from the segment, else from the record (flat form or shared attribute).
const value* attribute(const fields& seg, const fields& rec, field f) {
  if (seg.at[f]) return seg.at[f];
  return &seg == &rec ? nullptr : rec.at[f];
}

}  // namespace

struct record_reader::state {
  explicit state(snapshot& snap) : snap_(snap) {}

  void today(const value& t) {
    record_reader::check_today(t);
    if (!t.IsNull()) snap_.today = *parse_date(view(t));
  }

  void organisation(const value& o) {
    record_reader::check_organisation(o);
    if (!o.IsNull()) snap_.organisation = keep(view(o));
  }

  // One element of a top-level array (an object; the caller checks that).
  void record(section s, std::size_t i, const value& rec) {
    switch (s) {
      case section::classes: return read_class(rec, i);
      case section::units: return read_unit(rec, i);
      case section::persons: return read_person(rec, i);
      case section::engagements: return read_engagement(rec, i);
      case section::associations: return read_association(rec, i);
      case section::it_users: return read_it_user(rec, i);
      case section::managers: return read_manager(rec, i);
      case section::count: break;
    }
  }

  // After the last unit: parents are resolved (they may refer forward).
  void units_done() {
    for (unit_segment& s : snap_.units.segments)
      if (!s.parent_id.empty() && s.parent_id != snap_.organisation) s.parent = snap_.units.ids.find(s.parent_id);
  }

  std::string_view keep(std::string_view text) { return snap_.arena->store(text); }

  std::string_view optional_string(const value* v, const where& w, const char* name) {
    if (!v || v->IsNull()) return {};
    if (!v->IsString()) fail(w, name, fmt::format("expected a string, got {}", show(*v)));
    return keep(view(*v));
  }

  std::string_view record_id(const fields& rec, const where& w) {
    const value* v = rec.at[f_id];
    if (!v || v->IsNull()) fail(w, "id", "missing; every record needs an id");
    if (!v->IsString() || v->GetStringLength() == 0) fail(w, "id", fmt::format("expected a non-empty string, got {}", show(*v)));
    return view(*v);
  }

  // A unit's parent as written: the id of a unit read before shares that unit's copy.
  std::string_view parent_id(const value* v, const where& w) {
    if (v && v->IsString()) {
      const index_t known = snap_.units.ids.find(view(*v));
      if (known != no_index) return snap_.units.records[known].id;
    }
    return optional_string(v, w, "parent");
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
      index_t ref = snap_.class_ref_ids.find(text);
      if (ref == no_index) ref = snap_.intern_class(keep(text));
      slot = {snap_.class_refs[ref].text, ref};
      return ref;
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
    const index_t p = snap_.person_ids.find(view(*v));
    return p != no_index ? p : snap_.intern_person(keep(view(*v)));
  }

  // What every segment of a record about a person in a unit has: its period, person and unit.
  template <class Segment>
  Segment placed(const fields& seg, const fields& rec, const where& w, bool unit_required) {
    Segment s;
    s.valid = dates(seg, rec, w);
    s.person = person_ref(seg, rec, w);
    s.unit = unit_ref(seg, rec, w, unit_required);
    return s;
  }

  // Reads one record: per_segment(segment fields, record fields, where) for the flat form or each
  // of `segments`, their order checked, then the record added under its id.
  template <class Segment, class Fn>
  index_t read_record(table<Segment>& t, const value& obj, const char* name, std::size_t i, Fn per_segment) {
    const fields rec(obj);
    where w{name, i, -1};
    if (rec.duplicate) fail(w, rec.duplicate, "given twice; keep one");
    const std::string_view id = record_id(rec, w);
    segs_of<Segment>().clear();
    auto& segs = segs_of<Segment>();
    if (const value* s = rec.at[f_segments]; s && !s->IsNull()) {
      if (!s->IsArray()) fail(w, "segments", fmt::format("expected an array, got {}", show(*s)));
      for (rapidjson::SizeType j = 0; j < s->Size(); ++j) {
        w.segment = j;
        if (!(*s)[j].IsObject()) fail(w, "", fmt::format("expected an object, got {}", show((*s)[j])));
        const fields seg((*s)[j]);
        if (seg.duplicate) fail(w, seg.duplicate, "given twice; keep one");
        segs.push_back(per_segment(seg, rec, w));
        if (j > 0 && segs[j].valid.from < segs[j - 1].valid.to) fail(w, "from", "segments overlap or are not sorted by from");
      }
    } else {
      segs.push_back(per_segment(rec, rec, w));
    }
    w.segment = -1;
    const index_t added = t.add(keep(id), segs);
    if (added == no_index) fail(w, "id", fmt::format("duplicate id \"{}\" in {}", id, name));
    return added;
  }

  void read_class(const value& c, std::size_t i) {
    where w{"classes", i, -1};
    refuse_duplicates(c, {"uuid", "user_key", "name", "facet"}, w.at(""));
    class_def def{optional_string(member(c, "uuid"), w, "uuid"), optional_string(member(c, "user_key"), w, "user_key"),
                  optional_string(member(c, "name"), w, "name"), optional_string(member(c, "facet"), w, "facet")};
    if (def.uuid.empty() && def.user_key.empty() && def.name.empty()) fail(w, "", "a class needs at least one of uuid, user_key, name");
    snap_.classes.push_back(def);
  }

  void read_unit(const value& rec, std::size_t i) {
    read_record(snap_.units, rec, "units", i, [&](const fields& seg, const fields& r, const where& w) {
      unit_segment s;
      s.valid = dates(seg, r, w);
      s.parent_id = parent_id(attribute(seg, r, f_parent), w);
      s.level = class_reference(attribute(seg, r, f_level), w, "level");
      s.klass = class_reference(attribute(seg, r, f_class), w, "class");
      return s;
    });
    where w{"units", i, -1};
    snap_.unit_infos.push_back({optional_string(member(rec, "name"), w, "name"), optional_string(member(rec, "user_key"), w, "user_key")});
  }

  void read_person(const value& obj, std::size_t i) {
    const fields rec(obj);
    where w{"persons", i, -1};
    if (rec.duplicate) fail(w, rec.duplicate, "given twice; keep one");
    const std::string_view id = record_id(rec, w);
    const auto next = static_cast<index_t>(snap_.persons.size());
    const std::string_view kept = keep(id);
    if (snap_.person_ids.insert(kept, next) != next) fail(w, "id", fmt::format("duplicate id \"{}\" in persons", id));
    snap_.persons.push_back({kept, optional_string(rec.at[f_name], w, "name"), true});
  }

  void read_engagement(const value& rec, std::size_t i) {
    read_record(snap_.engagements, rec, "engagements", i, [&](const fields& seg, const fields& r, const where& w) {
      auto s = placed<engagement_segment>(seg, r, w, true);
      s.type = class_reference(attribute(seg, r, f_type), w, "type");
      if (const value* p = attribute(seg, r, f_primary); p && !p->IsNull()) {
        if (!p->IsBool()) fail(w, "primary", fmt::format("expected true or false, got {}", show(*p)));
        s.primary = p->GetBool();
      }
      return s;
    });
  }

  void read_association(const value& rec, std::size_t i) {
    read_record(snap_.associations, rec, "associations", i, [&](const fields& seg, const fields& r, const where& w) {
      auto s = placed<association_segment>(seg, r, w, true);
      s.type = class_reference(attribute(seg, r, f_type), w, "type");
      return s;
    });
  }

  void read_it_user(const value& rec, std::size_t i) {
    read_record(snap_.it_users, rec, "it_users", i, [&](const fields& seg, const fields& r, const where& w) {
      auto s = placed<it_user_segment>(seg, r, w, false);
      s.it_system = class_reference(attribute(seg, r, f_it_system), w, "it_system");
      return s;
    });
  }

  void read_manager(const value& rec, std::size_t i) {
    read_record(snap_.managers, rec, "managers", i, [&](const fields& seg, const fields& r, const where& w) {
      auto s = placed<manager_segment>(seg, r, w, true);
      s.level = class_reference(attribute(seg, r, f_level), w, "level");
      s.type = class_reference(attribute(seg, r, f_type), w, "type");
      s.responsibilities_first = static_cast<std::uint32_t>(snap_.responsibilities.size());
      if (const value* resp = attribute(seg, r, f_responsibilities); resp && !resp->IsNull()) {
        if (!resp->IsArray()) fail(w, "responsibilities", fmt::format("expected an array, got {}", show(*resp)));
        for (rapidjson::SizeType k = 0; k < resp->Size(); ++k) {
          const index_t ref = class_reference(&(*resp)[k], w, "responsibilities");
          if (ref == no_index) fail(w, "responsibilities", "null is not a class reference");
          snap_.responsibilities.push_back(ref);
        }
      }
      s.responsibilities_count = static_cast<std::uint32_t>(snap_.responsibilities.size() - s.responsibilities_first);
      return s;
    });
  }

  template <class Segment>
  std::vector<Segment>& segs_of() {
    static_assert(sizeof(Segment) > 0);
    if constexpr (std::is_same_v<Segment, unit_segment>) return unit_segs_;
    else if constexpr (std::is_same_v<Segment, engagement_segment>) return engagement_segs_;
    else if constexpr (std::is_same_v<Segment, association_segment>) return association_segs_;
    else if constexpr (std::is_same_v<Segment, it_user_segment>) return it_user_segs_;
    else return manager_segs_;
  }

  struct recent_class {
    std::string_view text;
    index_t ref = no_index;
  };
  std::array<recent_class, 64> recent_{};
  std::vector<unit_segment> unit_segs_;
  std::vector<engagement_segment> engagement_segs_;
  std::vector<association_segment> association_segs_;
  std::vector<it_user_segment> it_user_segs_;
  std::vector<manager_segment> manager_segs_;
  snapshot& snap_;
};


record_reader::record_reader(snapshot& snap) : state_(std::make_unique<state>(snap)) {}
record_reader::~record_reader() = default;
void record_reader::check_format(const value& f) {
  if (!f.IsNull() && (!f.IsString() || view(f) != "linemgr-snapshot/1"))
    throw bad_input{fmt::format("format: expected \"linemgr-snapshot/1\", got {}", show(f))};
}

void record_reader::check_today(const value& t) {
  if (t.IsNull()) return;
  const auto d = t.IsString() ? parse_date(view(t)) : std::nullopt;
  if (!d) throw bad_input{fmt::format("today: not a date: {}", show(t))};
}

void record_reader::check_organisation(const value& o) {
  if (!o.IsNull() && !o.IsString()) throw bad_input{fmt::format("organisation: expected a string, got {}", show(o))};
}

void record_reader::format(const value& v) { check_format(v); }
void record_reader::today(const value& v) { state_->today(v); }
void record_reader::organisation(const value& v) { state_->organisation(v); }
void record_reader::record(section s, std::size_t i, const value& rec) { state_->record(s, i, rec); }
void record_reader::units_done() { state_->units_done(); }

}  // namespace linemgr::io
