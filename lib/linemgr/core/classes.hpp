#pragma once
// Class reference resolution (doc/rules.md §0): references and configured values resolve within
// a facet to a class, by uuid, then user_key, then name; their keys decide every comparison.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/core/model.hpp>

namespace linemgr::core {

// The facets whose classes the rules read.
enum class facet : std::uint8_t {
  org_unit_level,
  org_unit_hierarchy,
  engagement_type,
  manager_level,
  manager_type,
  responsibility,
};
inline constexpr std::size_t facet_count = 6;

// The facet's name as OS2mo spells it.
std::string_view facet_name(facet f);

// Up to three non-empty keys (uuid, user_key, name) that identify a class.
struct class_keys {
  std::array<std::string_view, 3> keys{};
  // True when `value` is one of the keys.
  bool contains(std::string_view value) const;
  // True when the two key sets share a key.
  bool intersects(const class_keys& other) const;
  bool empty() const { return keys[0].empty() && keys[1].empty() && keys[2].empty(); }
};

// Resolves a snapshot's class references; built once per snapshot, read-only afterwards.
class class_resolver {
 public:
  explicit class_resolver(const snapshot& snap);

  // The class a reference resolves to within the facet, or no_index.
  index_t resolve_ref(index_t ref, facet f) const;
  // The class a configured value resolves to within the facet, or no_index.
  index_t resolve_value(std::string_view value, facet f) const;
  // K(r): the keys of a reference (no_index gives empty keys).
  class_keys keys_of_ref(index_t ref, facet f) const;
  // The keys of a configured value: its class's keys, or the value itself.
  class_keys keys_of_value(std::string_view value, facet f) const;
  // True when a configured value matches the reference (v ∈ K(r)).
  bool matches(std::string_view value, index_t ref, facet f) const;
  // True when any of the configured values matches the reference.
  bool matches_any(const std::vector<std::string>& values, index_t ref, facet f) const;
  // The output string of a reference: user_key, else uuid, else name.
  std::string output_of_ref(index_t ref, facet f) const;
  // The output string of a configured value: its class's user_key..., or the value as written.
  std::string output_of_value(std::string_view value, facet f) const;
  // The user_key a level is matched by (H6.2): the class's user_key, else the reference's own.
  std::string_view level_key(index_t ref) const;
  // True when the snapshot has classes that fit the facet (H9's condition for CLASS_UNRESOLVED).
  bool has_classes_for(facet f) const { return has_facet_[static_cast<std::size_t>(f)]; }

 private:
  struct facet_index {
    id_index by_uuid, by_user_key, by_name;
  };
  index_t find(std::string_view uuid, std::string_view user_key, std::string_view name, facet f) const;
  const snapshot& snap_;
  std::array<facet_index, facet_count> index_;
  std::array<bool, facet_count> has_facet_{};
  std::array<std::vector<index_t>, facet_count> ref_cache_;
};

}  // namespace linemgr::core
