#pragma once
// Standard Webhooks signatures: HMAC-SHA256 over "id.timestamp.body", base64, "v1," prefixed;
// several space-separated while a secret rotates.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/core/result.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;

// The raw key of a Standard Webhooks secret: base64, with or without the "whsec_" prefix.
result<std::string> decode_webhook_secret(std::string_view secret);

// The webhook-signature header value: one "v1,<base64>" per key, space-separated.
std::string sign_webhook(const std::vector<std::string>& keys, std::string_view id, std::int64_t timestamp,
                         std::string_view body);

// True when one of the header's v1 signatures is the key's signature (constant-time compare).
bool verify_webhook(const std::string& key, std::string_view signature_header, std::string_view id, std::int64_t timestamp,
                    std::string_view body);

// Standard base64 (with padding).
std::string base64_encode(std::string_view bytes);
// Decodes standard base64; an error for anything else.
result<std::string> base64_decode(std::string_view text);

}  // namespace linemgr::webhooks
