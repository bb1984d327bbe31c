#include <linemgr/core/events.hpp>

#include <algorithm>

namespace linemgr::core {

namespace {

std::optional<event_kind> kind_of_object(std::string_view o) {
  if (o == "org_unit") return event_kind::org_unit;
  if (o == "engagement") return event_kind::engagement;
  if (o == "association") return event_kind::association;
  if (o == "ituser" || o == "it") return event_kind::ituser;
  if (o == "manager") return event_kind::manager;
  if (o == "person" || o == "employee") return event_kind::person;
  return std::nullopt;
}

// Appends every unit of the record's segments.
template <class Segment>
void units_of(const table<Segment>& t, index_t r, std::vector<index_t>& out) {
  for (const Segment& s : t.segments_of(r))
    if (s.unit != no_index) out.push_back(s.unit);
}

template <class Segment>
std::vector<index_t> persons_of(const table<Segment>& t, index_t r) {
  std::vector<index_t> out;
  for (const Segment& s : t.segments_of(r))
    if (s.person != no_index && std::find(out.begin(), out.end(), s.person) == out.end()) out.push_back(s.person);
  return out;
}

}  // namespace

std::optional<event_kind> event_kind_of(std::string_view key) {
  const std::size_t dot = key.find('.');
  if (dot == std::string_view::npos) {
    if (key == "it" || key == "employee") return std::nullopt;  // legacy object names are not one-part keys
    return kind_of_object(key);
  }
  const std::size_t second = key.find('.', dot + 1);
  if (second == std::string_view::npos || key.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  const std::string_view service = key.substr(0, dot);
  if (service != "employee" && service != "org_unit") return std::nullopt;
  return kind_of_object(key.substr(dot + 1, second - dot - 1));
}

std::string_view routing_key_of(event_kind kind) {
  static constexpr std::string_view names[] = {"org_unit", "engagement", "association", "ituser", "manager", "person"};
  return names[static_cast<std::size_t>(kind)];
}

void seed_units(const snapshot& snap, const event& e, std::vector<index_t>& out) {
  const std::vector<index_t> seeds = seed_units(snap, std::vector<event>{e});
  out.insert(out.end(), seeds.begin(), seeds.end());
}

std::vector<index_t> seed_units(const snapshot& snap, const std::vector<event>& events) {
  // Person lookups scan whole tables: do them once for all the batch's persons.
  std::vector<index_t> out, engagement_persons, manager_persons, persons;
  for (const event& e : events) {
    switch (e.kind) {
      case event_kind::engagement:
        if (const index_t r = snap.engagements.ids.find(e.subject); r != no_index) {
          units_of(snap.engagements, r, out);
          for (index_t p : persons_of(snap.engagements, r)) engagement_persons.push_back(p);
        }
        break;
      case event_kind::manager:
        if (const index_t r = snap.managers.ids.find(e.subject); r != no_index) {
          units_of(snap.managers, r, out);
          for (index_t p : persons_of(snap.managers, r)) manager_persons.push_back(p);
        }
        break;
      case event_kind::person:
        if (const index_t p = snap.person_ids.find(e.subject); p != no_index) persons.push_back(p);
        break;
      case event_kind::org_unit:
        if (const index_t u = snap.units.ids.find(e.subject); u != no_index) {
          out.push_back(u);
          for (const unit_segment& s : snap.units.segments_of(u))
            if (s.parent != no_index) out.push_back(s.parent);  // every unit that was its parent
        }
        break;
      case event_kind::association:
        if (const index_t r = snap.associations.ids.find(e.subject); r != no_index) units_of(snap.associations, r, out);
        break;
      case event_kind::ituser: break;  // no rule reads it-users
    }
  }
  auto distinct = [](std::vector<index_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  distinct(engagement_persons);
  distinct(manager_persons);
  distinct(persons);
  // An engagement seeds its persons' manager units; a manager its persons' engagement units;
  // a person all three kinds of record.
  std::vector<index_t> want_managers = engagement_persons, want_engagements = manager_persons;
  want_managers.insert(want_managers.end(), persons.begin(), persons.end());
  want_engagements.insert(want_engagements.end(), persons.begin(), persons.end());
  distinct(want_managers);
  distinct(want_engagements);
  auto units_of_sorted = [&](const auto& t, const std::vector<index_t>& who) {
    if (who.empty()) return;
    for (index_t r = 0; r < t.size(); ++r)
      for (const auto& s : t.segments_of(r))
        if (s.person != no_index && s.unit != no_index && std::binary_search(who.begin(), who.end(), s.person)) out.push_back(s.unit);
  };
  units_of_sorted(snap.managers, want_managers);
  units_of_sorted(snap.engagements, want_engagements);
  units_of_sorted(snap.associations, persons);
  distinct(out);
  return out;
}

void coalescer::add(event e, std::uint64_t tag, clock::time_point now) {
  if (!pending_) {
    pending_ = true;
    first_ = now;
  }
  batch_.events.push_back(std::move(e));
  batch_.tags.push_back(tag);
  arrived_.push_back(now);
}

coalescer::batch coalescer::take() {
  // The first event and those that arrived within the window after it; later ones stay pending.
  std::size_t n = 0;
  while (n < arrived_.size() && arrived_[n] - first_ <= window_) ++n;
  if (n == arrived_.size()) return take_all();
  batch out;
  const auto cut = static_cast<std::ptrdiff_t>(n);
  out.events.assign(std::make_move_iterator(batch_.events.begin()), std::make_move_iterator(batch_.events.begin() + cut));
  out.tags.assign(batch_.tags.begin(), batch_.tags.begin() + cut);
  batch_.events.erase(batch_.events.begin(), batch_.events.begin() + cut);
  batch_.tags.erase(batch_.tags.begin(), batch_.tags.begin() + cut);
  arrived_.erase(arrived_.begin(), arrived_.begin() + cut);
  first_ = arrived_.front();
  return out;
}

coalescer::batch coalescer::take_all() {
  batch out = std::move(batch_);
  batch_ = {};
  arrived_.clear();
  pending_ = false;
  return out;
}

}  // namespace linemgr::core
