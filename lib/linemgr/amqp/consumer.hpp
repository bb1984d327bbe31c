#pragma once
// Consuming OS2mo's AMQP events with rabbitmq-c: connect, (optionally) declare, consume, ack.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <linemgr/core/result.hpp>

namespace linemgr::amqp {

using namespace linemgr::core;

// Where and how to consume.
struct amqp_settings {
  std::string host = "localhost";
  int port = 5672;
  std::string username = "guest", password = "guest", vhost = "/";
  bool tls = false;          // amqps://
  std::string ca_file;       // for amqps: a CA to trust; verification is always on
  std::string queue;         // the queue to consume
  bool declare = false;      // declare exchange, quorum queue (single active consumer), bindings, dead-letter queue
  std::string exchange = "os2mo";
  std::string dead_letter_exchange;  // set by declare; or name the queue's own with --dead-letter-exchange
  int prefetch = 10;
  int heartbeat_s = 30;
};

// Parses amqp[s]://user:pass@host:port/vhost into `s` (keeping the queue and other settings).
status parse_amqp_url(const std::string& url, amqp_settings& s);

// The routing keys `declare` binds: the one-part keys linemgr handles and the legacy ones.
std::vector<std::string> bound_routing_keys();

// One delivery.
struct amqp_delivery {
  std::uint64_t tag = 0;
  std::string routing_key;
  std::string body;
  bool redelivered = false;
};

// A consumer on one channel. Delivery tags belong to the connection they came on: after a
// reconnect, old tags must not be acked (the broker redelivers those messages).
class amqp_consumer {
 public:
  explicit amqp_consumer(amqp_settings settings);
  ~amqp_consumer();
  amqp_consumer(const amqp_consumer&) = delete;
  amqp_consumer& operator=(const amqp_consumer&) = delete;

  // Connects, declares (when asked), sets prefetch and starts consuming. Errors: unavailable
  // (broker unreachable), config (login refused, missing queue, access refused).
  status connect();
  // Waits up to `timeout` for a delivery: a delivery, nullopt on timeout, or an error when the
  // connection is lost (kind unavailable) or the broker closed the channel.
  result<std::optional<amqp_delivery>> next(std::chrono::milliseconds timeout);
  // Acknowledges one delivery.
  status ack(std::uint64_t tag);
  // Rejects one delivery: requeue, or dead-letter (or drop, when the queue has no dead-letter exchange).
  status reject(std::uint64_t tag, bool requeue);
  // Stops consuming and closes the connection.
  void close();
  bool connected() const;
  const amqp_settings& settings() const { return settings_; }

 private:
  struct state;
  amqp_settings settings_;
  std::unique_ptr<state> state_;
};

}  // namespace linemgr::amqp
