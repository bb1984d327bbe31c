#include <linemgr/webhooks/outbox.hpp>

#include <fcntl.h>
#include <openssl/sha.h>

#include <cstring>

#include <sqlite3.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <set>

#include <fmt/format.h>

namespace linemgr::webhooks {

namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS notice (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  time TEXT NOT NULL,
  envelope TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery (
  id INTEGER PRIMARY KEY,
  notice_id TEXT NOT NULL REFERENCES notice(id),
  sink TEXT NOT NULL,
  state TEXT NOT NULL,
  body BLOB NOT NULL,
  content_type TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  lease_until_ms INTEGER,
  lease_pid INTEGER,
  last_status INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  delivered_ms INTEGER,
  UNIQUE (notice_id, sink)
);
CREATE INDEX IF NOT EXISTS delivery_due ON delivery (sink, state, next_attempt_ms);
CREATE TABLE IF NOT EXISTS disabled_sink (
  sink TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  reason TEXT NOT NULL,
  disabled_ms INTEGER NOT NULL
);
PRAGMA user_version = 1;
)sql";

// One prepared statement, finalized when it goes out of scope.
class statement {
 public:
  statement(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::int64_t v) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  statement& bind(int i, const std::string& v) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  statement& bind_blob(int i, const std::string& v) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  statement& bind(int i, std::optional<int> v) {
    if (rc_ == SQLITE_OK) rc_ = v ? sqlite3_bind_int64(stmt_, i, *v) : sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Steps once: true for a row, false when done; an error when SQLite fails.
  result<bool> step() {
    if (rc_ != SQLITE_OK) return failure();
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    rc_ = rc;
    return failure();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  error failure() const { return error{error_kind::io, fmt::format("webhook outbox: {}", sqlite3_errmsg(db_))}; }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

// A statement that was stepped for its effect: success or its error.
status finished(const result<bool>& stepped) {
  if (!stepped) return stepped.err();
  return {};
}

constexpr const char* row_columns =
    "d.id, d.notice_id, n.type, d.sink, d.state, d.body, d.content_type, d.attempts, d.created_ms, d.next_attempt_ms, "
    "d.last_status, d.last_error, d.delivered_ms";

delivery_row read_row(const statement& s) {
  delivery_row r;
  r.id = s.integer(0);
  r.notice_id = s.text(1);
  r.type = s.text(2);
  r.sink = s.text(3);
  r.state = parse_delivery_state(s.text(4)).value_or(delivery_state::failed);
  r.body = s.text(5);
  r.content_type = s.text(6);
  r.attempts = static_cast<int>(s.integer(7));
  r.created_ms = s.integer(8);
  r.next_attempt_ms = s.integer(9);
  if (!s.is_null(10)) r.last_status = static_cast<int>(s.integer(10));
  r.last_error = s.text(11);
  if (!s.is_null(12)) r.delivered_ms = s.integer(12);
  return r;
}

bool process_runs(std::int64_t pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace

std::string_view delivery_state_name(delivery_state s) {
  switch (s) {
    case delivery_state::held: return "held";
    case delivery_state::pending: return "pending";
    case delivery_state::failed: return "failed";
    case delivery_state::delivering: return "delivering";
    case delivery_state::delivered: return "delivered";
    case delivery_state::dead: return "dead";
  }
  return "failed";
}

std::optional<delivery_state> parse_delivery_state(std::string_view name) {
  for (auto s : {delivery_state::held, delivery_state::pending, delivery_state::failed, delivery_state::delivering, delivery_state::delivered,
                 delivery_state::dead})
    if (delivery_state_name(s) == name) return s;
  return std::nullopt;
}

outbox::outbox(sqlite3* db) : db_(db) {}
outbox::outbox(outbox&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
outbox& outbox::operator=(outbox&& o) noexcept {
  std::swap(db_, o.db_);
  return *this;
}
outbox::~outbox() { sqlite3_close_v2(db_); }

namespace {

// What the outbox keeps of a URL: its SHA-256, enough to see that it changed, nothing to read back.
std::string url_digest(const std::string& url) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(url.data()), url.size(), digest);
  std::string out = "sha256:";
  for (const unsigned char b : digest) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace

result<outbox> outbox::open(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) return error{error_kind::io, fmt::format("{}: cannot create the outbox's directory: {}", dir.string(), ec.message())};
  // Created private (its -wal and -shm files take its mode), never through a planted link.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600); fd >= 0)
    ::close(fd);
  else
    return error{error_kind::io, fmt::format("{}: cannot open the webhook outbox: {}", path, std::strerror(errno))};
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    error e{error_kind::io, fmt::format("{}: cannot open the webhook outbox: {}", path, db ? sqlite3_errmsg(db) : "out of memory")};
    sqlite3_close_v2(db);
    return e;
  }
  outbox box(db);
  sqlite3_busy_timeout(db, 10000);
  // Outboxes of earlier versions kept a disabled sink's URL (which may hold a secret): forget them.
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", schema,
                          "DELETE FROM disabled_sink WHERE url NOT LIKE 'sha256:%'"})
    if (auto r = box.exec(sql); !r) return error{error_kind::io, fmt::format("{}: {}", path, r.err().message)};
  return box;
}

status outbox::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    error e{error_kind::io, fmt::format("webhook outbox: {}", message ? message : sqlite3_errmsg(db_))};
    sqlite3_free(message);
    return e;
  }
  return {};
}

