#pragma once
// OS2mo events and the units they affect (doc/rules.md H11), and coalescing bursts of them.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/core/model.hpp>

namespace linemgr::core {

// What an event is about, from its routing key.
enum class event_kind : std::uint8_t { org_unit, engagement, association, ituser, manager, person };

// One event: the kind of object and the object's id (uuid).
struct event {
  event_kind kind = event_kind::org_unit;
  std::string subject;
};

// The kind a routing key names: one-part keys (`org_unit`, `engagement`, `association`, `ituser`,
// `manager`, `person`) and legacy three-part keys `service.object.action` by their object part
// (`employee` → person, `it` → ituser). nullopt for keys linemgr does not handle.
std::optional<event_kind> event_kind_of(std::string_view routing_key);

// The routing key of a kind (the one-part name).
std::string_view routing_key_of(event_kind kind);

// H11: appends the seed units of one event to `out` (the batch form, for a batch of one). An object that does
// not exist seeds nothing; it-user events seed nothing.
void seed_units(const snapshot& snap, const event& e, std::vector<index_t>& out);

// The distinct seed units (sorted) of a batch of events. Linear in the snapshot per event kind
// that needs a person's records, not per event.
std::vector<index_t> seed_units(const snapshot& snap, const std::vector<event>& events);

// Collects events until `window` has passed since the first one of a batch, then hands over the
// events that arrived within that window as one batch (later ones start the next). Pure: the
// caller passes the time.
class coalescer {
 public:
  using clock = std::chrono::steady_clock;
  explicit coalescer(std::chrono::milliseconds window) : window_(window) {}

  // Adds an event (and a caller's tag for it, e.g. a delivery tag) at `now`.
  void add(event e, std::uint64_t tag, clock::time_point now);
  // True when a batch is pending and its window has passed at `now`.
  bool due(clock::time_point now) const { return pending_ && now - first_ >= window_; }
  // True when nothing is pending.
  bool empty() const { return !pending_; }
  // The number of pending events (in every window).
  std::size_t size() const { return batch_.events.size(); }
  // When the pending batch falls due.
  clock::time_point deadline() const { return first_ + window_; }
  // The due batch: the first pending event and those that arrived within the window after it,
  // with their tags, in arrival order. Later events stay pending.
  struct batch {
    std::vector<event> events;
    std::vector<std::uint64_t> tags;
  };
  batch take();
  // Every pending event as one batch, whatever its window (to finish before stopping); resets.
  batch take_all();

 private:
  std::chrono::milliseconds window_;
  bool pending_ = false;
  clock::time_point first_{};
  batch batch_;
  std::vector<clock::time_point> arrived_;  // per pending event
};

}  // namespace linemgr::core
