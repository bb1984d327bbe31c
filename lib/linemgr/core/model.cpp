#include <linemgr/core/model.hpp>

namespace linemgr::core {

index_t snapshot::intern_class(std::string_view text) {
  const auto next = static_cast<index_t>(class_refs.size());
  const index_t got = class_ref_ids.insert(text, next);
  if (got == next) class_refs.push_back(class_ref{text, {}, {}, {}, false});
  return got;
}

index_t snapshot::add_class_object(class_ref ref) {
  ref.is_object = true;
  class_refs.push_back(ref);
  return static_cast<index_t>(class_refs.size() - 1);
}

index_t snapshot::intern_person(std::string_view id) {
  const auto next = static_cast<index_t>(persons.size());
  const index_t got = person_ids.insert(id, next);
  if (got == next) persons.push_back(person{id, {}, false});
  return got;
}

}  // namespace linemgr::core
