#pragma once
// Refusing private, loopback and link-local targets (SSRF): the URL's host is resolved here,
// every address checked, and the request pinned to those addresses.
#include <optional>
#include <string>

#include <sys/socket.h>

#include <linemgr/core/result.hpp>

namespace linemgr::webhooks {

using namespace linemgr::core;

// Why a connection to the address is refused (loopback, private, link-local, carrier-grade
// NAT, unspecified, benchmarking, multicast, reserved, unique-local, or such an IPv4 address
// inside IPv6: mapped, NAT64, 6to4), or nullopt.
std::optional<std::string> refused_address_reason(const sockaddr* address);

// Resolves the URL's host. Unless `allow_private`, any refused address is an error naming it and
// the setting that allows it. Gives the curl --resolve entry "host:port:addr,addr" that pins the
// request to the checked addresses, or "" when the host is an address itself.
result<std::string> checked_resolve(const std::string& url, bool allow_private);

}  // namespace linemgr::webhooks
