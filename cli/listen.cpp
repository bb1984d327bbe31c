// listen --source stdin: JSON Lines until EOF; batches by --coalesce; a summary at the end.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include <fmt/format.h>

#include "amqp/consumer.hpp"
#include "commands.hpp"
#include "io/event_parse.hpp"
#include "sources.hpp"
#include "io/snapshot_file.hpp"
#include "log.hpp"
#include "ops.hpp"
#include "reconciler.hpp"
#include "settings.hpp"

namespace linemgr::cli {

namespace {

volatile std::sig_atomic_t stop_signal = 0;
void on_signal(int sig) { stop_signal = sig; }

// Totals over a run.
struct totals {
  std::size_t lines = 0, events = 0, malformed = 0, ignored = 0, batches = 0, units = 0, changes = 0, ok = 0, failed = 0,
              stale = 0;
  // Counts a reconciled batch and logs it, with `done` appended ("; acknowledged").
  void add(const batch_outcome& out, const char* done) {
    ++batches;
    units += out.units;
    changes += out.changes;
    ok += out.ok;
    failed += out.failed;
    stale += out.stale;
    log_info("{} events -> {} units, {} changes ({} applied, {} failed, {} stale){}", out.events,
                 out.units, out.changes, out.ok, out.failed, out.stale, done);
  }
};

// Reads lines from a file descriptor, waiting at most until a deadline for the next one.
class line_reader {
 public:
  explicit line_reader(int fd) : fd_(fd) {}
  enum class status { line, timeout, eof, interrupted };
  status next(std::string& line, std::chrono::milliseconds wait) {
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return status::line;
      }
      if (eof_) {
        if (buffer_.empty()) return status::eof;
        line = std::move(buffer_);
        buffer_.clear();
        return status::line;
      }
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, wait.count() < 0 ? -1 : static_cast<int>(wait.count()));
      if (ready < 0) {
        if (errno == EINTR) return status::interrupted;
        throw failure{{error_kind::io, "standard input: cannot poll"}};
      }
      if (ready == 0) return status::timeout;
      char chunk[65536];
      const ssize_t got = ::read(fd_, chunk, sizeof chunk);
      if (got < 0) {
        if (errno == EINTR) return status::interrupted;
        throw failure{{error_kind::io, "standard input: read error"}};
      }
      if (got == 0) eof_ = true;
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

