#include <curl/curl.h>

#include <fstream>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

#include <linemgr/os2mo/http.hpp>

namespace linemgr::os2mo {

namespace {

// The body received so far, and how much may come.
struct body_sink {
  std::string* body;
  std::size_t max_bytes;
  bool too_big = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* out) {
  auto* sink = static_cast<body_sink*>(out);
  if (sink->body->size() + size * count > sink->max_bytes) {
    sink->too_big = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, size * count);
  return size * count;
}

std::size_t read_header(char* data, std::size_t size, std::size_t count, void* out) {
  const std::string_view line(data, size * count);
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size()) {
    bool match = true;
    for (std::size_t i = 0; i < name.size() && match; ++i)
      match = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i]))) == name[i];
    if (match) {
      std::string value(line.substr(name.size()));
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
      while (!value.empty() && value.front() == ' ') value.erase(value.begin());
      *static_cast<std::string*>(out) = value;
    }
  }
  return size * count;
}

class curl_transport final : public http_transport {
 public:
  explicit curl_transport(const http_settings& s) : settings_(s), handle_(curl_easy_init()) {
    if (!s.ca_file.empty()) ca_bundle_ = slurp(system_bundle()) + "\n" + slurp(s.ca_file);
  }
  ~curl_transport() override { curl_easy_cleanup(handle_); }
  curl_transport(const curl_transport&) = delete;
  curl_transport& operator=(const curl_transport&) = delete;

  result<http_response> send(const http_request& request) override {
    if (!handle_) return error{error_kind::unavailable, "cannot initialize libcurl"};
    CURL* h = handle_;
    curl_easy_reset(h);  // keeps the connection cache
    http_response response;
    char message[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    for (const std::string& header : request.headers) headers = curl_slist_append(headers, header.c_str());
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
    body_sink sink{&response.body, settings_.max_response_bytes};
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.retry_after);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, settings_.total_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "linemgr");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_bundle_.empty()) {  // the system's CAs plus the private one
      curl_blob blob{ca_bundle_.data(), ca_bundle_.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
    }
    const CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (sink.too_big) {  // an answer, if an unusable one: not to be asked again
      response.body.clear();
      response.too_large = true;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
      return response;
    }
    if (rc != CURLE_OK) {
      const std::string reason = fmt::format("{}: {}", request.url, message[0] ? message : curl_easy_strerror(rc));
      // A certificate that does not verify will not verify on the next attempt either.
      const bool tls_trust = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                             rc == CURLE_SSL_CERTPROBLEM;
      if (tls_trust) return error{error_kind::config, reason + " (check --ca-file)"};
      return error{error_kind::unavailable, reason};
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  // The CA bundle libcurl would use by default (Debian's ca-certificates).
  static std::string system_bundle() {
    const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
    return v && v->cainfo ? v->cainfo : "/etc/ssl/certs/ca-certificates.crt";
  }

  http_settings settings_;
  CURL* handle_;
  std::string ca_bundle_;
};

}  // namespace

std::unique_ptr<http_transport> make_curl_transport(const http_settings& settings) {
  return std::make_unique<curl_transport>(settings);
}

void http_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace linemgr::os2mo
