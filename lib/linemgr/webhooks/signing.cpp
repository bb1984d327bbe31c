#include <linemgr/webhooks/signing.hpp>

#include <cctype>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fmt/format.h>

namespace linemgr::webhooks {

namespace {

std::string hmac_sha256(const std::string& key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out, &size);
  return {reinterpret_cast<const char*>(out), size};
}

std::string signed_content(std::string_view id, std::int64_t timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return content;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

result<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return error{error_kind::config, "not base64 (its length is not a multiple of 4)"};
  for (char c : text)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='))
      return error{error_kind::config, fmt::format("not base64 (it holds '{}')", c)};
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return error{error_kind::config, "not base64"};
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes.
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;
  out.resize(size);
  return out;
}

result<std::string> decode_webhook_secret(std::string_view secret) {
  if (secret.substr(0, 6) == "whsec_") secret.remove_prefix(6);
  auto key = base64_decode(secret);
  if (!key) return error{error_kind::config, "a signing secret must be base64, optionally prefixed whsec_: " + key.err().message};
  if (key->size() < 24 || key->size() > 64)
    return error{error_kind::config, fmt::format("a signing secret must be 24 to 64 bytes, this one is {}", key->size())};
  return key;
}

std::string sign_webhook(const std::vector<std::string>& keys, std::string_view id, std::int64_t timestamp,
                         std::string_view body) {
  const std::string content = signed_content(id, timestamp, body);
  std::string header;
  for (const std::string& key : keys) {
    if (!header.empty()) header += ' ';
    header += "v1," + base64_encode(hmac_sha256(key, content));
  }
  return header;
}

bool verify_webhook(const std::string& key, std::string_view signature_header, std::string_view id, std::int64_t timestamp,
                    std::string_view body) {
  const std::string expected = base64_encode(hmac_sha256(key, signed_content(id, timestamp, body)));
  std::size_t at = 0;
  while (at < signature_header.size()) {
    std::size_t end = signature_header.find(' ', at);
    if (end == std::string_view::npos) end = signature_header.size();
    const std::string_view one = signature_header.substr(at, end - at);
    if (one.substr(0, 3) == "v1," && one.size() - 3 == expected.size() &&
        CRYPTO_memcmp(one.data() + 3, expected.data(), expected.size()) == 0)
      return true;
    at = end + 1;
  }
  return false;
}

}  // namespace linemgr::webhooks
