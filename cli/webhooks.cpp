// linemgr webhooks list|test|deliver|deliveries|replay: the sinks and the outbox, shown and worked.
#include <fmt/format.h>

#include <linemgr/webhooks/delivery.hpp>
#include <linemgr/webhooks/envelope.hpp>
#include <linemgr/webhooks/listing.hpp>

#include "commands.hpp"
#include "log.hpp"

namespace linemgr::cli {

namespace {

// Delivery lines (failures and retries) are warnings.
void log_line(const std::string& line) { log_message(log_level::warn, line); }

webhook_settings read_settings(const std::string& config) { return take(load_settings(config_flag(config)).webhooks()); }

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

}  // namespace

int webhooks_list(const webhooks_options& o) {
  print(take(list_sinks(read_settings(o.config), wants_json(o.format))));
  return 0;
}

namespace {

webhook_settings with_sinks(const webhooks_options& o) {
  webhook_settings s = read_settings(o.config);
  if (s.sinks.empty())
    throw failure{{error_kind::config, "no webhook sinks are configured: add [[webhook]] tables to the configuration file"}};
  return s;
}

}  // namespace

int webhooks_test(const webhooks_options& o) { return test(with_sinks(o), o.name); }

int webhooks_deliveries(const webhooks_options& o) {
  const std::optional<delivery_state> state = o.state.empty() ? std::nullopt : parse_delivery_state(o.state);
  print(take(list_deliveries(read_settings(o.config), state, o.limit, now_ms(), wants_json(o.format))));
  return 0;
}

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
  print(wants_json(o.format) ? fmt::format("{{\"format\": \"linemgr-webhook-deliver/1\", \"delivered\": {}, \"failed\": {}, \"dead\": {}, \"waiting\": {}}}\n", sum.delivered, sum.failed, sum.dead, sum.waiting)
                             : fmt::format("{} delivered, {} failed, {} dead; {} waiting\n", sum.delivered, sum.failed, sum.dead, sum.waiting));
  if (const std::string trouble = trouble_text(sum); !trouble.empty()) log_warn("webhooks: {}", trouble);
  return 0;
}

}  // namespace linemgr::cli
