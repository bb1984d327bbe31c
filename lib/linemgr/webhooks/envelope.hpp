#pragma once
// What a sink receives: the JSON envelope of a notice, or the sink's Mustache template rendered
// with the envelope as its data (values JSON-escaped for JSON content types).
#include <optional>
#include <string>
#include <string_view>

#include <linemgr/core/notices.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;

// Bounds on a body template (doc/webhooks.md): its size, how deep sections nest (each level can
// repeat the one inside it per list item), and the size of one rendered body.
inline constexpr std::size_t max_template_bytes = 64 * 1024;
inline constexpr std::size_t max_template_nesting = 4;
inline constexpr std::size_t max_rendered_bytes = 1024 * 1024;

// The envelope: {id, type, time, outcome, dry_run, subject, related, data}.
std::string envelope_json(const notice& n);

// The body for one sink: its template rendered with the envelope, or the envelope itself.
result<std::string> render_body(const webhook_sink& sink, const notice& n);

// Why a template cannot be used with the content type (past a bound above, changes its
// delimiters, does not parse, or renders invalid JSON for a JSON content type), or nullopt.
std::optional<std::string> template_problem(const std::string& tmpl, std::string_view content_type);

// A sample notice of type webhook.test with every field filled, names with quotes, newlines and
// æøå: for `webhooks test` and for checking templates.
notice sample_notice(const std::string& time);

// `text` escaped for the inside of a JSON string (no surrounding quotes).
std::string json_escape(std::string_view text);

// True when the content type is JSON (application/json, or a +json type).
bool is_json_content_type(std::string_view content_type);

}  // namespace linemgr::webhooks
