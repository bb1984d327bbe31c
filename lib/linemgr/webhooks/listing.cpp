#include <linemgr/webhooks/listing.hpp>

#include <ctime>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <linemgr/io/json_internal.hpp>
#include <linemgr/webhooks/announcer.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;

namespace {

std::string filter_text(const notice_filter& f) {
  std::vector<std::string> parts;
  auto join = [](const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ",")); };
  if (!f.types.empty()) parts.push_back("types=" + join(f.types));
  if (f.outcome == outcome_filter::success_only) parts.push_back("outcome=success-only");
  if (f.outcome == outcome_filter::error_only) parts.push_back("outcome=error-only");
  if (!f.target_types.empty()) parts.push_back("target_types=" + join(f.target_types));
  if (!f.target_ids.empty()) parts.push_back("target_ids=" + join(f.target_ids));
  if (!f.subtrees.empty()) parts.push_back("subtree=" + join(f.subtrees));
  if (f.include_dry_run) parts.push_back("include_dry_run");
  return parts.empty() ? "all" : fmt::format("{}", fmt::join(parts, " "));
}

// A time in milliseconds since the epoch as UTC text (2026-12-02T13:45:26Z).
std::string utc_time(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

result<std::string> list_sinks(const webhook_settings& s, bool json) {
  std::optional<outbox> box;
  std::vector<sink_counts> counts;
  if (std::filesystem::exists(outbox_path_of(s))) {
    auto b = outbox::open(outbox_path_of(s));
    if (!b) return b.err();
    auto c = b->counts();
    if (!c) return c.err();
    counts = std::move(*c);
    box = std::move(*b);
  }
  auto counts_of = [&](const std::string& name) {
    for (const sink_counts& c : counts)
      if (c.sink == name) return c;
    return sink_counts{name};
  };
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  std::string text;
  w.StartObject();
  w.Key("format");
  w.String("linemgr-webhook-sinks/1");
  w.Key("outbox");
  w.String(outbox_path_of(s));
  w.Key("sinks");
  w.StartArray();
  for (const webhook_sink& k : s.sinks) {
    const sink_counts c = counts_of(k.name);
    std::optional<std::string> disabled;
    if (box)
      if (auto d = box->disabled_reason(k.name, k.url); d) disabled = *d;
    std::vector<std::string> headers;
    for (const auto& [name, value] : k.headers) headers.push_back(name + ": " + value);
    for (const auto& [name, value] : k.secret_headers) headers.push_back(name + ": ********");
    w.StartObject();
    w.Key("name");
    w.String(k.name);
    w.Key("description");
    w.String(k.description);
    w.Key("enabled");
    w.Bool(k.enabled);
    w.Key("method");
    w.String(std::string(method_name(k.method)));
    w.Key("url");
    w.String(shown_url(k));
    w.Key("filter");
    w.String(filter_text(k.filter));
    w.Key("headers");
    w.StartArray();
    for (const std::string& h : headers) w.String(h);
    w.EndArray();
    w.Key("body");
    w.String(k.body_template.empty() ? "envelope" : "template");
    w.Key("signed");
    w.Bool(!k.signing_keys.empty());
    w.Key("disabled");
    disabled ? w.String(*disabled) : w.Null();
    w.Key("deliveries");
    w.StartObject();
    for (const auto& [name, n] : {std::pair{"held", c.held}, {"pending", c.pending}, {"failed", c.failed}, {"delivering", c.delivering},
                                  {"delivered", c.delivered}, {"dead", c.dead}}) {
      w.Key(name);
      w.Uint64(n);
    }
    w.EndObject();
    w.EndObject();
    if (text.empty()) text = fmt::format("{} sink{}; outbox {}\n\n", s.sinks.size(), s.sinks.size() == 1 ? "" : "s", outbox_path_of(s));
    text += fmt::format("{}{}{}\n", k.name, k.enabled ? "" : "  (enabled = false: nothing is queued or sent)",
                        k.description.empty() ? "" : "\n  " + k.description);
    text += fmt::format("  {} {}\n  filter: {}\n  headers: {}\n  body: {}, {}\n  deliveries: {} pending, {} failed, {} delivered, {} dead{}\n",
                        method_name(k.method), shown_url(k), filter_text(k.filter),
                        headers.empty() ? "none" : fmt::format("{}", fmt::join(headers, "; ")),
                        k.body_template.empty() ? "the JSON envelope" : "a template (" + k.content_type + ")",
                        k.signing_keys.empty() ? "unsigned" : fmt::format("signed ({} key{})", k.signing_keys.size(), k.signing_keys.size() > 1 ? "s" : ""),
                        c.pending, c.failed, c.delivered, c.dead, disabled ? "\n  DISABLED: " + *disabled : "");
  }
  w.EndArray();
  w.EndObject();
  if (s.sinks.empty()) text = "no webhook sinks are configured ([[webhook]] tables in the configuration file)\n";
  return json ? std::string(buffer.GetString()) + "\n" : text;
}


result<std::string> list_deliveries(const webhook_settings& s, std::optional<delivery_state> state, std::size_t limit, std::int64_t now,
                                    bool json) {
  if (!std::filesystem::exists(outbox_path_of(s)))
    return json ? std::string("{\"format\": \"linemgr-webhook-deliveries/1\", \"deliveries\": []}\n")
                : fmt::format("no deliveries (no outbox at {} yet)\n", outbox_path_of(s));
  auto box = outbox::open(outbox_path_of(s));
  if (!box) return box.err();
  auto listed = box->list(state, limit);
  if (!listed) return listed.err();
  const std::vector<delivery_row>& rows = *listed;
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  std::string text = rows.empty() ? "no deliveries\n"
                                  : fmt::format("{:>6}  {:<10} {:<12} {:<20} {:<36}  {:>8}  {:<20}  {}\n", "#", "STATE", "SINK", "TYPE",
                                                "NOTICE", "ATTEMPTS", "NEXT TRY (UTC)", "LAST ANSWER");
  w.StartObject();
  w.Key("format");
  w.String("linemgr-webhook-deliveries/1");
  w.Key("deliveries");
  w.StartArray();
  for (const delivery_row& r : rows) {
    w.StartObject();
    w.Key("delivery");
    w.Int64(r.id);
    w.Key("notice");
    w.String(r.notice_id);
    w.Key("type");
    w.String(r.type);
    w.Key("sink");
    w.String(r.sink);
    w.Key("state");
    w.String(std::string(delivery_state_name(r.state)));
    w.Key("attempts");
    w.Int(r.attempts);
    w.Key("last_status");
    r.last_status ? w.Int(*r.last_status) : w.Null();
    w.Key("last_error");
    w.String(r.last_error);
    w.Key("next_attempt_ms");
    r.state == delivery_state::pending || r.state == delivery_state::failed ? w.Int64(r.next_attempt_ms) : w.Null();
    w.Key("delivered_ms");
    r.delivered_ms ? w.Int64(*r.delivered_ms) : w.Null();
    const bool waiting = r.state == delivery_state::pending || r.state == delivery_state::failed;
    w.Key("next_attempt");
    waiting ? w.String(utc_time(r.next_attempt_ms)) : w.Null();
    w.Key("delivered");
    r.delivered_ms ? w.String(utc_time(*r.delivered_ms)) : w.Null();
    w.EndObject();
    std::string when = "-";
    if (waiting) when = r.next_attempt_ms <= now ? "due now" : utc_time(r.next_attempt_ms);
    else if (r.delivered_ms) when = "done " + utc_time(*r.delivered_ms).substr(11);
    const std::string last = r.last_status ? fmt::format("HTTP {}{}", *r.last_status, r.last_error.empty() ? "" : ": " + r.last_error)
                                           : r.last_error.empty() ? "-" : r.last_error;
    text += fmt::format("{:>6}  {:<10} {:<12} {:<20} {:<36}  {:>8}  {:<20}  {}\n", r.id, delivery_state_name(r.state), r.sink, r.type,
                        r.notice_id, r.attempts, when, last);
  }
  w.EndArray();
  w.EndObject();
  return json ? std::string(buffer.GetString()) + "\n" : text;
}


}  // namespace linemgr::webhooks
