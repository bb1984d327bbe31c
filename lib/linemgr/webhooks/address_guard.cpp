#include <linemgr/webhooks/address_guard_internal.hpp>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace linemgr::webhooks {

namespace {

std::optional<std::string> refused_v4(std::uint32_t a) {  // host byte order
  auto in = [&](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x7F000000, 8)) return "a loopback address";
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return "a private address";
  if (in(0xA9FE0000, 16)) return "a link-local address";
  if (in(0x64400000, 10)) return "a carrier-grade NAT address";
  if (in(0x00000000, 8)) return "an unspecified address";
  if (in(0xC6120000, 15)) return "a benchmarking address";
  if (in(0xE0000000, 4)) return "a multicast address";
  if (in(0xF0000000, 4)) return "a reserved or broadcast address";
  return std::nullopt;
}

// The IPv4 address in bytes b[at..at+4), in host byte order.
std::uint32_t v4_at(const unsigned char* b, int at) {
  std::uint32_t v4 = 0;
  std::memcpy(&v4, b + at, 4);
  return ntohl(v4);
}

std::string text_of(const sockaddr* address) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (address->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, buf, sizeof buf);
  else
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, buf, sizeof buf);
  return buf;
}

}  // namespace

std::optional<std::string> refused_address_reason(const sockaddr* address) {
  if (address->sa_family == AF_INET)
    return refused_v4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family != AF_INET6) return "not an IP address";
  const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  const unsigned char* b = a.s6_addr;
  // IPv6 forms that carry an IPv4 address: mapped and compatible (::ffff:a.b.c.d), NAT64
  // (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
  static constexpr unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a) || std::memcmp(b, nat64, 12) == 0) {
    if (auto r = refused_v4(v4_at(b, 12))) return *r + " (in IPv6)";
    return std::nullopt;
  }
  if (b[0] == 0x20 && b[1] == 0x02)
    if (auto r = refused_v4(v4_at(b, 2))) return *r + " (in 6to4)";
  if (b[0] == 0xff) return "a multicast address";
  if (IN6_IS_ADDR_LOOPBACK(&a)) return "a loopback address";
  if (IN6_IS_ADDR_UNSPECIFIED(&a)) return "an unspecified address";
  if (IN6_IS_ADDR_LINKLOCAL(&a)) return "a link-local address";
  if ((b[0] & 0xFE) == 0xFC) return "a unique-local (private) address";
  return std::nullopt;
}

result<std::string> checked_resolve(const std::string& url, bool allow_private) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return error{error_kind::config, "the URL does not parse"};
  char* host_c = nullptr;
  char* port_c = nullptr;
  curl_url_get(u.get(), CURLUPART_HOST, &host_c, 0);
  curl_url_get(u.get(), CURLUPART_PORT, &port_c, CURLU_DEFAULT_PORT);
  std::string host = host_c ? host_c : "";
  const std::string port = port_c ? port_c : "443";
  curl_free(host_c);
  curl_free(port_c);
  std::string lookup = host;
  if (lookup.size() > 2 && lookup.front() == '[') lookup = lookup.substr(1, lookup.size() - 2);  // [v6]

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(lookup.c_str(), port.c_str(), &hints, &found); rc != 0)
    return error{error_kind::unavailable, fmt::format("cannot resolve {}: {}", host, gai_strerror(rc))};
  std::string addresses;
  std::optional<std::string> refused;
  for (addrinfo* a = found; a; a = a->ai_next) {
    const std::string text = text_of(a->ai_addr);
    if (!allow_private && !refused)
      if (auto why = refused_address_reason(a->ai_addr)) refused = fmt::format("{} is {}", text, *why);
    if (addresses.find(text) == std::string::npos)
      addresses += (addresses.empty() ? "" : ",") + (a->ai_family == AF_INET6 ? "[" + text + "]" : text);
  }
  freeaddrinfo(found);
  if (refused)
    return error{error_kind::config, fmt::format("refused: {} ({}); set allow_private_networks = true on the sink to allow it",
                                                 host, *refused)};
  // An address written in the URL is checked but needs no pin (nothing resolves it, and curl
  // cannot parse a pin for a bracketed IPv6 host).
  in6_addr parsed{};
  if (inet_pton(AF_INET, lookup.c_str(), &parsed) == 1 || inet_pton(AF_INET6, lookup.c_str(), &parsed) == 1) return std::string();
  return fmt::format("{}:{}:{}", host, port, addresses);
}

}  // namespace linemgr::webhooks
