#pragma once
// Internal to the OS2mo adapter: what a connection holds.
#include <memory>
#include <string>
#include <vector>

#include <linemgr/os2mo/client_internal.hpp>
#include <linemgr/os2mo/os2mo.hpp>

namespace linemgr::os2mo {

struct os2mo_connection::impl {
  std::unique_ptr<http_transport> transport;
  os2mo_client client;
  struct listener {
    event_kind kind;
    std::string uuid;
  };
  std::vector<listener> listeners;  // declared event listeners, fetched from in turn
  std::size_t next_listener = 0;
  impl(os2mo_settings s, std::unique_ptr<http_transport> t)
      : transport(t ? std::move(t) : make_curl_transport(s.http)), client(std::move(s), *transport) {}
};

}  // namespace linemgr::os2mo
