#pragma once
// The event sources listen reads: JSON Lines from a file descriptor (stdin), an AMQP queue, and
// OS2mo's GraphQL event system. An embedder can bring its own event_source.
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include <linemgr/amqp/consumer.hpp>
#include <linemgr/io/event_parse.hpp>
#include <linemgr/os2mo/os2mo.hpp>
#include <linemgr/service/listen.hpp>

namespace linemgr::service {

using namespace linemgr::os2mo;
using namespace linemgr::amqp;

// Events as JSON Lines (doc/formats.md §4) from a file descriptor, until its end. Nothing is
// acknowledged (a pipe cannot take anything back); a malformed line is skipped; a batch that
// keeps failing ends listen.
class line_source final : public event_source {
 public:
  // `name` starts log lines ("stdin" → "stdin line 3: …"). Lines longer than `max_line` bytes are
  // malformed (skipped).
  explicit line_source(int fd, std::string name = "stdin", std::size_t max_line = io::max_event_bytes);
  status connect() override { return {}; }
  result<std::optional<message>> next(std::chrono::steady_clock::time_point deadline) override;
  bool ended() const override { return eof_ && buffer_.empty(); }
  status ack(std::uint64_t) override { return {}; }
  status reject(std::uint64_t) override { return {}; }
  when_exhausted exhausted() const override { return when_exhausted::fail; }
  std::string rejected_as() const override { return "skipped"; }
  // Lines read so far, blank ones included.
  std::uint64_t lines() const { return lines_; }

 private:
  std::optional<message> take_line(std::string line);
  int fd_;
  std::string name_;
  std::size_t max_line_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // bytes of buffer_ known to hold no newline
  bool eof_ = false, skipping_ = false;
  std::uint64_t lines_ = 0;
};

// Events from an AMQP queue (rabbitmq-c). Malformed messages and batches that keep failing go to
// the queue's dead-letter exchange when it has one (else the batch keeps being retried).
class amqp_source final : public event_source {
 public:
  explicit amqp_source(amqp_settings settings);
  status connect() override;
  std::string connected_as() const override;
  result<std::optional<message>> next(std::chrono::steady_clock::time_point deadline) override;
  status ack(std::uint64_t tag) override { return consumer_.ack(tag); }
  status reject(std::uint64_t tag) override { return consumer_.reject(tag, false); }
  when_exhausted exhausted() const override;
  bool reconnect_redelivers() const override { return true; }
  std::string rejected_as() const override { return "rejected to the dead-letter exchange"; }
  void close() override { consumer_.close(); }

 private:
  amqp_consumer consumer_;
};

// Events from OS2mo's GraphQL event system: one listener per routing key, named
// `<prefix>_<routing key>`. An event not acknowledged comes back from OS2mo later.
class os2mo_event_source final : public event_source {
 public:
  // Uses its own connection: batches use theirs on another thread at the same time.
  os2mo_event_source(os2mo_settings settings, std::string prefix, std::unique_ptr<http_transport> transport = nullptr);
  status connect() override { return mo_.declare_listeners(prefix_); }
  std::string connected_as() const override { return "fetching OS2mo events as listeners " + prefix_ + "_*"; }
  result<std::optional<message>> next(std::chrono::steady_clock::time_point deadline) override;
  status ack(std::uint64_t tag) override;
  status reject(std::uint64_t tag) override;
  when_exhausted exhausted() const override { return when_exhausted::keep_trying; }

 private:
  os2mo_connection mo_;
  std::string prefix_;
  std::map<std::uint64_t, std::string> tokens_;  // tag -> the event's acknowledgement token
  std::uint64_t next_tag_ = 0;
  std::chrono::milliseconds idle_{50};  // the wait after an empty fetch, doubling to 2 s
  std::chrono::steady_clock::time_point next_fetch_{};
};

}  // namespace linemgr::service
