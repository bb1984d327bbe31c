#pragma once
// Prometheus metrics and readiness for a listen run: a listen_observer that keeps the counts a
// /metrics endpoint shows and the state /health/ready reports (the CLI serves both over HTTP).
#include <atomic>
#include <string>
#include <vector>

#include <linemgr/io/metrics.hpp>
#include <linemgr/service/listen.hpp>
#include <linemgr/webhooks/delivery.hpp>
#include <linemgr/webhooks/outbox.hpp>

namespace linemgr::service {

using namespace linemgr::io;
using namespace linemgr::webhooks;

class listen_metrics final : public listen_observer {
 public:
  // `uses_broker`: readiness needs the broker connected. `version` goes into linemgr_build_info.
  listen_metrics(bool uses_broker, const std::string& version);

  // The metric families (events by routing key, changes by kind, reconcile durations, broker,
  // OS2mo, webhook deliveries, build info).
  const metrics& registry() const { return m_; }
  // Ready: the broker (when there is one) is connected and OS2mo answered its last request;
  // otherwise false with the reason in `why`.
  bool ready(std::string* why) const;
  // Webhook deliveries in the outbox by state (from the announcer's background delivery).
  void webhook_counts(const std::vector<sink_counts>& counts);
  // One delivery pass: attempts and failures per sink, and each delivery's latency.
  void webhook_pass(const delivery_summary& pass);

  void connected(bool up) override;
  void received(const message& m) override;
  void malformed(const message& m) override;
  void batch_done(const std::vector<event>& events, const result<run_report>& r, std::chrono::duration<double> took) override;
  void dead_lettered(const std::vector<event>& events) override;
  void full_done(const result<run_report>& r, std::chrono::duration<double> took) override;

 private:
  // The duration, OS2mo's reachability and the changes by kind of a batch or full reconcile; false when it failed.
  bool record_run(const result<run_report>& r, std::chrono::duration<double> took);
  metrics m_;
  bool uses_broker_;
  std::atomic<bool> broker_connected_{false};
  std::atomic<bool> os2mo_reachable_{true};  // a snapshot source is always reachable
};

}  // namespace linemgr::service
