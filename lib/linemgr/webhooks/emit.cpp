#include <linemgr/webhooks/emit.hpp>

#include <fmt/format.h>

#include <linemgr/webhooks/envelope.hpp>

namespace linemgr::webhooks {

result<std::vector<outbox_item>> outbox_items(const webhook_settings& settings, const std::vector<notice>& notices) {
  std::vector<outbox_item> items;
  for (const notice& n : notices) {
    outbox_item item;
    for (const webhook_sink& s : settings.sinks) {
      if (!s.enabled || !matches(s.filter, n)) continue;
      auto body = render_body(s, n);
      if (!body) return error{error_kind::config, fmt::format("webhook {}: {}", s.name, body.err().message)};
      item.deliveries.push_back({s.name, std::move(*body), s.content_type});
    }
    if (item.deliveries.empty()) continue;
    item.notice_id = n.id;
    item.type = n.type;
    item.time = n.time;
    item.envelope = envelope_json(n);
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace linemgr::webhooks
