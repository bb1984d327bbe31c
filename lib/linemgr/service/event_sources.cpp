#include <linemgr/service/event_sources.hpp>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <fmt/format.h>

#include <linemgr/io/event_parse.hpp>

namespace linemgr::service {

using namespace linemgr::io;

namespace {

using clock = std::chrono::steady_clock;

int poll_timeout(clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60000));
}

}  // namespace

// ---- line_source ----

line_source::line_source(int fd, std::string name, std::size_t max_line) : fd_(fd), name_(std::move(name)), max_line_(max_line) {}

std::optional<message> line_source::take_line(std::string line) {
  ++lines_;
  const bool too_long = skipping_;
  skipping_ = false;
  if (!too_long && line.find_first_not_of(" \t\r") == std::string::npos) return std::nullopt;  // blank lines are skipped
  message m;
  m.tag = lines_;
  m.where = fmt::format("{} line {}", name_, lines_);
  if (too_long) {
    m.parsed = error{error_kind::data, fmt::format("longer than {} bytes", max_line_)};
    return m;
  }
  m.parsed = parse_event_line(line);
  if (m.parsed && *m.parsed) m.routing_key = std::string(routing_key_of((*m.parsed)->kind));
  return m;
}

result<std::optional<message>> line_source::next(clock::time_point deadline) {
  for (;;) {
    if (const auto nl = buffer_.find('\n', scanned_); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      scanned_ = 0;
      if (auto m = take_line(std::move(line))) return m;
      continue;
    }
    scanned_ = buffer_.size();
    if (buffer_.size() > max_line_) {  // keep reading to the newline, but not the line itself
      skipping_ = true;
      buffer_.clear();
      scanned_ = 0;
    }
    if (eof_) {
      if (buffer_.empty()) return std::optional<message>();
      std::string line = std::move(buffer_);
      buffer_.clear();
      scanned_ = 0;
      if (auto m = take_line(std::move(line))) return m;
      return std::optional<message>();
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, poll_timeout(deadline));
    if (ready < 0) {
      if (errno == EINTR) return std::optional<message>();
      return error{error_kind::io, fmt::format("{}: cannot poll", name_)};
    }
    if (ready == 0) return std::optional<message>();
    char chunk[65536];
    const ssize_t got = ::read(fd_, chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) return std::optional<message>();
      return error{error_kind::io, fmt::format("{}: read error", name_)};
    }
    if (got == 0) eof_ = true;
    buffer_.append(chunk, static_cast<std::size_t>(got));
    // A writer that never stops (and never ends its line) must not keep the caller from its stop
    // token: past the deadline, return and be called again.
    if (!eof_ && clock::now() >= deadline && buffer_.find('\n', scanned_) == std::string::npos) return std::optional<message>();
  }
}

// ---- amqp_source ----

amqp_source::amqp_source(amqp_settings settings) : consumer_(std::move(settings)) {}

status amqp_source::connect() { return consumer_.connect(); }

std::string amqp_source::connected_as() const {
  return fmt::format("consuming queue {} on {}:{}", consumer_.settings().queue, consumer_.settings().host, consumer_.settings().port);
}

when_exhausted amqp_source::exhausted() const {
  return consumer_.settings().dead_letter_exchange.empty() ? when_exhausted::keep_trying : when_exhausted::dead_letter;
}

result<std::optional<message>> amqp_source::next(clock::time_point deadline) {
  auto got = consumer_.next(std::chrono::milliseconds(std::max(poll_timeout(deadline), 1)));
  if (!got) return got.err();
  if (!*got) return std::optional<message>();
  const amqp_delivery& d = **got;
  message m;
  m.tag = d.tag;
  m.routing_key = d.routing_key;
  m.where = fmt::format("delivery {} ({})", d.tag, d.routing_key);
  m.parsed = parse_event_body(d.routing_key, d.body);
  return std::optional(std::move(m));
}

// ---- os2mo_event_source ----

os2mo_event_source::os2mo_event_source(os2mo_settings settings, std::string prefix, std::unique_ptr<http_transport> transport)
    : mo_(std::move(settings), std::move(transport)), prefix_(std::move(prefix)) {}

result<std::optional<message>> os2mo_event_source::next(clock::time_point deadline) {
  // Nothing was ready a moment ago: wait (up to 2 s between fetches), but not past the deadline.
  if (const auto now = clock::now(); now < next_fetch_) {
    std::this_thread::sleep_until(std::min(next_fetch_, deadline));
    if (clock::now() < next_fetch_) return std::optional<message>();
  }
  auto got = mo_.fetch_event();
  if (!got) return got.err();
  if (!*got) {
    next_fetch_ = clock::now() + idle_;
    idle_ = std::min(idle_ * 2, std::chrono::milliseconds(2000));
    return std::optional<message>();
  }
  idle_ = std::chrono::milliseconds(50);
  message m;
  m.tag = ++next_tag_;
  m.routing_key = std::string(routing_key_of((*got)->what.kind));
  m.where = fmt::format("OS2mo event {} ({})", (*got)->what.subject, m.routing_key);
  m.parsed = std::optional<event>((*got)->what);
  tokens_[m.tag] = std::move((*got)->token);
  return std::optional(std::move(m));
}

status os2mo_event_source::ack(std::uint64_t tag) {
  const auto it = tokens_.find(tag);
  if (it == tokens_.end()) return {};
  auto acked = mo_.acknowledge(it->second);
  tokens_.erase(it);
  return acked;
}

status os2mo_event_source::reject(std::uint64_t tag) {
  tokens_.erase(tag);  // left unacknowledged: OS2mo hands it out again later
  return {};
}

}  // namespace linemgr::service
