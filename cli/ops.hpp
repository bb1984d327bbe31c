#pragma once
// Operations for `listen`: Prometheus metrics and health endpoints over HTTP (cpp-httplib),
// off unless --metrics-addr is given.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "io/metrics.hpp"

namespace httplib {
class Server;
}

namespace linemgr::cli {

// What listen records for /metrics and /health/ready.
struct listen_state {
  metrics m;
  std::atomic<bool> uses_broker{false};
  std::atomic<bool> broker_connected{false};
  std::atomic<bool> os2mo_reachable{true};  // a snapshot source is always reachable
  listen_state();
  // Ready: the broker (when there is one) is connected and OS2mo answered its last request.
  bool ready(std::string* why) const;
};

// Serves /metrics, /health/live and /health/ready on HOST:PORT in a thread of its own.
class ops_server {
 public:
  // Binds now: a bad address or a port in use is a configuration failure (exit 78).
  ops_server(const std::string& address, listen_state& state);
  ~ops_server();
  ops_server(const ops_server&) = delete;
  ops_server& operator=(const ops_server&) = delete;
  // The port it listens on (the one asked for, or the one the system chose for port 0).
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace linemgr::cli
