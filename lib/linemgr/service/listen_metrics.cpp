#include <linemgr/service/listen_metrics.hpp>

namespace linemgr::service {

listen_metrics::listen_metrics(bool uses_broker, const std::string& version) : uses_broker_(uses_broker) {
  using k = metrics::kind;
  m_.declare("linemgr_build_info", k::gauge, "The running linemgr's version.");
  m_.set("linemgr_build_info", 1, "version", version);
  m_.declare("linemgr_events_received_total", k::counter, "Events received, by routing key.");
  m_.declare("linemgr_events_processed_total", k::counter, "Events whose batch was reconciled, by routing key.");
  m_.declare("linemgr_events_failed_total", k::counter, "Events that could not be parsed or whose batch failed, by routing key.");
  m_.declare("linemgr_events_dead_lettered_total", k::counter, "Events rejected to the dead-letter exchange, by routing key.");
  m_.declare("linemgr_changes_applied_total", k::counter, "Changes applied, by kind (plan op).");
  m_.declare("linemgr_changes_failed_total", k::counter, "Changes that failed or were stale, by kind (plan op).");
  m_.declare("linemgr_reconcile_duration_seconds", k::histogram, "Time to reconcile one batch of events (or a full reconcile).",
             duration_buckets());
  m_.declare("linemgr_full_reconciles_total", k::counter, "Full reconciles (drift repair, --full-every), by outcome.");
  m_.declare("linemgr_broker_connected", k::gauge, "1 while connected to the AMQP broker.");
  m_.declare("linemgr_os2mo_reachable", k::gauge, "1 when OS2mo (or the snapshot) answered the last request.");
  m_.declare("linemgr_webhook_deliveries", k::gauge, "Webhook deliveries in the outbox, by state.");
  m_.declare("linemgr_webhook_attempts_total", k::counter, "Webhook delivery attempts, by sink.");
  m_.declare("linemgr_webhook_failures_total", k::counter, "Webhook delivery attempts that failed (retried, dead or 410), by sink.");
  m_.declare("linemgr_webhook_delivery_latency_seconds", k::histogram,
             "Seconds from a notice being queued to its sink's 2xx answer, per delivery.",
             {0.1, 0.5, 1, 2.5, 5, 15, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600});
  m_.set("linemgr_os2mo_reachable", 1);
}

void listen_metrics::webhook_pass(const delivery_summary& pass) {
  for (const auto& [sink, n] : pass.attempts) {
    m_.add("linemgr_webhook_attempts_total", static_cast<double>(n.attempts), "sink", sink);
    m_.add("linemgr_webhook_failures_total", static_cast<double>(n.failures), "sink", sink);
  }
  for (const double s : pass.latency_s) m_.observe("linemgr_webhook_delivery_latency_seconds", s);
}

bool listen_metrics::ready(std::string* why) const {
  if (uses_broker_ && !broker_connected_) {
    *why = "not connected to the AMQP broker";
    return false;
  }
  if (!os2mo_reachable_) {
    *why = "OS2mo did not answer the last request";
    return false;
  }
  return true;
}

void listen_metrics::webhook_counts(const std::vector<sink_counts>& counts) {
  sink_counts total;
  for (const sink_counts& c : counts) {
    total.held += c.held, total.pending += c.pending, total.failed += c.failed, total.delivering += c.delivering;
    total.delivered += c.delivered, total.dead += c.dead;
  }
  for (const auto& [name, n] : {std::pair{"held", total.held}, {"pending", total.pending}, {"failed", total.failed},
                                {"delivering", total.delivering}, {"delivered", total.delivered}, {"dead", total.dead}})
    m_.set("linemgr_webhook_deliveries", static_cast<double>(n), "state", name);
}

void listen_metrics::connected(bool up) {
  if (!uses_broker_) return;
  broker_connected_ = up;
  m_.set("linemgr_broker_connected", up ? 1 : 0);
}

void listen_metrics::received(const message& m) {
  if (!m.routing_key.empty()) m_.add("linemgr_events_received_total", 1, "routing_key", m.routing_key);
}

void listen_metrics::malformed(const message& m) {
  const std::string key = m.routing_key.empty() ? "(unparsed)" : m.routing_key;
  m_.add("linemgr_events_failed_total", 1, "routing_key", key);
  if (uses_broker_) m_.add("linemgr_events_dead_lettered_total", 1, "routing_key", key);
}

bool listen_metrics::record_run(const result<run_report>& r, std::chrono::duration<double> took) {
  m_.observe("linemgr_reconcile_duration_seconds", took.count());
  const bool failed = !r || (r->applied && r->applied->fatal);
  os2mo_reachable_ = !failed;
  m_.set("linemgr_os2mo_reachable", failed ? 0 : 1);
  if (failed || !r->applied) return !failed;
  std::vector<bool> bad(r->changes.changes.size(), false);
  for (const auto& f : r->applied->failed) bad[f.change] = true;
  for (const auto& f : r->applied->stale) bad[f.change] = true;
  for (std::size_t i = 0; i < bad.size(); ++i)
    m_.add(bad[i] ? "linemgr_changes_failed_total" : "linemgr_changes_applied_total", 1, "kind", op_name(r->changes.changes[i].kind));
  return true;
}

void listen_metrics::batch_done(const std::vector<event>& events, const result<run_report>& r, std::chrono::duration<double> took) {
  const bool ok = record_run(r, took);
  for (const event& e : events)
    m_.add(ok ? "linemgr_events_processed_total" : "linemgr_events_failed_total", 1, "routing_key", routing_key_of(e.kind));
}

void listen_metrics::full_done(const result<run_report>& r, std::chrono::duration<double> took) {
  m_.add("linemgr_full_reconciles_total", 1, "outcome", record_run(r, took) ? "success" : "failure");
}

void listen_metrics::dead_lettered(const std::vector<event>& events) {
  for (const event& e : events) m_.add("linemgr_events_dead_lettered_total", 1, "routing_key", routing_key_of(e.kind));
}

}  // namespace linemgr::service
