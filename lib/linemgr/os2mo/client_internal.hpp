#pragma once
// Internal: the OS2mo GraphQL client (v29) with authentication, retries and request counting.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <linemgr/io/json_internal.hpp>
#include <linemgr/os2mo/http.hpp>
#include <linemgr/os2mo/settings.hpp>

namespace linemgr::os2mo {

// Runs GraphQL operations against `{url}/graphql/v29`. Renews tokens before they expire, retries
// connection errors and 429/502/503/504 with exponential backoff and jitter (honouring
// Retry-After), never retries validation errors, and reports GraphQL errors with the operation.
class os2mo_client {
 public:
  using sleep_fn = std::function<void(std::chrono::milliseconds)>;
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;

  os2mo_client(os2mo_settings settings, http_transport& transport, sleep_fn sleep = {}, clock_fn now = {});

  // Runs one operation with JSON `variables`; on success `out` holds the whole response, whose
  // `data` member is an object.
  status execute(std::string_view operation, std::string_view document, std::string_view variables,
                       rapidjson::Document& out);
  // Requests sent to OS2mo's GraphQL endpoint so far (retries included, token requests not).
  std::size_t requests() const { return requests_; }
  const os2mo_settings& settings() const { return settings_; }

 private:
  status ensure_token(bool force);
  std::chrono::milliseconds backoff(int attempt, const std::string& retry_after);

  os2mo_settings settings_;
  http_transport& transport_;
  sleep_fn sleep_;
  clock_fn now_;
  std::string token_;
  std::chrono::steady_clock::time_point token_expiry_{};
  std::size_t requests_ = 0;
  std::uint64_t jitter_state_ = 0x2545F4914F6CDD1Dull;
};

}  // namespace linemgr::os2mo
