#include "metrics_server.hpp"

#include <httplib.h>

#include <fmt/format.h>

#include "output.hpp"

namespace linemgr::cli {


metrics_server::metrics_server(const std::string& address, const service::listen_metrics& state)
    : server_(std::make_unique<httplib::Server>()) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw failure{{error_kind::usage, fmt::format("--metrics-addr {}: use HOST:PORT, such as 127.0.0.1:9464", address)}};
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long port = std::strtol(address.c_str() + colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535) throw failure{{error_kind::usage, fmt::format("--metrics-addr {}: not a port", address)}};

  server_->Get("/metrics", [&state](const httplib::Request&, httplib::Response& res) {
    res.set_content(state.registry().exposition(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/health/live", [](const httplib::Request&, httplib::Response& res) { res.set_content("live\n", "text/plain"); });
  server_->Get("/health/ready", [&state](const httplib::Request&, httplib::Response& res) {
    std::string why;
    if (state.ready(&why)) {
      res.set_content("ready\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("not ready: " + why + "\n", "text/plain");
    }
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ <= 0) throw failure{{error_kind::config, fmt::format("--metrics-addr {}: cannot listen there", address)}};
  } else {
    if (!server_->bind_to_port(host, static_cast<int>(port)))
      throw failure{{error_kind::config, fmt::format("--metrics-addr {}: cannot listen there (in use, or not an address of this host)", address)}};
    port_ = static_cast<int>(port);
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

metrics_server::~metrics_server() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace linemgr::cli
