#include <linemgr/core/classes.hpp>

namespace linemgr::core {

namespace {
constexpr std::array<std::string_view, facet_count> facet_names{
    "org_unit_level", "org_unit_hierarchy", "engagement_type", "manager_level", "manager_type", "responsibility"};

std::string first_non_empty(std::string_view a, std::string_view b, std::string_view c) {
  return std::string(!a.empty() ? a : !b.empty() ? b : c);
}
}  // namespace

std::string_view facet_name(facet f) { return facet_names[static_cast<std::size_t>(f)]; }

bool class_keys::contains(std::string_view value) const {
  for (std::string_view k : keys)
    if (!k.empty() && k == value) return true;
  return false;
}

bool class_keys::intersects(const class_keys& other) const {
  for (std::string_view k : keys)
    if (!k.empty() && other.contains(k)) return true;
  return false;
}

class_resolver::class_resolver(const snapshot& snap) : snap_(snap) {
  for (std::size_t c = 0; c < snap.classes.size(); ++c) {
    const class_def& def = snap.classes[c];
    for (std::size_t f = 0; f < facet_count; ++f) {
      if (!def.facet.empty() && def.facet != facet_names[f]) continue;
      has_facet_[f] = true;
      const auto ci = static_cast<index_t>(c);
      if (!def.uuid.empty()) index_[f].by_uuid.insert(def.uuid, ci);  // first in array order wins
      if (!def.user_key.empty()) index_[f].by_user_key.insert(def.user_key, ci);
      if (!def.name.empty()) index_[f].by_name.insert(def.name, ci);
    }
  }
  for (std::size_t f = 0; f < facet_count; ++f) {
    ref_cache_[f].resize(snap.class_refs.size());
    for (std::size_t r = 0; r < snap.class_refs.size(); ++r) {
      const class_ref& ref = snap.class_refs[r];
      ref_cache_[f][r] = ref.is_object ? find(ref.uuid, ref.user_key, ref.name, static_cast<facet>(f))
                                       : find(ref.text, ref.text, ref.text, static_cast<facet>(f));
    }
  }
}

index_t class_resolver::find(std::string_view uuid, std::string_view user_key, std::string_view name,
                             facet f) const {
  const facet_index& idx = index_[static_cast<std::size_t>(f)];
  index_t c = no_index;
  if (!uuid.empty()) c = idx.by_uuid.find(uuid);
  if (c == no_index && !user_key.empty()) c = idx.by_user_key.find(user_key);
  if (c == no_index && !name.empty()) c = idx.by_name.find(name);
  return c;
}

index_t class_resolver::resolve_ref(index_t ref, facet f) const {
  if (ref == no_index) return no_index;
  const auto& cache = ref_cache_[static_cast<std::size_t>(f)];
  if (ref < cache.size()) return cache[ref];
  const class_ref& r = snap_.class_refs[ref];  // added after the resolver was built
  return r.is_object ? find(r.uuid, r.user_key, r.name, f) : find(r.text, r.text, r.text, f);
}

index_t class_resolver::resolve_value(std::string_view value, facet f) const {
  return find(value, value, value, f);
}

class_keys class_resolver::keys_of_ref(index_t ref, facet f) const {
  if (ref == no_index) return {};
  const index_t c = resolve_ref(ref, f);
  if (c != no_index) {
    const class_def& d = snap_.classes[c];
    return {{d.uuid, d.user_key, d.name}};
  }
  const class_ref& r = snap_.class_refs[ref];
  if (!r.is_object) return {{r.text, {}, {}}};
  return {{r.uuid, r.user_key, r.name}};
}

class_keys class_resolver::keys_of_value(std::string_view value, facet f) const {
  const index_t c = resolve_value(value, f);
  if (c == no_index) return {{value, {}, {}}};
  const class_def& d = snap_.classes[c];
  return {{d.uuid, d.user_key, d.name}};
}

bool class_resolver::matches(std::string_view value, index_t ref, facet f) const {
  return keys_of_ref(ref, f).contains(value);
}

bool class_resolver::matches_any(const std::vector<std::string>& values, index_t ref, facet f) const {
  if (values.empty() || ref == no_index) return false;
  const class_keys keys = keys_of_ref(ref, f);
  for (const std::string& v : values)
    if (keys.contains(v)) return true;
  return false;
}

std::string class_resolver::output_of_ref(index_t ref, facet f) const {
  if (ref == no_index) return {};
  const index_t c = resolve_ref(ref, f);
  if (c != no_index) {
    const class_def& d = snap_.classes[c];
    return first_non_empty(d.user_key, d.uuid, d.name);
  }
  const class_ref& r = snap_.class_refs[ref];
  return r.is_object ? first_non_empty(r.user_key, r.uuid, r.name) : std::string(r.text);
}

std::string class_resolver::output_of_value(std::string_view value, facet f) const {
  const index_t c = resolve_value(value, f);
  if (c == no_index) return std::string(value);
  const class_def& d = snap_.classes[c];
  return first_non_empty(d.user_key, d.uuid, d.name);
}

std::string_view class_resolver::level_key(index_t ref) const {
  if (ref == no_index) return {};
  const index_t c = resolve_ref(ref, facet::org_unit_level);
  if (c != no_index && !snap_.classes[c].user_key.empty()) return snap_.classes[c].user_key;
  const class_ref& r = snap_.class_refs[ref];
  if (!r.is_object) return r.text;
  return !r.user_key.empty() ? r.user_key : !r.name.empty() ? r.name : r.uuid;
}

}  // namespace linemgr::core
