#include <linemgr/webhooks/delivery.hpp>

#include <linemgr/core/backoff.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include <fmt/format.h>

#include <linemgr/webhooks/address_guard_internal.hpp>
#include <linemgr/webhooks/signing.hpp>

#ifndef LINEMGR_VERSION
#define LINEMGR_VERSION "0"
#endif

namespace linemgr::webhooks {

using namespace linemgr::core;

namespace {

constexpr std::size_t response_head_bytes = 512;

// One request to one sink: the curl handle and what it needs to live as long as the transfer.
struct transfer {
  const webhook_sink* sink = nullptr;
  delivery_row row;
  CURL* handle = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* resolve = nullptr;
  std::string body, response_head;
  char message[CURL_ERROR_SIZE] = {0};

  transfer() = default;
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;
  ~transfer() {
    curl_easy_cleanup(handle);
    curl_slist_free_all(headers);
    curl_slist_free_all(resolve);
  }
};

std::size_t keep_head(char* data, std::size_t size, std::size_t count, void* out) {
  auto* head = static_cast<std::string*>(out);
  const std::size_t n = size * count;
  if (head->size() < response_head_bytes) head->append(data, std::min(n, response_head_bytes - head->size()));
  return n;  // the rest is read and dropped
}

// Prepares the request; an error when the target is refused or cannot be resolved.
result<std::unique_ptr<transfer>> prepare(const webhook_sink& sink, const std::string& id, const std::string& body,
                                          const std::string& content_type) {
  auto t = std::make_unique<transfer>();
  t->sink = &sink;
  t->body = body;
  const bool direct = sink.proxy == "none";
  // Through an explicit proxy the proxy resolves the sink's host and its egress policy is its
  // own, but the proxy itself is checked like a sink (it receives the secrets) and pinned.
  const bool explicit_proxy = sink.proxy != "env" && !direct;
  auto pinned = checked_resolve(explicit_proxy ? sink.proxy : sink.url, sink.allow_private_networks);
  if (!pinned) {
    if (explicit_proxy) return error{pinned.err().kind, "proxy " + pinned.err().message};
    return pinned.err();
  }
  if (!pinned->empty()) t->resolve = curl_slist_append(nullptr, pinned->c_str());
  CURL* h = t->handle = curl_easy_init();
  if (!h) return error{error_kind::unavailable, "cannot initialize libcurl"};
  const std::int64_t timestamp = now_ms() / 1000;
  std::vector<std::string> lines = {"Content-Type: " + content_type, "webhook-id: " + id,
                                    fmt::format("webhook-timestamp: {}", timestamp), "Expect:"};
  if (!sink.signing_keys.empty()) lines.push_back("webhook-signature: " + sign_webhook(sink.signing_keys, id, timestamp, body));
  for (const auto& [name, value] : sink.headers) lines.push_back(name + ": " + value);
  for (const auto& [name, value] : sink.secret_headers) lines.push_back(name + ": " + value);
  for (const std::string& line : lines) t->headers = curl_slist_append(t->headers, line.c_str());

  curl_easy_setopt(h, CURLOPT_URL, sink.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, std::string(method_name(sink.method)).c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, t->body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
  if (t->resolve) curl_easy_setopt(h, CURLOPT_RESOLVE, t->resolve);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "linemgr/" LINEMGR_VERSION);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, sink.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, sink.timeout_ms);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!sink.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, sink.ca_file.c_str());
  if (!sink.client_cert.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, sink.client_cert.c_str());
  if (!sink.client_key.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, sink.client_key.c_str());
  if (direct) curl_easy_setopt(h, CURLOPT_PROXY, "");
  else if (sink.proxy != "env") curl_easy_setopt(h, CURLOPT_PROXY, sink.proxy.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_head);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t->response_head);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->message);
  return t;
}

