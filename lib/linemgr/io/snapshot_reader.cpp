// Reads `linemgr-snapshot/1` (doc/formats.md §1) as a stream: RapidJSON's SAX reader follows the
// document, each record (an element of a top-level array) is built as a small DOM in a pool that is
// reused for the next one, checked, and added to the model. The file is read in chunks and never
// held whole; the strings the model keeps are copied into its arena, ids interned once.
#include <array>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <type_traits>
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
        throw bad_input{fmt::format("{}.{}: given twice; keep one", path, name)};
  }
}

// The member from the segment, else from the record (flat form or shared attribute).
const value* attribute(const fields& seg, const fields& rec, field f) {
  if (seg.at[f]) return seg.at[f];
  return &seg == &rec ? nullptr : rec.at[f];
}

// The top-level arrays, in the order a snapshot is read: a later one may refer to an earlier one.
enum class section : std::uint8_t { classes, units, persons, engagements, associations, it_users, managers, count };
constexpr std::array<std::string_view, 7> section_names = {"classes",      "units",    "persons", "engagements",
                                                           "associations", "it_users", "managers"};

// Checks records one at a time and adds them to the snapshot; strings it keeps go to the arena.
class reader {
 public:
  explicit reader(snapshot& snap) : snap_(snap) {}

  void format(const value& f) {
    if (!f.IsNull() && (!f.IsString() || view(f) != "linemgr-snapshot/1"))
      throw bad_input{fmt::format("format: expected \"linemgr-snapshot/1\", got {}", show(f))};
  }

  void today(const value& t) {
    if (t.IsNull()) return;
    const auto d = t.IsString() ? parse_date(view(t)) : std::nullopt;
    if (!d) throw bad_input{fmt::format("today: not a date: {}", show(t))};
    snap_.today = *d;
  }

  void organisation(const value& o) {
    if (o.IsNull()) return;
    if (!o.IsString()) throw bad_input{fmt::format("organisation: expected a string, got {}", show(o))};
    snap_.organisation = keep(view(o));
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

 private:
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
    if (t.ids.find(id) != no_index) fail(w, "id", fmt::format("duplicate id \"{}\" in {}", id, name));
    return t.add(keep(id), segs);
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
      s.parent_id = optional_string(attribute(seg, r, f_parent), w, "parent");
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
    if (snap_.person_ids.find(id) != no_index) fail(w, "id", fmt::format("duplicate id \"{}\" in persons", id));
    const std::string_view kept = keep(id);
    snap_.person_ids.insert(kept, next);
    snap_.persons.push_back({kept, optional_string(rec.at[f_name], w, "name"), true});
  }

  void read_engagement(const value& rec, std::size_t i) {
    read_record(snap_.engagements, rec, "engagements", i, [&](const fields& seg, const fields& r, const where& w) {
      engagement_segment s;
      s.valid = dates(seg, r, w);
      s.person = person_ref(seg, r, w);
      s.unit = unit_ref(seg, r, w, true);
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
      association_segment s;
      s.valid = dates(seg, r, w);
      s.person = person_ref(seg, r, w);
      s.unit = unit_ref(seg, r, w, true);
      s.type = class_reference(attribute(seg, r, f_type), w, "type");
      return s;
    });
  }

  void read_it_user(const value& rec, std::size_t i) {
    read_record(snap_.it_users, rec, "it_users", i, [&](const fields& seg, const fields& r, const where& w) {
      it_user_segment s;
      s.valid = dates(seg, r, w);
      s.person = person_ref(seg, r, w);
      s.unit = unit_ref(seg, r, w, false);
      s.it_system = class_reference(attribute(seg, r, f_it_system), w, "it_system");
      return s;
    });
  }