 private:
  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

std::string summary(const totals& t, bool json) {
  if (json)
    return fmt::format(
        "{{\"format\": \"linemgr-listen/1\", \"lines\": {}, \"events\": {}, \"malformed\": {}, \"ignored\": {}, \"batches\": {}, "
        "\"units\": {}, \"changes\": {}, \"applied\": {{\"ok\": {}, \"failed\": {}, \"stale\": {}}}}}\n",
        t.lines, t.events, t.malformed, t.ignored, t.batches, t.units, t.changes, t.ok, t.failed, t.stale);
  return fmt::format("{} lines: {} events, {} malformed, {} ignored\n{} reconciles of {} units: {} changes, {} applied, {} failed, {} stale\n",
                     t.lines, t.events, t.malformed, t.ignored, t.batches, t.units, t.changes, t.ok, t.failed, t.stale);
}

}  // namespace

// AMQP settings: flags > the environment names the Python integrations use > [amqp] > defaults.
amqp_settings amqp_settings_from(const listen_options& o) {
  amqp_settings s;
  const file_connections file = read_file_connections(o.source.config);
  if (const std::string url = resolve("amqp.url", file, o.amqp_url).value; !url.empty()) {
    take(parse_amqp_url(url, s));
  } else {
    s.host = resolve("amqp.host", file).value;
    const resolved p = resolve("amqp.port", file);
    char* end = nullptr;
    const long port = std::strtol(p.value.c_str(), &end, 10);
    if (*end || port <= 0 || port > 65535)
      throw failure{{error_kind::config, fmt::format("{}: AMQP port \"{}\" is not a port", p.source, p.value)}};
    s.port = static_cast<int>(port);
    s.username = resolve("amqp.username", file).value;
    s.password = resolve("amqp.password", file).value;
    s.vhost = resolve("amqp.vhost", file).value;
  }
  s.queue = resolve("amqp.queue", file, o.amqp_queue).value;
  s.declare = o.declare;
  s.dead_letter_exchange = o.dead_letter_exchange;
  s.prefetch = o.prefetch;
  s.heartbeat_s = o.heartbeat_s;
  s.ca_file = resolve("amqp.ca_file", file, o.amqp_ca_file).value;
  return s;
}

int listen_amqp(const listen_options& o, reconciler& engine);
int listen_mo_events(const listen_options& o, reconciler& engine);
int listen_stdin(const listen_options& o, reconciler& engine);

// What the loops record for /metrics and /health (always kept; served with --metrics-addr).
listen_state* ops_state = nullptr;

int listen(const listen_options& o) {
  if (o.dry_run && !o.write_snapshot.empty()) usage("--write-snapshot writes the applied changes; leave out --dry-run");
  if (!o.source.snapshot.empty() && o.source.snapshot == "-") usage("--snapshot -: standard input carries the events");
  if (o.from == "mo-events" && !o.source.snapshot.empty()) usage("--source mo-events reads OS2mo's events: use --mo-url, not --snapshot");
  loaded source = open_source(o.source);
  const bool today_given = !o.source.today.empty();
  const bool dry_run = o.dry_run || (o.write_snapshot.empty() && env_dry_run().value_or(false));
  reconciler engine(std::move(source), dry_run, today_given);
  listen_state state;
  ops_state = &state;
  engine.record_to(&state);
  state.uses_broker = o.from == "amqp";
  std::unique_ptr<ops_server> ops;
  if (!o.metrics_addr.empty()) {
    ops = std::make_unique<ops_server>(o.metrics_addr, state);
    log_info("serving /metrics, /health/live and /health/ready on port {}", ops->port());
  }
  const std::unique_ptr<webhooks> hooks = webhooks::open(o.source.config, o.webhook_flush_timeout_s);
  if (hooks) {
    hooks->on_counts([&state](const std::vector<sink_counts>& counts) {
      sink_counts total;
      for (const sink_counts& c : counts) {
        total.held += c.held, total.pending += c.pending, total.failed += c.failed, total.delivering += c.delivering;
        total.delivered += c.delivered, total.dead += c.dead;
      }
      for (const auto& [name, n] : {std::pair{"held", total.held}, {"pending", total.pending}, {"failed", total.failed},
                                    {"delivering", total.delivering}, {"delivered", total.delivered}, {"dead", total.dead}})
        state.m.set("linemgr_webhook_deliveries", static_cast<double>(n), "state", name);
    });
    engine.announce_to(hooks.get());
    hooks->start_background();
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const int status = o.from == "amqp" ? listen_amqp(o, engine) : o.from == "mo-events" ? listen_mo_events(o, engine) : listen_stdin(o, engine);
  if (hooks) hooks->flush();
  return status;
}

int listen_stdin(const listen_options& o, reconciler& engine) {
  coalescer batcher{std::chrono::milliseconds(o.coalesce_ms)};

  totals t;
  auto flush = [&] {
    const coalescer::batch b = batcher.take();
    batch_outcome out;
    for (int attempt = 0;; ++attempt) {  // OS2mo unreachable: back off and try the batch again
      out = engine.process(b.events);
      if (!out.fatal) break;
      if (attempt >= 9 || stop_signal) throw failure{*out.fatal};
      const auto wait = std::chrono::milliseconds(std::min(30000, 500 << attempt));
      log_warn("{}; retrying the batch in {} ms", out.fatal->message.c_str(),
                   static_cast<long long>(wait.count()));
      std::this_thread::sleep_for(wait);
    }
    t.add(out, "");
  };

  line_reader reader(STDIN_FILENO);
  std::string line;
  for (;;) {
    const auto now = coalescer::clock::now();
    if (batcher.due(now)) flush();
    if (stop_signal) break;
    const auto wait = batcher.empty() ? std::chrono::milliseconds(-1)
                                      : std::chrono::duration_cast<std::chrono::milliseconds>(batcher.deadline() - now) +
                                            std::chrono::milliseconds(1);
    const auto got = reader.next(line, wait);
    if (got == line_reader::status::eof) break;
    if (got != line_reader::status::line) continue;
    ++t.lines;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines are skipped
    auto parsed = parse_event_line(line);
    if (!parsed) {
      ++t.malformed;
      ops_state->m.add("linemgr_events_failed_total", 1, "routing_key", "(unparsed)");
      log_warn("stdin line {}: {}; skipped", t.lines, parsed.err().message.c_str());
      continue;
    }
    if (!*parsed) {
      ++t.ignored;
      continue;
    }
    ++t.events;
    ops_state->m.add("linemgr_events_received_total", 1, "routing_key", routing_key_of((*parsed)->kind));
    batcher.add(std::move(**parsed), t.lines, coalescer::clock::now());
  }
  if (!batcher.empty()) flush();  // drain
  if (!o.write_snapshot.empty()) take(write_file_atomically(o.write_snapshot, snapshot_to_json(engine.current())));
  print(summary(t, wants_json(o.format)));
  if (stop_signal) return stop_signal == SIGINT ? 130 : 143;
  return t.failed || t.stale ? 1 : 0;
}

int listen_amqp(const listen_options& o, reconciler& engine) {
  amqp_consumer consumer(amqp_settings_from(o));
  coalescer batcher{std::chrono::milliseconds(o.coalesce_ms)};
  totals t;
  int failures = 0;                                 // consecutive failed tries of the pending batch
  coalescer::clock::time_point retry_at{};          // when a failed batch is tried again
  auto backoff = [](int n) { return std::chrono::milliseconds(std::min(30000, 500 << std::min(n, 6))); };
  // A batch is reconciled on a worker thread while this thread keeps the connection alive
  // (heartbeats) and receives the next messages; only this thread touches the connection.
  std::future<batch_outcome> running;
  coalescer::batch in_flight;
  std::uint64_t generation = 0, in_flight_generation = 0;  // connection generation: tags die with it

  // Connect, retrying an unreachable broker; a refused login or a missing queue is final.
  auto connect = [&]() -> bool {
    for (int attempt = 0; !stop_signal; ++attempt) {
      auto c = consumer.connect();
      if (c) {
        ++generation;
        ops_state->broker_connected = true;
        ops_state->m.set("linemgr_broker_connected", 1);
        log_info("consuming queue {} on {}:{}", consumer.settings().queue.c_str(), consumer.settings().host.c_str(),
                     consumer.settings().port);
        return true;
      }
      if (c.err().kind != error_kind::unavailable) throw failure{c.err()};
      const auto wait = backoff(attempt);
      log_warn("{}; connecting again in {} ms", c.err().message.c_str(), static_cast<long long>(wait.count()));
      for (auto until = coalescer::clock::now() + wait; coalescer::clock::now() < until && !stop_signal;)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };

  // Takes a finished batch: acks its messages when its changes are applied (or it planned
  // nothing); on failure they stay unacknowledged and the batch is tried again later.
  auto settle = [&] {
    const batch_outcome out = running.get();
    coalescer::batch b = std::move(in_flight);
    if (in_flight_generation != generation || !consumer.connected()) {
      log_warn("the connection was lost while {} events were handled; the broker redelivers them", b.events.size());
      return;
    }
    if (out.fatal) {
      ++failures;
      const bool give_up = failures >= o.max_attempts && !consumer.settings().dead_letter_exchange.empty();
      log_warn("{} (try {} of {})", out.fatal->message.c_str(), failures, o.max_attempts);
      if (give_up) {  // to the dead-letter exchange: a person looks at them there
        for (std::uint64_t tag : b.tags) consumer.reject(tag, false);
        for (const event& e : b.events) ops_state->m.add("linemgr_events_dead_lettered_total", 1, "routing_key", routing_key_of(e.kind));
        log_warn("{} messages dead-lettered after {} tries", b.tags.size(), failures);
        failures = 0;
        return;
      }
      for (std::size_t i = 0; i < b.events.size(); ++i) batcher.add(b.events[i], b.tags[i], coalescer::clock::now());
      retry_at = coalescer::clock::now() + backoff(failures - 1);
      return;
    }
    failures = 0;
    for (std::uint64_t tag : b.tags) consumer.ack(tag);
    t.add(out, "; acknowledged");
  };
  auto start = [&] {
    in_flight = batcher.take();
    in_flight_generation = generation;
    running = std::async(std::launch::async, [&engine, events = in_flight.events] { return engine.process(events); });
  };
  auto busy = [&] { return running.valid(); };
  auto finished = [&] { return running.valid() && running.wait_for(std::chrono::seconds(0)) == std::future_status::ready; };

  if (!connect()) return stop_signal == SIGINT ? 130 : 143;
  while (!stop_signal) {
    if (finished()) settle();
    const auto now = coalescer::clock::now();
    // A batch as large as the prefetch gets no more messages until it is acked: go at once.
    const bool full = batcher.size() >= static_cast<std::size_t>(o.prefetch);
    if (!busy() && !batcher.empty() && (batcher.due(now) || full) && now >= retry_at) {
      start();
      continue;
    }
    auto wait = std::chrono::milliseconds(busy() ? 20 : 500);  // wake up to notice signals and finished work
    if (!busy() && !batcher.empty()) {
      const auto due = std::max(batcher.deadline(), retry_at);
      wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(due - now), std::chrono::milliseconds(1), wait);
    }
    auto got = consumer.next(wait);
    if (!got) {
      ops_state->broker_connected = false;
      ops_state->m.set("linemgr_broker_connected", 0);
      // Delivery tags die with the connection: the broker redelivers what was not acked.
      const std::size_t dropped = batcher.take().events.size();
      log_warn("{}; {} unacknowledged messages will be redelivered", got.err().message.c_str(), dropped);
      if (busy()) settle();  // finish the batch under way; its tags are void now
      if (!connect()) break;
      continue;
    }
    if (!*got) continue;
    const amqp_delivery& d = **got;
    ++t.lines;
    ops_state->m.add("linemgr_events_received_total", 1, "routing_key", d.routing_key);
    auto parsed = parse_event_body(d.routing_key, d.body);
    if (!parsed) {
      ++t.malformed;
      ops_state->m.add("linemgr_events_failed_total", 1, "routing_key", d.routing_key);
      ops_state->m.add("linemgr_events_dead_lettered_total", 1, "routing_key", d.routing_key);
      log_warn("delivery {} ({}): {}; rejected to the dead-letter exchange",
                   static_cast<unsigned long long>(d.tag), d.routing_key.c_str(), parsed.err().message.c_str());
      consumer.reject(d.tag, false);
      continue;
    }
    if (!*parsed) {
      ++t.ignored;
      consumer.ack(d.tag);
      continue;
    }
    ++t.events;
    batcher.add(std::move(**parsed), d.tag, coalescer::clock::now());
  }
  // Stopping: finish what was received, acknowledge it, close.
  if (busy()) settle();
  if (!batcher.empty() && consumer.connected()) {
    start();
    settle();
  }
  consumer.close();
  ops_state->broker_connected = false;
  if (!o.write_snapshot.empty()) take(write_file_atomically(o.write_snapshot, snapshot_to_json(engine.current())));
  print(summary(t, wants_json(o.format)));
  if (stop_signal) return stop_signal == SIGINT ? 130 : 143;
  return 0;
}

int listen_mo_events(const listen_options& o, reconciler& engine) {
  os2mo_connection& mo = *engine.connection();
  auto pause = [](std::chrono::milliseconds d) {
    for (auto until = coalescer::clock::now() + d; coalescer::clock::now() < until && !stop_signal;)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  for (int attempt = 0;; ++attempt) {
    auto declared = mo.declare_listeners(o.listener_prefix);
    if (declared) break;
    if (declared.err().kind != error_kind::unavailable || attempt >= 9 || stop_signal) throw failure{declared.err()};
    pause(std::chrono::milliseconds(std::min(30000, 500 << attempt)));
  }
  log_info("fetching OS2mo events as listeners {}_*", o.listener_prefix.c_str());
  coalescer batcher{std::chrono::milliseconds(o.coalesce_ms)};
  std::vector<std::string> tokens;
  totals t;
  auto idle = std::chrono::milliseconds(50);

  // Acknowledges a batch's events after its changes are applied. When it fails they are not
  // acknowledged, and OS2mo hands them out again later.
  auto flush = [&] {
    const coalescer::batch b = batcher.take();
    const batch_outcome out = engine.process(b.events);
    if (out.fatal) {
      log_warn("{}; {} events are left unacknowledged for OS2mo to hand out again", out.fatal->message.c_str(),
                   b.events.size());
      pause(std::chrono::milliseconds(2000));
    } else {
      for (std::uint64_t tag : b.tags)
        if (auto a = mo.acknowledge(tokens[tag]); !a)
          log_warn("acknowledging an event failed ({}); it will be handled again", a.err().message.c_str());
      t.add(out, "; acknowledged");
    }
    tokens.clear();
  };

  while (!stop_signal) {
    if (batcher.due(coalescer::clock::now())) {
      flush();
      continue;
    }
    auto got = mo.fetch_event();
    if (!got) {
      if (got.err().kind != error_kind::unavailable) throw failure{got.err()};
      log_warn("{}; fetching again shortly", got.err().message.c_str());
      pause(std::chrono::milliseconds(2000));
      continue;
    }
    if (!*got) {  // nothing ready: back off (up to 2 s), but not past a pending batch's deadline
      auto wait = idle;
      if (!batcher.empty())
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(batcher.deadline() - coalescer::clock::now()) +
                                  std::chrono::milliseconds(1));
      pause(std::max(wait, std::chrono::milliseconds(1)));
      idle = std::min(idle * 2, std::chrono::milliseconds(2000));
      continue;
    }
    idle = std::chrono::milliseconds(50);
    ++t.lines;
    ++t.events;
    ops_state->m.add("linemgr_events_received_total", 1, "routing_key", routing_key_of((*got)->what.kind));
    tokens.push_back((*got)->token);
    batcher.add((*got)->what, tokens.size() - 1, coalescer::clock::now());
  }
  if (!batcher.empty()) flush();
  print(summary(t, wants_json(o.format)));
  return stop_signal == SIGINT ? 130 : 143;
}

}  // namespace linemgr::cli
