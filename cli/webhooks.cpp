// linemgr webhooks list|test|deliver|deliveries|replay: the sinks and the outbox, shown and worked.
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <linemgr/io/json_internal.hpp>
#include <linemgr/webhooks/delivery.hpp>
#include <linemgr/webhooks/envelope.hpp>

#include "commands.hpp"
#include "log.hpp"

namespace linemgr::cli {


namespace {

// Delivery lines (failures and retries) are warnings.
void log_line(const std::string& line) { log_message(log_level::warn, line); }

webhook_settings read_settings(const std::string& config) { return take(load_settings(config_flag(config)).webhooks()); }

std::string age(std::int64_t ms) {
  const std::int64_t s = ms / 1000;
  if (s < 120) return fmt::format("{} s", s);
  if (s < 7200) return fmt::format("{} min", s / 60);
  return fmt::format("{} h", s / 3600);
}

}  // namespace

// ---- linemgr webhooks … ----

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

int list(const webhook_settings& s, bool json) {
  std::optional<outbox> box;
  std::vector<sink_counts> counts;
  if (auto b = std::filesystem::exists(outbox_path_of(s)) ? outbox::open(outbox_path_of(s)) : result<outbox>(error{}); b) {
    if (auto c = b->counts(); c) counts = std::move(*c);
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
    text += fmt::format("{}  {} {}\n  filter: {}\n  headers: {}\n  body: {}, {}\n  deliveries: {} pending, {} failed, {} delivered, {} dead{}\n",
                        k.name, method_name(k.method), shown_url(k), filter_text(k.filter),
                        headers.empty() ? "none" : fmt::format("{}", fmt::join(headers, "; ")),
                        k.body_template.empty() ? "the JSON envelope" : "a template (" + k.content_type + ")",
                        k.signing_keys.empty() ? "unsigned" : fmt::format("signed ({} key{})", k.signing_keys.size(), k.signing_keys.size() > 1 ? "s" : ""),
                        c.pending, c.failed, c.delivered, c.dead, disabled ? "\n  DISABLED: " + *disabled : "");
  }
  w.EndArray();
  w.EndObject();
  if (s.sinks.empty()) text = "no webhook sinks are configured ([[webhook]] tables in the configuration file)\n";
  print(json ? std::string(buffer.GetString()) + "\n" : text);
  return 0;
}

int test(const webhook_settings& s, const std::string& name) {
  const webhook_sink* sink = s.find(name);
  if (!sink) throw failure{{error_kind::usage, fmt::format("no webhook sink is named \"{}\"", name)}};
  notice n = sample_notice(utc_now());
  n.id = "test-" + uuid_like(hash_string(utc_now() + name), static_cast<std::uint64_t>(now_ms()));
  auto body = render_body(*sink, n);
  if (!body) throw failure{body.err()};
  const attempt_outcome a = send_now(*sink, n.id, *body);
  if (a.status && *a.status >= 200 && *a.status <= 299) {
    print(fmt::format("{}: HTTP {} in {} ms (webhook-id {})\n", name, *a.status, a.elapsed_ms, n.id));
    return 0;
  }
  print(fmt::format("{}: failed: {}\n", name, a.error));
  return 1;
}

int deliveries(const webhook_settings& s, const webhooks_options& o, bool json) {
  std::optional<delivery_state> state;
  if (!o.state.empty()) state = parse_delivery_state(o.state);
  if (!std::filesystem::exists(outbox_path_of(s))) {
    print(json ? "[]\n" : fmt::format("no deliveries (no outbox at {} yet)\n", outbox_path_of(s)));
    return 0;
  }
  outbox box = take(outbox::open(outbox_path_of(s)));
  const auto rows = take(box.list(state, o.limit));
  const std::int64_t now = now_ms();
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  std::string text = rows.empty() ? "no deliveries\n" : "";
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
    w.EndObject();
    std::string when;
    if (r.state == delivery_state::failed || r.state == delivery_state::pending)
      when = r.next_attempt_ms <= now ? ", due now" : ", next try in " + age(r.next_attempt_ms - now);
    text += fmt::format("{:>6}  {:<10} {:<12} {:<20} {}  attempts {}{}{}\n", r.id, delivery_state_name(r.state), r.sink, r.type,
                        r.notice_id, r.attempts, when, r.last_error.empty() ? "" : "  last: " + r.last_error);
  }
  w.EndArray();
  print(json ? std::string(buffer.GetString()) + "\n" : text);
  return 0;
}

}  // namespace

int webhooks_list(const webhooks_options& o) { return list(read_settings(o.config), wants_json(o.format)); }

namespace {

webhook_settings with_sinks(const webhooks_options& o) {
  webhook_settings s = read_settings(o.config);
  if (s.sinks.empty())
    throw failure{{error_kind::config, "no webhook sinks are configured: add [[webhook]] tables to the configuration file"}};
  return s;
}

}  // namespace

int webhooks_test(const webhooks_options& o) { return test(with_sinks(o), o.name); }

int webhooks_deliveries(const webhooks_options& o) { return deliveries(read_settings(o.config), o, wants_json(o.format)); }

int webhooks_replay(const webhooks_options& o) {
  const webhook_settings s = read_settings(o.config);
  outbox box = take(outbox::open(outbox_path_of(s)));
  const std::size_t n = take(box.replay(o.id, now_ms()));
  if (n == 0)
    throw failure{{error_kind::usage, fmt::format("no delivery or notice \"{}\" in {} (see linemgr webhooks deliveries)", o.id, outbox_path_of(s))}};
  print(fmt::format("{} deliver{} of {} queued again; delivered by the next run or `linemgr webhooks deliver`\n", n, n == 1 ? "y" : "ies", o.id));
  return 0;
}

int webhooks_deliver(const webhooks_options& o) {
  const webhook_settings s = with_sinks(o);
  outbox box = take(outbox::open(outbox_path_of(s)));
  const long timeout_ms = o.timeout_s >= 0 ? o.timeout_s * 1000 : s.flush_timeout_ms;
  const delivery_summary sum = take(deliver_due(box, s, now_ms() + timeout_ms, log_line));
  print(wants_json(o.format) ? fmt::format("{{\"delivered\": {}, \"failed\": {}, \"dead\": {}, \"waiting\": {}}}\n", sum.delivered, sum.failed, sum.dead, sum.waiting)
                             : fmt::format("{} delivered, {} failed, {} dead; {} waiting\n", sum.delivered, sum.failed, sum.dead, sum.waiting));
  return 0;
}

}  // namespace linemgr::cli
