#pragma once
// listen --metrics-addr: Prometheus /metrics, /health/live and /health/ready over HTTP
// (cpp-httplib), served from a thread of its own.
#include <memory>
#include <string>
#include <thread>

#include <linemgr/service/listen_metrics.hpp>

namespace httplib {
class Server;
}

namespace linemgr::cli {


class metrics_server {
 public:
  // Binds HOST:PORT now: a bad address is a usage failure (64), a port in use a configuration
  // failure (78). Serves what `state` holds until destroyed.
  metrics_server(const std::string& address, const service::listen_metrics& state);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;
  // The port it listens on (the one asked for, or the one the system chose for port 0).
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace linemgr::cli
