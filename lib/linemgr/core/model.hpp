#pragma once
// The organisation model: one snapshot of units, persons, engagements, associations,
// it-users and managers, each record a sorted list of non-overlapping segments.
// Ids are interned to integer indices once; strings live in a shared arena.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <linemgr/core/cow_vector.hpp>
#include <linemgr/core/date.hpp>
#include <linemgr/core/strings.hpp>

namespace linemgr::core {

// A class as OS2mo defines it; empty members are absent. An empty facet fits every field.
struct class_def {
  std::string_view uuid, user_key, name, facet;
};

// A reference to a class as a record gives it: a plain string, or an object with members.
struct class_ref {
  std::string_view text;  // the plain string; empty for an object
  std::string_view uuid, user_key, name;
  bool is_object = false;
};

// One period of a unit.
struct unit_segment {
  period valid;
  std::string_view parent_id;  // as written; empty for null
  index_t parent = no_index;   // the parent unit, when parent_id names one
  index_t level = no_index;    // class_ref index
  index_t klass = no_index;    // class_ref index (hierarchy class)
};

// One period of an engagement.
struct engagement_segment {
  period valid;
  index_t person = no_index;
  index_t unit = no_index;
  index_t type = no_index;
  bool primary = false;
};

// One period of an association; person == no_index means an association without a person.
struct association_segment {
  period valid;
  index_t person = no_index;
  index_t unit = no_index;
  index_t type = no_index;
};

// One period of an it-user (read and written, used by no rule).
struct it_user_segment {
  period valid;
  index_t unit = no_index;
  index_t person = no_index;
  index_t it_system = no_index;
};

// One period of a manager; person == no_index means vacant.
struct manager_segment {
  period valid;
  index_t person = no_index;
  index_t unit = no_index;
  index_t level = no_index;
  index_t type = no_index;
  std::uint32_t responsibilities_first = 0;  // into snapshot::responsibilities
  std::uint32_t responsibilities_count = 0;
};

// A table of records, each with an id and a run of segments sorted by `from`.
template <class Segment>
struct table {
  struct record {
    std::string_view id;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    std::uint32_t tag = no_index;  // free for the owner (managers: the plan change that created it)
  };
  cow_vector<record> records;
  cow_vector<Segment> segments;
  id_index ids;

  std::size_t size() const { return records.size(); }

  // The record's segments, sorted by from.
  std::span<const Segment> segments_of(index_t r) const {
    return {segments.data() + records[r].first, records[r].count};
  }
  // The record's segment active at d, or nullptr.
  const Segment* active_at(index_t r, day d) const {
    for (const Segment& s : segments_of(r))
      if (s.valid.contains(d)) return &s;
    return nullptr;
  }
  // The record's last segment, or nullptr when it has none.
  const Segment* last(index_t r) const {
    return records[r].count ? &segments[records[r].first + records[r].count - 1] : nullptr;
  }
  // Appends a record; returns its index, or no_index when the id is already taken.
  index_t add(std::string_view id, std::span<const Segment> segs) {
    const auto r = static_cast<index_t>(records.size());
    if (ids.insert(id, r) != r) return no_index;
    records.push_back({id, static_cast<std::uint32_t>(segments.size()), static_cast<std::uint32_t>(segs.size())});
    segments.insert(segments.end(), segs.begin(), segs.end());
    return r;
  }
  // Replaces the record's segments (the old ones stay behind, unused).
  void replace(index_t r, std::span<const Segment> segs) {
    records[r].first = static_cast<std::uint32_t>(segments.size());
    records[r].count = static_cast<std::uint32_t>(segs.size());
    segments.insert(segments.end(), segs.begin(), segs.end());
  }
};

// A person: id and display name. `declared` is false for ids only referenced by records.
struct person {
  std::string_view id, name;
  bool declared = true;
};

// Per-unit attributes that do not vary over time.
struct unit_info {
  std::string_view name, user_key;
};

// One picture of an organisation (doc/formats.md §1). Copies share the string arena.
struct snapshot {
  std::shared_ptr<string_arena> arena = std::make_shared<string_arena>();
  std::string_view organisation;
  std::optional<day> today;

  std::vector<class_def> classes;
  std::vector<class_ref> class_refs;
  id_index class_ref_ids;  // plain strings -> class_refs index

  table<unit_segment> units;
  cow_vector<unit_info> unit_infos;  // parallel to units.records
  cow_vector<person> persons;
  id_index person_ids;
  table<engagement_segment> engagements;
  table<association_segment> associations;
  table<it_user_segment> it_users;
  table<manager_segment> managers;
  std::vector<index_t> responsibilities;  // class_ref indices referenced by manager segments
  // Per unit, or empty: 1 for a unit whose subtree was not read (a partial snapshot, such as the
  // OS2mo source reads for reconcile-unit). The hierarchy rules take its stored class as given.
  std::vector<std::uint8_t> frozen;

  // The class_ref index for a plain string, adding it when new. `text` must outlive the snapshot
  // (arena or input buffer).
  index_t intern_class(std::string_view text);
  // Adds an object class reference (members must outlive the snapshot).
  index_t add_class_object(class_ref ref);
  // The person index for an id, adding an undeclared person when new.
  index_t intern_person(std::string_view id);
  // The responsibilities of a manager segment.
  std::span<const index_t> responsibilities_of(const manager_segment& s) const {
    return {responsibilities.data() + s.responsibilities_first, s.responsibilities_count};
  }
  // True for a part of an organisation (a scope's read, see core/scope.hpp): a unit it lacks may
  // exist elsewhere.
  bool partial = false;
  // True when the unit's subtree was not read (see `frozen`).
  bool is_frozen(index_t u) const { return !frozen.empty() && frozen[u] != 0; }
  // The unit's display name.
  std::string_view unit_name(index_t u) const { return unit_infos[u].name; }
  // True when the unit segment's parent is null or the organisation.
  bool is_root_parent(const unit_segment& s) const {
    return s.parent_id.empty() || s.parent_id == organisation;
  }
};

}  // namespace linemgr::core