attempt_outcome outcome_of(transfer& t, CURLcode code) {
  attempt_outcome a;
  double seconds = 0;
  curl_easy_getinfo(t.handle, CURLINFO_TOTAL_TIME, &seconds);
  a.elapsed_ms = static_cast<long>(seconds * 1000);
  if (code != CURLE_OK) {
    a.error = t.message[0] ? t.message : curl_easy_strerror(code);
    return a;
  }
  long status = 0;
  curl_easy_getinfo(t.handle, CURLINFO_RESPONSE_CODE, &status);
  a.status = static_cast<int>(status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(t.handle, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
    a.retry_after_s = static_cast<long>(retry_after);
  if (status < 200 || status > 299) {
    std::string head = t.response_head;
    for (char& c : head)
      if (c == '\n' || c == '\r') c = ' ';
    a.error = status >= 300 && status < 400 ? fmt::format("HTTP {} (redirects are not followed)", status)
                                            : fmt::format("HTTP {}{}{}", status, head.empty() ? "" : ": ", head);
  }
  return a;
}

// The outbox and the log side of a delivery pass.
class pass {
 public:
  pass(outbox& box, const delivery_log& log) : box_(box), log_(log) {}

  status settle(transfer& t, const attempt_outcome& a, delivery_summary& sum) {
    const std::int64_t now = now_ms();
    const std::string what = fmt::format("webhook {}: {} {} (attempt {})", t.sink->name, t.row.type, t.row.notice_id, t.row.attempts);
    const verdict v = judge(a, now - t.row.created_ms, t.sink->max_age_s);
    auto& counted = sum.attempts[t.sink->name];
    ++counted.attempts;
    if (v != verdict::delivered) ++counted.failures;
    switch (v) {
      case verdict::delivered:
        ++sum.delivered;  // counted in the summary, not logged one by one
        sum.latency_s.push_back(static_cast<double>(std::max<std::int64_t>(0, now - t.row.created_ms)) / 1000.0);
        return box_.mark_delivered(t.row.id, *a.status, now);
      case verdict::disable_sink: {
        ++sum.dead;
        log(fmt::format("{}: HTTP 410 Gone: the sink is disabled until its URL changes or a delivery is replayed", what));
        if (auto r = box_.disable_sink(t.sink->name, t.sink->url, "HTTP 410 Gone", now); !r) return r;
        return box_.mark_dead(t.row.id, a.status, "HTTP 410 Gone: sink disabled");
      }
      case verdict::dead:
        ++sum.dead;
        log(fmt::format("{}: {}; dead after {} h of failures (replay it with linemgr webhooks replay {})", what, a.error,
                        t.sink->max_age_s / 3600, t.row.id));
        return box_.mark_dead(t.row.id, a.status, a.error);
      case verdict::retry: {
        ++sum.failed;
        const std::int64_t delay = retry_delay_ms(t.row.attempts, a.retry_after_s, jitter_(random_));
        auto& trouble = sum.trouble[t.sink->name];  // summed up per pass, not a line per notice
        ++trouble.attempts;
        trouble.last_error = a.error;
        return box_.mark_failed(t.row.id, a.status, a.error, now + delay);
      }
    }
    return {};
  }

  void log(const std::string& line) const {
    if (log_) log_(line);
  }

 private:
  outbox& box_;
  const delivery_log& log_;
  std::mt19937_64 random_{std::random_device{}()};
  std::uniform_real_distribution<double> jitter_{0.0, 1.0};
};

}  // namespace

std::string trouble_text(const delivery_summary& sum) {
  std::string out;
  for (const auto& [sink, t] : sum.trouble)
    out += fmt::format("{}{}: {} attempt{} failed, the last: {}", out.empty() ? "" : "; ", sink, t.attempts, t.attempts == 1 ? "" : "s",
                       t.last_error);
  return out;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

verdict judge(const attempt_outcome& a, std::int64_t age_ms, std::int64_t max_age_s) {
  if (a.status && *a.status >= 200 && *a.status <= 299) return verdict::delivered;
  if (a.status && *a.status == 410) return verdict::disable_sink;
  if (age_ms >= max_age_s * 1000) return verdict::dead;
  return verdict::retry;
}

std::int64_t retry_delay_ms(int attempts, std::optional<long> retry_after_s, double unit_random) {
  const backoff_policy policy{std::chrono::seconds(2), std::chrono::hours(1)};
  const std::int64_t delay = policy.delay(attempts - 1, unit_random).count();
  if (retry_after_s) return std::max<std::int64_t>(delay, std::min<std::int64_t>(*retry_after_s, 24 * 3600) * 1000);
  return delay;
}

result<delivery_summary> deliver_due(outbox& box, const webhook_settings& settings, std::int64_t deadline_ms,
                                     const delivery_log& log, const std::atomic<bool>* stop, bool hard_deadline) {
  delivery_summary sum;
  pass p(box, log);
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(), curl_multi_cleanup);
  if (!multi) return error{error_kind::unavailable, "cannot initialize libcurl"};
  std::map<const webhook_sink*, std::unique_ptr<transfer>> in_flight;
  std::vector<std::string> names;
  for (const webhook_sink& s : settings.sinks) names.push_back(s.name);
  auto stopped = [&] { return stop && stop->load(); };
  if (auto r = box.release_interrupted(now_ms()); !r) return r.err();

  for (;;) {
    const std::int64_t now = now_ms();
    const bool accepting = now < deadline_ms && !stopped();
    if (!accepting && (hard_deadline || in_flight.empty())) break;
    // Start one transfer per idle, enabled sink that has something due.
    for (const webhook_sink& s : settings.sinks) {
      if (!accepting || !s.enabled || in_flight.count(&s)) continue;
      auto disabled = box.disabled_reason(s.name, s.url);
      if (!disabled) return disabled.err();
      if (*disabled) continue;
      for (;;) {  // a row whose target is refused is settled at once; take the next
        auto claimed = box.claim(s.name, now, now + s.timeout_ms + 5000);
        if (!claimed) return claimed.err();
        if (!*claimed) break;
        auto t = prepare(s, (*claimed)->notice_id, (*claimed)->body, (*claimed)->content_type);
        if (!t) {
          transfer failed;
          failed.sink = &s;
          failed.row = std::move(**claimed);
          attempt_outcome a;
          a.error = t.err().message;
          if (auto r = p.settle(failed, a, sum); !r) return r.err();
          continue;
        }
        (*t)->row = std::move(**claimed);
        curl_multi_add_handle(multi.get(), (*t)->handle);
        in_flight[&s] = std::move(*t);
        break;
      }
    }
    if (in_flight.empty()) {
      if (!accepting) break;
      auto due = box.next_due(names);
      if (!due) return due.err();
      if (!*due || **due >= deadline_ms) break;
      const std::int64_t wait = std::clamp<std::int64_t>(**due - now_ms(), 1, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      continue;
    }
    int running = 0;
    curl_multi_perform(multi.get(), &running);
    bool finished_any = false;
    while (CURLMsg* m = [&] {
      int left = 0;
      return curl_multi_info_read(multi.get(), &left);
    }()) {
      if (m->msg != CURLMSG_DONE) continue;
      auto it = std::find_if(in_flight.begin(), in_flight.end(), [&](const auto& kv) { return kv.second->handle == m->easy_handle; });
      if (it == in_flight.end()) continue;
      const CURLcode code = m->data.result;
      curl_multi_remove_handle(multi.get(), it->second->handle);
      const attempt_outcome a = outcome_of(*it->second, code);
      if (auto r = p.settle(*it->second, a, sum); !r) return r.err();
      in_flight.erase(it);
      finished_any = true;
    }
    if (!finished_any && !in_flight.empty()) {  // after a completion, start that sink's next one first
      const auto wait = static_cast<int>(accepting ? std::clamp<std::int64_t>(deadline_ms - now_ms(), 0, 200) : 200);
      curl_multi_poll(multi.get(), nullptr, 0, wait, nullptr);
    }
  }
  // Transfers cut off by a hard deadline go back as they were (sent again later, same webhook-id).
  for (auto& [sink, t] : in_flight) {
    curl_multi_remove_handle(multi.get(), t->handle);
    p.log(fmt::format("webhook {}: {} {}: not finished before the flush timeout; left for the next run", sink->name, t->row.type,
                      t->row.notice_id));
    if (auto r = box.release(t->row.id, now_ms()); !r) return r.err();
  }
  auto counts = box.counts();
  if (!counts) return counts.err();
  for (const sink_counts& c : *counts)
    if (settings.find(c.sink)) sum.waiting += c.pending + c.failed;
  return sum;
}

attempt_outcome send_now(const webhook_sink& sink, const std::string& id, const std::string& body) {
  auto t = prepare(sink, id, body, sink.content_type);
  if (!t) {
    attempt_outcome a;
    a.error = t.err().message;
    return a;
  }
  const CURLcode code = curl_easy_perform((*t)->handle);
  return outcome_of(**t, code);
}

}  // namespace linemgr::webhooks
