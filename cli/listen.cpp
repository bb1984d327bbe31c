// listen --source stdin: JSON Lines until EOF; batches by --coalesce; a summary at the end.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"
#include "io/event_parse.hpp"
#include "io/snapshot_file.hpp"
#include "reconciler.hpp"

namespace linemgr::cli {

namespace {

volatile std::sig_atomic_t stop_signal = 0;
void on_signal(int sig) { stop_signal = sig; }

// Totals over a run.
struct totals {
  std::size_t lines = 0, events = 0, malformed = 0, ignored = 0, batches = 0, units = 0, changes = 0, ok = 0, failed = 0,
              stale = 0;
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

int listen(const listen_options& o) {
  if (o.from != "stdin") usage(fmt::format("--source {}: this build reads events from stdin only", o.from));
  if (o.dry_run && !o.write_snapshot.empty()) usage("--write-snapshot writes the applied changes; leave out --dry-run");
  if (!o.source.snapshot.empty() && o.source.snapshot == "-") usage("--snapshot -: standard input carries the events");
  loaded source = open_source(o.source);
  const bool today_given = !o.source.today.empty();
  if (!source.mo) {
    source.snap = take(read_snapshot_file(o.source.snapshot));
    if (!today_given && source.snap.today) source.today = *source.snap.today;
  }
  reconciler engine(std::move(source), o.dry_run, today_given);
  coalescer batcher{std::chrono::milliseconds(o.coalesce_ms)};

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  totals t;
  auto flush = [&] {
    const coalescer::batch b = batcher.take();
    batch_outcome out;
    for (int attempt = 0;; ++attempt) {  // OS2mo unreachable: back off and try the batch again
      out = engine.process(b.events);
      if (!out.fatal) break;
      if (attempt >= 9 || stop_signal) throw failure{*out.fatal};
      const auto wait = std::chrono::milliseconds(std::min(30000, 500 << attempt));
      std::fprintf(stderr, "linemgr: %s; retrying the batch in %lld ms\n", out.fatal->message.c_str(),
                   static_cast<long long>(wait.count()));
      std::this_thread::sleep_for(wait);
    }
    ++t.batches;
    t.units += out.units;
    t.changes += out.changes;
    t.ok += out.ok;
    t.failed += out.failed;
    t.stale += out.stale;
    std::fprintf(stderr, "linemgr: %zu events -> %zu units, %zu changes (%zu applied, %zu failed, %zu stale)\n", out.events,
                 out.units, out.changes, out.ok, out.failed, out.stale);
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
      std::fprintf(stderr, "linemgr: stdin line %zu: %s; skipped\n", t.lines, parsed.err().message.c_str());
      continue;
    }
    if (!*parsed) {
      ++t.ignored;
      continue;
    }
    ++t.events;
    batcher.add(std::move(**parsed), t.lines, coalescer::clock::now());
  }
  if (!batcher.empty()) flush();  // drain
  if (!o.write_snapshot.empty()) take(write_file_atomically(o.write_snapshot, snapshot_to_json(engine.current())));
  print(summary(t, wants_json(o.format)));
  if (stop_signal) return stop_signal == SIGINT ? 130 : 143;
  return t.failed || t.stale ? 1 : 0;
}

}  // namespace linemgr::cli
