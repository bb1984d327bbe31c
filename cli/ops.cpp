#include "ops.hpp"

#include <httplib.h>

#include <fmt/format.h>

#include "commands.hpp"

#ifndef LINEMGR_VERSION
#define LINEMGR_VERSION "0"
#endif

namespace linemgr::cli {

listen_state::listen_state() {
  using k = metrics::kind;
  m.declare("linemgr_build_info", k::gauge, "The running linemgr's version.");
  m.set("linemgr_build_info", 1, "version", LINEMGR_VERSION);
  m.declare("linemgr_events_received_total", k::counter, "Events received, by routing key.");
  m.declare("linemgr_events_processed_total", k::counter, "Events whose batch was reconciled, by routing key.");
  m.declare("linemgr_events_failed_total", k::counter, "Events that could not be parsed or whose batch failed, by routing key.");
  m.declare("linemgr_events_dead_lettered_total", k::counter, "Events rejected to the dead-letter exchange, by routing key.");
  m.declare("linemgr_changes_applied_total", k::counter, "Changes applied, by kind (plan op).");
  m.declare("linemgr_changes_failed_total", k::counter, "Changes that failed or were stale, by kind (plan op).");
  m.declare("linemgr_reconcile_duration_seconds", k::histogram, "Time to reconcile one batch of events.", duration_buckets());
  m.declare("linemgr_broker_connected", k::gauge, "1 while connected to the AMQP broker.");
  m.declare("linemgr_os2mo_reachable", k::gauge, "1 when OS2mo (or the snapshot) answered the last request.");
  m.declare("linemgr_webhook_deliveries", k::gauge, "Webhook deliveries in the outbox, by state.");
  m.set("linemgr_os2mo_reachable", 1);
}

bool listen_state::ready(std::string* why) const {
  if (uses_broker && !broker_connected) {
    *why = "not connected to the AMQP broker";
    return false;
  }
  if (!os2mo_reachable) {
    *why = "OS2mo did not answer the last request";
    return false;
  }
  return true;
}

ops_server::ops_server(const std::string& address, listen_state& state) : server_(std::make_unique<httplib::Server>()) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw failure{{error_kind::usage, fmt::format("--metrics-addr {}: use HOST:PORT, such as 127.0.0.1:9464", address)}};
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long port = std::strtol(address.c_str() + colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535) throw failure{{error_kind::usage, fmt::format("--metrics-addr {}: not a port", address)}};

  server_->Get("/metrics", [&state](const httplib::Request&, httplib::Response& res) {
    res.set_content(state.m.exposition(), "text/plain; version=0.0.4; charset=utf-8");
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

ops_server::~ops_server() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace linemgr::cli
