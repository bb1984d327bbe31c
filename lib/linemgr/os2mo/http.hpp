#pragma once
// HTTP behind a small interface, so the OS2mo client is tested against real servers and fakes alike.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <linemgr/core/result.hpp>

namespace linemgr::os2mo {

using namespace linemgr::core;

// One HTTP request.
struct http_request {
  std::string method = "POST";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
};

// One HTTP response: any status (the caller decides what is an error).
struct http_response {
  long status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, when present
  bool too_large = false;   // the body passed http_settings::max_response_bytes and was dropped
};

// Sends requests. An error means no response arrived: kind unavailable (connection refused,
// timeout), or kind config when the server's certificate does not verify; with the reason.
class http_transport {
 public:
  virtual ~http_transport() = default;
  virtual result<http_response> send(const http_request& request) = 0;
};

// Timeouts and TLS for the libcurl transport.
struct http_settings {
  long connect_timeout_ms = 5000;
  long total_timeout_ms = 60000;
  std::string ca_file;  // a private CA, trusted besides the system's CAs; verification is always on
  std::size_t max_response_bytes = std::size_t{64} << 20;  // a longer response (decompressed) is cut off: an error
};

// A libcurl transport: one reused easy handle (keep-alive), TLS verification on, no redirects.
// Call curl_global_init once before (linemgr::http_global_init does).
std::unique_ptr<http_transport> make_curl_transport(const http_settings& settings);

// Initializes libcurl once per process.
void http_global_init();

}  // namespace linemgr::os2mo
