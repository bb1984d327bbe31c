#pragma once
// From notices to outbox items: each notice with the body each matching sink receives.
#include <vector>

#include <linemgr/core/notices.hpp>
#include <linemgr/core/result.hpp>
#include <linemgr/webhooks/outbox.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;

// The outbox items for the notices: only notices that at least one sink's filter selects, each
// with its envelope and one rendered body per selecting sink.
result<std::vector<outbox_item>> outbox_items(const webhook_settings& settings, const std::vector<notice>& notices);

}  // namespace linemgr::webhooks