result<std::size_t> outbox::in_transaction(const std::function<result<std::size_t>()>& work) {
  // Notices are written with a full sync: once committed, they survive a power cut. Delivery
  // bookkeeping outside these transactions syncs less (WAL, NORMAL): a lost "delivered" mark
  // means one more delivery of the same webhook-id, which at-least-once allows.
  if (auto r = exec("PRAGMA synchronous=FULL"); !r) return r.err();
  auto n = [&]() -> result<std::size_t> {
    if (auto r = exec("BEGIN IMMEDIATE"); !r) return r.err();
    auto done = work();
    if (!done) {
      (void)exec("ROLLBACK");  // the work's error is the one to report
      return done;
    }
    if (auto r = exec("COMMIT"); !r) {
      (void)exec("ROLLBACK");  // the commit's error is the one to report
      return r.err();
    }
    return done;
  }();
  (void)exec("PRAGMA synchronous=NORMAL");  // failing, the connection keeps the safer FULL
  return n;
}

result<std::size_t> outbox::insert(const std::vector<outbox_item>& items, std::int64_t now_ms, bool held) {
  std::size_t added = 0;
  for (const outbox_item& item : items) {
    statement n(db_, "INSERT OR IGNORE INTO notice (id, type, time, envelope, created_ms) VALUES (?, ?, ?, ?, ?)");
    n.bind(1, item.notice_id).bind(2, item.type).bind(3, item.time).bind(4, item.envelope).bind(5, now_ms);
    if (auto r = n.step(); !r) return r.err();
    if (sqlite3_changes(db_) == 0) continue;  // announced before
    for (const auto& d : item.deliveries) {
      statement s(db_,
                  "INSERT OR IGNORE INTO delivery (notice_id, sink, state, body, content_type, created_ms, next_attempt_ms, "
                  "lease_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      s.bind(1, item.notice_id).bind(2, d.sink).bind(3, std::string(held ? "held" : "pending")).bind_blob(4, d.body);
      s.bind(5, d.content_type).bind(6, now_ms).bind(7, now_ms);
      held ? s.bind(8, static_cast<std::int64_t>(::getpid())) : s.bind(8, std::optional<int>());
      if (auto r = s.step(); !r) return r.err();
      added += static_cast<std::size_t>(sqlite3_changes(db_));
    }
  }
  return added;
}

result<std::size_t> outbox::enqueue(const std::vector<outbox_item>& items, std::int64_t now_ms) {
  if (items.empty()) return std::size_t{0};
  return in_transaction([&] { return insert(items, now_ms, false); });
}

result<std::size_t> outbox::hold(const std::vector<outbox_item>& items, std::int64_t now_ms) {
  if (items.empty()) return std::size_t{0};
  return in_transaction([&] { return insert(items, now_ms, true); });
}

result<std::size_t> outbox::commit_held(const std::vector<outbox_item>& items, const std::vector<std::string>& planned_ids,
                                        bool settle_orphans, std::int64_t now_ms) {
  return in_transaction([&]() -> result<std::size_t> {
    // Held notices of processes that ended while applying, and this process's own.
    std::vector<std::pair<std::string, std::int64_t>> held;
    {
      statement s(db_, "SELECT DISTINCT notice_id, lease_pid FROM delivery WHERE state = 'held'");
      for (;;) {
        auto more = s.step();
        if (!more) return more.err();
        if (!*more) break;
        held.emplace_back(s.text(0), s.integer(1));
      }
    }
    const std::set<std::string> planned(planned_ids.begin(), planned_ids.end());
    for (const auto& [id, pid] : held) {
      const bool mine = pid == ::getpid();
      if (!mine && process_runs(pid)) continue;  // another run is applying it now
      if (mine || planned.count(id)) {
        for (const char* sql : {"DELETE FROM delivery WHERE notice_id = ? AND state = 'held'",
                                "DELETE FROM notice WHERE id = ? AND NOT EXISTS (SELECT 1 FROM delivery WHERE notice_id = notice.id)"}) {
          statement d(db_, sql);
          d.bind(1, id);
          if (auto r = d.step(); !r) return r.err();
        }
      } else if (settle_orphans) {
        statement u(db_, "UPDATE delivery SET state = 'pending', lease_pid = NULL, next_attempt_ms = ?, "
                         "last_error = 'held by a run that ended while applying; its change is in effect' "
                         "WHERE notice_id = ? AND state = 'held'");
        u.bind(1, now_ms).bind(2, id);
        if (auto r = u.step(); !r) return r.err();
      }
    }
    return insert(items, now_ms, false);
  });
}

status outbox::release_interrupted(std::int64_t now_ms) {
  std::set<std::int64_t> gone;
  {
    statement s(db_, "SELECT DISTINCT lease_pid FROM delivery WHERE state = 'delivering'");
    for (;;) {
      auto more = s.step();
      if (!more) return more.err();
      if (!*more) break;
      const std::int64_t pid = s.integer(0);
      if (pid != ::getpid() && !process_runs(pid)) gone.insert(pid);
    }
  }
  for (const std::int64_t pid : gone) {
    statement s(db_,
                "UPDATE delivery SET state = 'failed', lease_until_ms = NULL, lease_pid = NULL, next_attempt_ms = ?, "
                "last_error = 'interrupted: the process delivering it ended' WHERE state = 'delivering' AND lease_pid = ?");
    s.bind(1, now_ms).bind(2, pid);
    if (auto r = s.step(); !r) return r.err();
  }
  return {};
}

result<std::optional<delivery_row>> outbox::claim(const std::string& sink, std::int64_t now_ms, std::int64_t lease_until_ms) {
  std::int64_t id = 0;
  {
    statement s(db_, "UPDATE delivery SET state = 'delivering', attempts = attempts + 1, lease_until_ms = ?, lease_pid = ? "
                     "WHERE id = (SELECT id FROM delivery WHERE sink = ? AND ((state IN ('pending', 'failed') AND "
                     "next_attempt_ms <= ?) OR (state = 'delivering' AND lease_until_ms < ?)) ORDER BY created_ms, id LIMIT 1) "
                     "RETURNING id");
    s.bind(1, lease_until_ms).bind(2, static_cast<std::int64_t>(::getpid())).bind(3, sink).bind(4, now_ms).bind(5, now_ms);
    auto got = s.step();
    if (!got) return got.err();
    if (!*got) return std::optional<delivery_row>();
    id = s.integer(0);
    if (auto done = s.step(); !done) return done.err();
  }
  statement s(db_, fmt::format("SELECT {} FROM delivery AS d JOIN notice AS n ON n.id = d.notice_id WHERE d.id = ?", row_columns).c_str());
  s.bind(1, id);
  auto got = s.step();
  if (!got) return got.err();
  if (!*got) return std::optional<delivery_row>();
  return std::optional(read_row(s));
}

result<std::optional<std::int64_t>> outbox::next_due(const std::vector<std::string>& sinks) {
  std::optional<std::int64_t> best;
  for (const std::string& sink : sinks) {
    statement s(db_,
                "SELECT MIN(CASE WHEN state = 'delivering' THEN lease_until_ms ELSE next_attempt_ms END) FROM delivery "
                "WHERE sink = ? AND state IN ('pending', 'failed', 'delivering')");
    s.bind(1, sink);
    auto got = s.step();
    if (!got) return got.err();
    if (*got && !s.is_null(0)) best = best ? std::min(*best, s.integer(0)) : s.integer(0);
  }
  return best;
}

status outbox::mark_delivered(std::int64_t id, int http_status, std::int64_t now_ms) {
  statement s(db_, "UPDATE delivery SET state = 'delivered', last_status = ?, last_error = '', delivered_ms = ?, "
                   "lease_until_ms = NULL, lease_pid = NULL WHERE id = ?");
  s.bind(1, std::optional(http_status)).bind(2, now_ms).bind(3, id);
  return finished(s.step());
}

status outbox::mark_failed(std::int64_t id, std::optional<int> http_status, const std::string& error, std::int64_t next_attempt_ms) {
  statement s(db_, "UPDATE delivery SET state = 'failed', last_status = ?, last_error = ?, next_attempt_ms = ?, "
                   "lease_until_ms = NULL, lease_pid = NULL WHERE id = ?");
  s.bind(1, http_status).bind(2, error).bind(3, next_attempt_ms).bind(4, id);
  return finished(s.step());
}

status outbox::mark_dead(std::int64_t id, std::optional<int> http_status, const std::string& error) {
  statement s(db_, "UPDATE delivery SET state = 'dead', last_status = ?, last_error = ?, lease_until_ms = NULL, lease_pid = NULL "
                   "WHERE id = ?");
  s.bind(1, http_status).bind(2, error).bind(3, id);
  return finished(s.step());
}

status outbox::release(std::int64_t id, std::int64_t now_ms) {
  statement s(db_, "UPDATE delivery SET state = CASE WHEN attempts <= 1 THEN 'pending' ELSE 'failed' END, "
                   "attempts = MAX(attempts - 1, 0), next_attempt_ms = ?, lease_until_ms = NULL, lease_pid = NULL "
                   "WHERE id = ? AND state = 'delivering'");
  s.bind(1, now_ms).bind(2, id);
  return finished(s.step());
}

status outbox::disable_sink(const std::string& sink, const std::string& url, const std::string& reason, std::int64_t now_ms) {
  statement s(db_, "INSERT OR REPLACE INTO disabled_sink (sink, url, reason, disabled_ms) VALUES (?, ?, ?, ?)");
  s.bind(1, sink).bind(2, url_digest(url)).bind(3, reason).bind(4, now_ms);
  return finished(s.step());
}

result<std::optional<std::string>> outbox::disabled_reason(const std::string& sink, const std::string& url) {
  statement s(db_, "SELECT reason FROM disabled_sink WHERE sink = ? AND url = ?");
  s.bind(1, sink).bind(2, url_digest(url));
  auto got = s.step();
  if (!got) return got.err();
  if (!*got) return std::optional<std::string>();
  return std::optional(s.text(0));
}

result<std::vector<delivery_row>> outbox::list(std::optional<delivery_state> state, std::size_t limit) {
  statement s(db_, fmt::format("SELECT {} FROM delivery AS d JOIN notice AS n ON n.id = d.notice_id "
                               "WHERE (?1 = '' OR d.state = ?1) ORDER BY d.id DESC LIMIT ?2",
                               row_columns)
                       .c_str());
  s.bind(1, state ? std::string(delivery_state_name(*state)) : std::string()).bind(2, static_cast<std::int64_t>(limit));
  std::vector<delivery_row> out;
  for (;;) {
    auto more = s.step();
    if (!more) return more.err();
    if (!*more) break;
    out.push_back(read_row(s));
  }
  return out;
}

result<std::vector<sink_counts>> outbox::counts() {
  statement s(db_, "SELECT sink, state, COUNT(*) FROM delivery GROUP BY sink, state ORDER BY sink");
  std::vector<sink_counts> out;
  for (;;) {
    auto more = s.step();
    if (!more) return more.err();
    if (!*more) break;
    const std::string sink = s.text(0);
    if (out.empty() || out.back().sink != sink) out.push_back({sink});
    const auto n = static_cast<std::size_t>(s.integer(2));
    switch (parse_delivery_state(s.text(1)).value_or(delivery_state::failed)) {
      case delivery_state::held: out.back().held = n; break;
      case delivery_state::pending: out.back().pending = n; break;
      case delivery_state::failed: out.back().failed = n; break;
      case delivery_state::delivering: out.back().delivering = n; break;
      case delivery_state::delivered: out.back().delivered = n; break;
      case delivery_state::dead: out.back().dead = n; break;
    }
  }
  return out;
}

result<std::size_t> outbox::replay(const std::string& id, std::int64_t now_ms) {
  return in_transaction([&]() -> result<std::size_t> {
    statement s(db_, "UPDATE delivery SET state = 'pending', next_attempt_ms = ?1, created_ms = ?1, lease_until_ms = NULL, "
                     "lease_pid = NULL WHERE (CAST(id AS TEXT) = ?2 OR notice_id = ?2) AND state NOT IN ('delivering', 'held') "
                     "RETURNING sink");
    s.bind(1, now_ms).bind(2, id);
    std::set<std::string> sinks;
    std::size_t n = 0;
    for (;;) {
      auto more = s.step();
      if (!more) return more.err();
      if (!*more) break;
      sinks.insert(s.text(0));
      ++n;
    }
    for (const std::string& sink : sinks) {
      statement d(db_, "DELETE FROM disabled_sink WHERE sink = ?");
      d.bind(1, sink);
      if (auto r = d.step(); !r) return r.err();
    }
    return n;
  });
}

}  // namespace linemgr::webhooks
