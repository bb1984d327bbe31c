#pragma once
// How to reach OS2mo: URL, credentials, timeouts, retries, page size.
#include <chrono>
#include <string>

#include <linemgr/os2mo/http.hpp>

namespace linemgr::os2mo {

// Credentials: a static bearer token, or Keycloak client credentials (token renewed before expiry).
struct os2mo_auth {
  std::string token;  // never logged
  std::string client_id, client_secret, auth_server, realm = "mo";
  bool uses_client_credentials() const { return !client_id.empty(); }
};

// Everything the OS2mo adapter needs.
struct os2mo_settings {
  std::string url;  // e.g. https://os2mo.example.dk (no /graphql suffix)
  os2mo_auth auth;
  http_settings http;
  int page_size = 500;
  int max_attempts = 6;
  std::chrono::milliseconds backoff_base{250};
  std::chrono::milliseconds backoff_max{15000};
};

}  // namespace linemgr::os2mo
