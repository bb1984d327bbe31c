#pragma once
// Reading events (doc/formats.md §4): stdin JSON Lines and AMQP message bodies.
#include <cstddef>
#include <optional>
#include <string_view>

#include <linemgr/core/events.hpp>
#include <linemgr/core/result.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// The largest event (an AMQP body or a stdin line) read; a longer one is malformed.
inline constexpr std::size_t max_event_bytes = std::size_t{64} << 10;

// An event from an AMQP delivery: the routing key and the body as OS2mo publishes it (a JSON
// string holding a uuid, a bare uuid, or the legacy {uuid, object_uuid, time}). nullopt for a
// routing key linemgr does not handle; an error (kind data) names what is wrong with the body.
result<std::optional<event>> parse_event_body(std::string_view routing_key, std::string_view body);

// An event from one stdin line: {"routing_key", "subject"} or {"routing_key", "body"} where body is
// the AMQP body as a JSON string or the legacy object. nullopt as above.
result<std::optional<event>> parse_event_line(std::string_view line);

}  // namespace linemgr::io
