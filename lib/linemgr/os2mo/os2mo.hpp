#pragma once
// OS2mo as a source of truth: reads a whole organisation over GraphQL v29 into a snapshot.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <linemgr/core/events.hpp>
#include <linemgr/core/model.hpp>
#include <linemgr/core/plan.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/os2mo/http.hpp>
#include <linemgr/os2mo/settings.hpp>

namespace linemgr::os2mo {

using namespace linemgr::core;

// A connection to one OS2mo instance.
class os2mo_connection {
 public:
  // Uses `transport`, or a libcurl transport with the settings' timeouts and CA when null.
  explicit os2mo_connection(os2mo_settings settings, std::unique_ptr<http_transport> transport = nullptr);
  ~os2mo_connection();
  os2mo_connection(const os2mo_connection&) = delete;
  os2mo_connection& operator=(const os2mo_connection&) = delete;

  // Reads classes, units, engagements, associations, it-users and managers over their whole time axis,
  // one paginated collection at a time: O(records / page size) requests, never one per unit.
  result<snapshot> load_all();
  // Reads what `reconcile-unit UNIT` needs in four requests, whatever the size of the organisation:
  // the unit's path to the root and its subtree (complete), the children and grandchildren of the
  // path, every record in those units, the persons' records elsewhere, and the units those name.
  // Units outside path and subtree come back frozen (snapshot::frozen): their subtrees are not
  // loaded, so the hierarchy rules take their stored class as given.
  result<snapshot> load_scope(std::string_view unit_id);
  // The same for several units at once (a listen batch's seeds): the union of their scopes, in the
  // same four requests.
  result<snapshot> load_scope(const std::vector<std::string>& unit_ids);
  // H11 for a batch of events: the ids of the units they seed, read from OS2mo as it is now (the
  // events' objects over their whole time axis, and their persons' records). One request, two when
  // the batch has engagement or manager events; one more per page_size ids in a longer list. An
  // org_unit event seeds its own id even when the unit no longer exists; it-user events seed nothing.
  result<std::vector<std::string>> event_units(const std::vector<event>& events);
  // The units that have (or had) `user_key`, as (uuid, latest name) pairs sorted by uuid: one request.
  result<std::vector<std::pair<std::string, std::string>>> units_with_user_key(const std::string& user_key);
  // Applies a plan made from `snap` (as load_all read it) with the v29 mutations, in plan order.
  // Every object a change names is read again first; one that changed meanwhile is reported
  // stale and left alone. When OS2mo becomes unreachable, the report's `fatal` says so and
  // the remaining changes are not attempted.
  // `progress`, when given, is called after each change with (changes done, all changes).
  apply_report apply(const snapshot& snap, const plan& p,
                     const std::function<void(std::size_t, std::size_t)>& progress = {});
  // One event of OS2mo's GraphQL event system: what changed, and the token that acknowledges it.
  struct fetched_event {
    event what;
    std::string token;
  };
  // Declares (idempotently) a listener in namespace mo per routing key linemgr handles, named
  // `<prefix>_<routing key>`.
  status declare_listeners(const std::string& prefix);
  // Fetches one event, trying the listeners in turn; nullopt when none has one ready.
  result<std::optional<fetched_event>> fetch_event();
  // Acknowledges an event (after its changes are applied); an unacknowledged one comes back later.
  status acknowledge(const std::string& token);
  // GraphQL requests sent so far (retries included).
  std::size_t requests() const;
  // The settings it was made with.
  const os2mo_settings& settings() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};


}  // namespace linemgr::os2mo
