#include <linemgr/service/about.hpp>

#include <amqp.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <linemgr/io/json_internal.hpp>

#ifndef LINEMGR_REVISION
#define LINEMGR_REVISION "unknown"
#endif

namespace linemgr::service {

std::string version() { return LINEMGR_VERSION; }

std::string version_report() {
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  return fmt::format("linemgr {} (revision {})\nlibraries: libcurl {}, {}, rabbitmq-c {}, SQLite {}, RapidJSON {}, fmt {}.{}.{}, toml++ {}.{}.{}\n",
                     LINEMGR_VERSION, LINEMGR_REVISION, curl->version, OpenSSL_version(OPENSSL_VERSION), amqp_version(),
                     sqlite3_libversion(), RAPIDJSON_VERSION_STRING, FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100,
                     TOML_LIB_MAJOR, TOML_LIB_MINOR, TOML_LIB_PATCH);
}

}  // namespace linemgr::service
