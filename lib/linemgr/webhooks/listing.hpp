#pragma once
// The sinks and the outbox as people and programs read them: what `linemgr webhooks list` and
// `linemgr webhooks deliveries` print, as text or JSON. Reading never creates an outbox.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <linemgr/core/result.hpp>
#include <linemgr/webhooks/outbox.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::webhooks {

// The configured sinks (secrets masked) with their deliveries by state and whether a 410
// disabled them: text (`json` false) or a JSON document.
core::result<std::string> list_sinks(const webhook_settings& settings, bool json);

// Deliveries, newest first (of one state, when given; at most `limit`), as text or a JSON array;
// `now_ms` dates the next attempts ("next try in 2 min").
core::result<std::string> list_deliveries(const webhook_settings& settings, std::optional<delivery_state> state, std::size_t limit,
                                          std::int64_t now_ms, bool json);

}  // namespace linemgr::webhooks