  void read_manager(const value& rec, std::size_t i) {
    read_record(snap_.managers, rec, "managers", i, [&](const fields& seg, const fields& r, const where& w) {
      manager_segment s;
      s.valid = dates(seg, r, w);
      s.person = person_ref(seg, r, w);
      s.unit = unit_ref(seg, r, w, true);
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

// The deepest nesting a snapshot may have (it needs 4: document, table, record, segment list).
constexpr std::size_t max_snapshot_depth = 64;

// Why a parse stopped, when the handler stopped it.
enum class stop_reason : std::uint8_t { none, bad_input, too_deep, lone_surrogate };

// Follows the document as SAX events: the root's scalars and the top-level arrays directly, each
// record built as a DOM in a reused pool and handed to `reader`. A record of an array that refers
// to units or persons before both have been read is kept whole and read at the end.
class stream_handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, stream_handler> {
 public:
  explicit stream_handler(snapshot& snap) : reader_(snap), pool_(pool_buffer_, sizeof pool_buffer_), record_(&pool_) {}

  stop_reason stopped = stop_reason::none;
  std::string message;  // for stop_reason::bad_input

  // After a successful parse: the deferred records, and what the document lacked.
  void finish() {
    if (!seen_[idx(section::units)]) throw bad_input{"units: missing; a snapshot needs a \"units\" array"};
    std::stable_sort(deferred_.begin(), deferred_.end(), [](const deferred_record& a, const deferred_record& b) { return a.s < b.s; });
    for (const deferred_record& d : deferred_) reader_.record(d.s, d.index, d.record);
    deferred_.clear();
  }

  bool Null() { return in_record() ? record_.Null() : scalar(value()); }
  bool Bool(bool b) { return in_record() ? record_.Bool(b) : scalar(value(b)); }
  bool Int(int i) { return in_record() ? record_.Int(i) : scalar(value(i)); }
  bool Uint(unsigned u) { return in_record() ? record_.Uint(u) : scalar(value(u)); }
  bool Int64(std::int64_t i) { return in_record() ? record_.Int64(i) : scalar(value(i)); }
  bool Uint64(std::uint64_t u) { return in_record() ? record_.Uint64(u) : scalar(value(u)); }
  bool Double(double d) { return in_record() ? record_.Double(d) : scalar(value(d)); }
  bool String(const char* str, rapidjson::SizeType length, bool) {
    if (has_lone_surrogate(str, length)) return stop(stop_reason::lone_surrogate);
    return in_record() ? record_.String(str, length, true) : scalar(value(str, length));
  }
  bool Key(const char* str, rapidjson::SizeType length, bool) {
    if (has_lone_surrogate(str, length)) return stop(stop_reason::lone_surrogate);
    if (in_record()) return record_.Key(str, length, true);
    if (skip_) return true;
    key_.assign(str, length);
    return root_key();
  }
  bool StartObject() { return open(true); }
  bool StartArray() { return open(false); }
  bool EndObject(rapidjson::SizeType members) { return close(members, true); }
  bool EndArray(rapidjson::SizeType elements) { return close(elements, false); }

 private:
  static constexpr std::size_t idx(section s) { return static_cast<std::size_t>(s); }

  bool in_record() const { return depth_ >= 3 && !skip_; }

  // A decoded string holds a low surrogate's bytes (ED B0..BF ..) only when an escape put them
  // there: raw ones fail UTF-8 validation, and a pair decodes to four bytes.
  static bool has_lone_surrogate(const char* str, std::size_t length) {
    const char* end = str + length;
    for (const char* p = str; (p = static_cast<const char*>(std::memchr(p, '\xED', static_cast<std::size_t>(end - p)))) != nullptr; ++p)
      if (p + 1 < end && (static_cast<unsigned char>(p[1]) & 0xF0) == 0xB0) return true;
    return false;
  }

  bool stop(stop_reason why, std::string text = {}) {
    stopped = why;
    message = std::move(text);
    return false;
  }

  template <class Fn>
  bool guarded(Fn fn) {
    try {
      fn();
      return true;
    } catch (const bad_input& e) {
      return stop(stop_reason::bad_input, e.message);
    }
  }

  // Refuses a root member given twice.
  bool root_key() {
    static constexpr std::array<std::string_view, 10> known = {"format",  "today",       "organisation", "classes",  "units",
                                                               "persons", "engagements", "associations", "it_users", "managers"};
    for (std::size_t k = 0; k < known.size(); ++k)
      if (key_ == known[k]) {
        if (root_seen_ & (1u << k)) return stop(stop_reason::bad_input, fmt::format("{}: given twice; keep one", key_));
        root_seen_ |= 1u << k;
      }
    return true;
  }

  // The top-level array a root member names, if it names one.
  static std::optional<section> section_of(std::string_view name) {
    for (std::size_t k = 0; k < section_names.size(); ++k)
      if (name == section_names[k]) return static_cast<section>(k);
    return std::nullopt;
  }

  // The root's own members (format, today, organisation), whatever their type.
  void root_member(const value& v) {
    if (key_ == "format") reader_.format(v);
    else if (key_ == "today") reader_.today(v);
    else if (key_ == "organisation") reader_.organisation(v);
    else if (section_of(key_) && !v.IsNull()) throw bad_input{fmt::format("{}: expected an array, got {}", key_, show(v))};
  }

  // A string, number, boolean or null outside records.
  bool scalar(const value& v) {
    if (skip_) return true;
    if (depth_ == 0) return stop(stop_reason::bad_input, "$: a snapshot is a JSON object");
    if (depth_ == 2)
      return stop(stop_reason::bad_input, fmt::format("{}[{}]: expected an object, got {}", section_names[idx(array_)], index_, show(v)));
    return guarded([&] { root_member(v); });
  }

  bool open(bool object) {
    if (++depth_ > max_snapshot_depth) return stop(stop_reason::too_deep);
    if (skip_) return true;
    if (depth_ == 1) return object ? true : stop(stop_reason::bad_input, "$: a snapshot is a JSON object");
    if (depth_ >= 4) return object ? record_.StartObject() : record_.StartArray();
    if (depth_ == 3) {
      if (!object)
        return stop(stop_reason::bad_input, fmt::format("{}[{}]: expected an object, got an array", section_names[idx(array_)], index_));
      return record_.StartObject();
    }
    // The value of a root member.
    const auto s = section_of(key_);
    if (!s || object) {
      if (!s && key_ != "format" && key_ != "today" && key_ != "organisation") {
        skip_ = true;  // an unknown member: ignored, whatever it holds
        return true;
      }
      return guarded([&] { root_member(value(object ? rapidjson::kObjectType : rapidjson::kArrayType)); });
    }
    array_ = *s;
    index_ = 0;
    seen_[idx(*s)] = true;
    // Records that refer to units and persons wait until both are read (or the document ends);
    // once one array waits, the later ones do too, so records are read in the usual order.
    defer_ = defer_ || (*s >= section::engagements && !(done_[idx(section::units)] && done_[idx(section::persons)]));
    return true;
  }

  bool close(rapidjson::SizeType count, bool object) {
    const std::size_t depth = depth_--;
    if (skip_) {
      if (depth == 2) skip_ = false;
      return true;
    }
    if (depth >= 4) return object ? record_.EndObject(count) : record_.EndArray(count);
    if (depth == 3) return record_.EndObject(count) && end_record();
    if (depth == 2) {
      done_[idx(array_)] = true;
      if (array_ == section::units) return guarded([&] { reader_.units_done(); });
    }
    return true;
  }

  // The record's events are complete: take the value off the document's stack and read it.
  bool end_record() {
    struct nothing {
      bool operator()(rapidjson::Document&) const { return true; }
    } no_events;
    record_.Populate(no_events);
    const std::size_t i = index_++;
    bool ok = true;
    if (defer_ && array_ >= section::engagements) {
      deferred_.push_back({array_, i, value(record_, deferred_pool_)});
    } else {
      ok = guarded([&] { reader_.record(array_, i, record_); });
    }
    record_.SetNull();
    pool_.Clear();
    return ok;
  }

  struct deferred_record {
    section s;
    std::size_t index;
    value record;
  };

  reader reader_;
  char pool_buffer_[16384];
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document record_;  // the record being built (its handler methods build it)
  std::string key_;              // the last key seen outside records
  std::size_t depth_ = 0;
  bool skip_ = false;  // inside an unknown root member
  section array_ = section::count;
  std::size_t index_ = 0;
  bool defer_ = false;
  unsigned root_seen_ = 0;
  std::array<bool, section_names.size()> seen_{}, done_{};
  rapidjson::MemoryPoolAllocator<> deferred_pool_;
  std::vector<deferred_record> deferred_;
};

// A RapidJSON input stream over a file or a text, read in chunks of 64 KiB: the input is never held
// whole. A NUL sentinel follows each chunk; `exhausted` tells the end of input from a NUL byte in it.
class chunk_stream {
 public:
  using Ch = char;
  explicit chunk_stream(std::FILE* file) : file_(file) { fill(); }
  explicit chunk_stream(std::string_view text) : text_(text) { fill(); }

  Ch Peek() const { return *current_; }
  Ch Take() {
    const Ch c = *current_;
    if (current_ != end_ && ++current_ == end_) fill();
    return c;
  }
  std::size_t Tell() const { return consumed_ + static_cast<std::size_t>(current_ - buffer_.data()); }
  bool exhausted() const { return current_ == end_ && done_; }
  bool failed() const { return failed_; }
  // Writing is not used by the reader.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

 private:
  void fill() {
    consumed_ += static_cast<std::size_t>(current_ - buffer_.data());
    std::size_t n = 0;
    if (file_) {
      n = std::fread(buffer_.data(), 1, buffer_.size() - 1, file_);
      if (n == 0) failed_ = std::ferror(file_) != 0;
    } else {
      n = std::min(buffer_.size() - 1, text_.size() - text_at_);
      std::memcpy(buffer_.data(), text_.data() + text_at_, n);
      text_at_ += n;
    }
    done_ = n == 0;
    buffer_[n] = '\0';
    current_ = buffer_.data();
    end_ = current_ + n;
  }

  std::FILE* file_ = nullptr;
  std::string_view text_;
  std::size_t text_at_ = 0;
  std::array<char, 65537> buffer_{};
  char* current_ = buffer_.data();
  char* end_ = buffer_.data();
  std::size_t consumed_ = 0;
  bool done_ = false, failed_ = false;
};

// The input again, at least its first `upto` bytes, for positions in messages: `original` when
// the caller has the text, else the file read again; empty for standard input.
std::string input_again(std::string_view source, std::string_view original, std::size_t upto) {
  if (!original.empty()) return std::string(original);
  std::string text;
  if (source == "-") return text;
  std::FILE* f = std::fopen(std::string(source).c_str(), "rb");
  char chunk[65536];
  std::size_t got = 0;
  while (f && text.size() < upto && (got = std::fread(chunk, 1, sizeof chunk, f)) > 0) text.append(chunk, got);
  if (f) std::fclose(f);
  return text;
}

// "source:line:col" of a byte offset, or "source: at byte N" when the input cannot be read again.
std::string position(std::string_view source, std::string_view text, std::size_t offset) {
  if (text.empty()) return fmt::format("{}: at byte {}", source, offset);
  const auto [line, col] = line_column(text, offset);
  return fmt::format("{}:{}:{}", source, line, col);
}

constexpr std::string_view nul_message = "not valid JSON: a NUL byte (JSON text has none; is this the right file?)";

result<snapshot> parse_stream(chunk_stream& in, std::string_view source, std::string_view original) {
  snapshot snap;
  stream_handler handler(snap);
  rapidjson::Reader json;
  const rapidjson::ParseResult parsed = json.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(in, handler);
  if (in.failed()) return error{error_kind::io, fmt::format("{}: read error", source)};
  if (parsed.IsError()) {
    switch (handler.stopped) {
      case stop_reason::bad_input:
        return error{error_kind::data, fmt::format("{}: {}", source, handler.message)};
      case stop_reason::too_deep:
        return error{error_kind::data, fmt::format("{}: nests more than {} levels deep; a snapshot needs 4 (doc/formats.md §1)",
                                                   source, max_snapshot_depth)};
      case stop_reason::lone_surrogate: {
        const std::string text = input_again(source, original, SIZE_MAX);
        const std::size_t at = scan_json(text, SIZE_MAX).lone_surrogate;
        return error{error_kind::data, fmt::format("{}: not valid JSON: {}", position(source, text, at == std::string_view::npos ? parsed.Offset() : at),
                                                   lone_surrogate_message)};
      }
      case stop_reason::none: break;
    }
    const std::string text = input_again(source, original, parsed.Offset() + 1);
    if (parsed.Offset() < text.size() && text[parsed.Offset()] == '\0')
      return error{error_kind::data, fmt::format("{}: {}", position(source, text, parsed.Offset()), nul_message)};
    return error{error_kind::data, fmt::format("{}: not valid JSON: {}", position(source, text, parsed.Offset()),
                                               rapidjson::GetParseError_En(parsed.Code()))};
  }
  // The parser takes a NUL byte for the end of the text: whatever follows it would be ignored.
  if (!in.exhausted()) {
    const std::size_t at = in.Tell();
    const std::string text = input_again(source, original, at + 1);
    return error{error_kind::data, fmt::format("{}: {}", position(source, text, at), nul_message)};
  }
  try {
    handler.finish();
  } catch (const bad_input& e) {
    return error{error_kind::data, fmt::format("{}: {}", source, e.message)};
  }
  return snap;
}

}  // namespace

result<snapshot> parse_snapshot(std::string_view text, std::string_view source) {
  chunk_stream in(text);
  return parse_stream(in, source, text);
}

result<snapshot> read_snapshot_file(const std::string& path) {
  if (auto usable = check_input_file(path, "snapshot file"); !usable) return usable.err();
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return error{error_kind::io, fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  chunk_stream in(f);
  auto snap = parse_stream(in, path, {});
  if (f != stdin) std::fclose(f);
  return snap;
}

}  // namespace linemgr::io
