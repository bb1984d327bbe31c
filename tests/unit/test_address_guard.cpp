// webhooks::address_guard: which addresses a sink (or its proxy) may not reach without
// allow_private_networks, and how a request is pinned to the addresses checked.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include <doctest/doctest.h>

#include <linemgr/webhooks/address_guard_internal.hpp>

using linemgr::webhooks::checked_resolve;
using linemgr::webhooks::refused_address_reason;

namespace {
std::string reason(const char* text) {
  sockaddr_in6 v6{};
  sockaddr_in v4{};
  if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return refused_address_reason(reinterpret_cast<sockaddr*>(&v4)).value_or("allowed");
  }
  REQUIRE(inet_pton(AF_INET6, text, &v6.sin6_addr) == 1);
  v6.sin6_family = AF_INET6;
  return refused_address_reason(reinterpret_cast<sockaddr*>(&v6)).value_or("allowed");
}
}  // namespace

TEST_SUITE("webhooks::address_guard") {
  TEST_CASE("private, loopback, link-local and special IPv4 ranges are refused; public ones are not") {
    CHECK(reason("127.0.0.1") == "a loopback address");
    CHECK(reason("10.1.2.3") == "a private address");
    CHECK(reason("172.31.0.1") == "a private address");
    CHECK(reason("192.168.1.1") == "a private address");
    CHECK(reason("169.254.169.254") == "a link-local address");
    CHECK(reason("100.64.0.1") == "a carrier-grade NAT address");
    CHECK(reason("0.0.0.0") == "an unspecified address");
    CHECK(reason("198.18.0.1") == "a benchmarking address");
    CHECK(reason("198.19.255.255") == "a benchmarking address");
    CHECK(reason("224.0.0.1") == "a multicast address");
    CHECK(reason("240.0.0.1") == "a reserved or broadcast address");
    CHECK(reason("255.255.255.255") == "a reserved or broadcast address");
    CHECK(reason("198.20.0.1") == "allowed");
    CHECK(reason("93.184.216.34") == "allowed");
    CHECK(reason("172.32.0.1") == "allowed");
  }

  TEST_CASE("IPv6 ranges, and IPv4 addresses carried inside IPv6, are judged by what they reach") {
    CHECK(reason("::1") == "a loopback address");
    CHECK(reason("::") == "an unspecified address");
    CHECK(reason("fe80::1") == "a link-local address");
    CHECK(reason("fd00::1") == "a unique-local (private) address");
    CHECK(reason("ff02::1") == "a multicast address");
    CHECK(reason("::ffff:127.0.0.1") == "a loopback address (in IPv6)");
    CHECK(reason("64:ff9b::7f00:1") == "a loopback address (in IPv6)");
    CHECK(reason("64:ff9b::a00:1") == "a private address (in IPv6)");
    CHECK(reason("2002:7f00:1::1") == "a loopback address (in 6to4)");
    CHECK(reason("2002:c0a8:101::1") == "a private address (in 6to4)");
    CHECK(reason("64:ff9b::5db8:d822") == "allowed");
    CHECK(reason("2002:5db8:d822::1") == "allowed");
    CHECK(reason("2001:db8::1") == "allowed");
  }

  TEST_CASE("a host name is pinned to the addresses checked; an address in the URL needs no pin") {
    auto named = checked_resolve("http://localhost:8080/x", true);
    REQUIRE(named);
    CHECK(named->rfind("localhost:8080:", 0) == 0);
    auto v4 = checked_resolve("http://127.0.0.1:8080/x", true);
    REQUIRE(v4);
    CHECK(v4->empty());
    auto v6 = checked_resolve("http://[::1]:8080/x", true);
    REQUIRE(v6);
    CHECK(v6->empty());
    auto refused = checked_resolve("https://[::1]/x", false);
    REQUIRE_FALSE(refused);
    CHECK(refused.err().message ==
          "refused: [::1] (::1 is a loopback address); set allow_private_networks = true on the sink to allow it");
    auto refused_name = checked_resolve("http://localhost/x", false);
    REQUIRE_FALSE(refused_name);
    CHECK(refused_name.err().message.find("is a loopback address") != std::string::npos);
  }
}
