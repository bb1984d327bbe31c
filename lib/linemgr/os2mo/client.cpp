#include <linemgr/os2mo/client_internal.hpp>

#include <limits>

#include <linemgr/core/backoff.hpp>

#include <thread>

#include <fmt/format.h>

namespace linemgr::os2mo {

using namespace linemgr::core;

namespace {

std::string shorten(std::string_view text, std::size_t n = 200) {
  std::string out(text.substr(0, n));
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return text.size() > n ? out + "…" : out;
}

std::string form_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

bool transient(long status) { return status == 429 || status == 502 || status == 503 || status == 504; }

}  // namespace

os2mo_client::os2mo_client(os2mo_settings settings, http_transport& transport, sleep_fn sleep, clock_fn now)
    : settings_(std::move(settings)), transport_(transport), sleep_(std::move(sleep)), now_(std::move(now)) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!now_) now_ = [] { return std::chrono::steady_clock::now(); };
  while (!settings_.url.empty() && settings_.url.back() == '/') settings_.url.pop_back();
  token_ = settings_.auth.token;
}

std::chrono::milliseconds os2mo_client::backoff(int attempt, const std::string& retry_after) {
  if (!retry_after.empty() && std::isdigit(static_cast<unsigned char>(retry_after.front()))) {
    const long seconds = std::strtol(retry_after.c_str(), nullptr, 10);
    return std::min<std::chrono::milliseconds>(std::chrono::milliseconds(seconds * 1000), settings_.backoff_max);
  }
  // Exponential with jitter: a random wait in [base·2^k / 2, base·2^k].
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  const double unit_random = static_cast<double>(jitter_state_ % 1000001) / 1e6;
  return backoff_policy{settings_.backoff_base, settings_.backoff_max}.delay(attempt, unit_random);
}

status os2mo_client::ensure_token(bool force) {
  const os2mo_auth& a = settings_.auth;
  if (!a.uses_client_credentials()) return {};
  if (!force && !token_.empty() && now_() + std::chrono::seconds(30) < token_expiry_) return {};
  http_request req;
  req.url = fmt::format("{}/realms/{}/protocol/openid-connect/token", a.auth_server, a.realm);
  req.body = fmt::format("grant_type=client_credentials&client_id={}&client_secret={}", form_escape(a.client_id),
                         form_escape(a.client_secret));
  req.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  auto res = transport_.send(req);
  if (!res) return error{res.err().kind, "identity provider: " + res.err().message};
  if (transient(res->status)) return error{error_kind::unavailable, fmt::format("identity provider answered HTTP {}", res->status)};
  if (res->status != 200)
    return error{error_kind::config, fmt::format("identity provider refused the client credentials of {} (HTTP {})",
                                                 a.client_id, res->status)};
  rapidjson::Document doc;
  if (io::parse_untrusted(doc, res->body, {std::size_t{1} << 20, 16}) || !doc.IsObject() || !doc.HasMember("access_token") ||
      !doc["access_token"].IsString())
    return error{error_kind::unavailable, "identity provider: the token response has no access_token"};
  token_ = doc["access_token"].GetString();
  const long expires = doc.HasMember("expires_in") && doc["expires_in"].IsInt() ? doc["expires_in"].GetInt() : 60;
  token_expiry_ = now_() + std::chrono::seconds(expires);
  return {};
}

status os2mo_client::execute(std::string_view operation, std::string_view document, std::string_view variables,
                                   rapidjson::Document& out) {
  rapidjson::StringBuffer body;
  {
    rapidjson::Writer<rapidjson::StringBuffer> w(body);
    w.StartObject();
    w.Key("query");
    w.String(document.data(), static_cast<rapidjson::SizeType>(document.size()));
    w.Key("operationName");
    w.String(operation.data(), static_cast<rapidjson::SizeType>(operation.size()));
    w.Key("variables");
    w.RawValue(variables.data(), variables.size(), rapidjson::kObjectType);
    w.EndObject();
  }
  std::string last_reason = "no attempt was made";
  std::string retry_after;  // from the last transient answer
  bool renewed = false;
  for (int attempt = 0; attempt < settings_.max_attempts; ++attempt) {
    if (attempt > 0) sleep_(backoff(attempt - 1, retry_after));
    retry_after.clear();
    if (auto t = ensure_token(false); !t) {
      if (t.err().kind != error_kind::unavailable) return t;
      last_reason = t.err().message;
      continue;
    }
    http_request req;
    req.url = settings_.url + "/graphql/v29";
    req.body.assign(body.GetString(), body.GetSize());
    req.headers = {"Content-Type: application/json", "Accept: application/json"};
    if (!token_.empty()) req.headers.push_back("Authorization: Bearer " + token_);
    ++requests_;
    auto res = transport_.send(req);
    if (!res) {
      if (res.err().kind != error_kind::unavailable) return res.err();  // e.g. a certificate that does not verify
      last_reason = res.err().message;
      continue;
    }
    if (res->too_large)
      return error{error_kind::unavailable, fmt::format("{}: OS2mo's response is larger than {} bytes; stopped (a misbehaving server?)",
                                                        operation, settings_.http.max_response_bytes)};
    if (transient(res->status)) {
      last_reason = fmt::format("HTTP {}", res->status);
      retry_after = res->retry_after;
      continue;
    }
    if (res->status == 401 && settings_.auth.uses_client_credentials() && !renewed) {
      renewed = true;  // the token expired early or was revoked: fetch a new one once
      if (auto t = ensure_token(true); !t) return t;
      --attempt;
      continue;
    }
    if (res->status == 401 || res->status == 403)
      return error{error_kind::config, fmt::format("OS2mo refused {} (HTTP {}): check the token or the client's roles",
                                                   operation, res->status)};
    if (res->status != 200)
      return error{error_kind::data, fmt::format("OS2mo answered {} with HTTP {}: {}", operation, res->status, shorten(res->body))};
    rapidjson::Document doc;
    // A GraphQL response nests a dozen levels; a deeper one is a misbehaving server (69), not data.
    if (const auto why = io::parse_untrusted(doc, res->body, {std::numeric_limits<std::size_t>::max(), 64})) {
      if (why->starts_with("nests"))
        return error{error_kind::unavailable, fmt::format("{}: OS2mo's response {} (a misbehaving server?)", operation, *why)};
      return error{error_kind::data, fmt::format("{}: OS2mo's response is not a JSON object: {}", operation, shorten(res->body))};
    }
    if (!doc.IsObject())
      return error{error_kind::data, fmt::format("{}: OS2mo's response is not a JSON object: {}", operation, shorten(res->body))};
    if (const auto e = doc.FindMember("errors"); e != doc.MemberEnd() && e->value.IsArray() && !e->value.Empty()) {
      const auto& first = e->value[0];
      const auto m = first.IsObject() ? first.FindMember("message") : first.MemberEnd();
      const std::string message = first.IsObject() && m != first.MemberEnd() && m->value.IsString() ? m->value.GetString() : "unknown error";
      return error{error_kind::data, fmt::format("{}: OS2mo reported a GraphQL error: {}", operation, message)};
    }
    const auto data = doc.FindMember("data");
    if (data == doc.MemberEnd() || !data->value.IsObject())
      return error{error_kind::data, fmt::format("{}: OS2mo's response has no data", operation)};
    out.Swap(doc);
    return {};
  }
  return error{error_kind::unavailable,
               fmt::format("OS2mo at {} did not answer {} after {} attempts: {}", settings_.url, operation, settings_.max_attempts, last_reason)};
}

}  // namespace linemgr::os2mo
