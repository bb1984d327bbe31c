#include <linemgr/amqp/consumer.hpp>

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <cstring>

#include <fmt/format.h>

#include <linemgr/core/events.hpp>

namespace linemgr::amqp {

using namespace linemgr::core;

namespace {

constexpr amqp_channel_t channel = 1;

std::string text(amqp_bytes_t b) { return {static_cast<const char*>(b.bytes), b.len}; }

// The error an RPC reply stands for; `what` names the step.
error reply_error(const amqp_rpc_reply_t& r, const std::string& what) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return {error_kind::unavailable, fmt::format("{}: {}", what, amqp_error_string2(r.library_error))};
    case AMQP_RESPONSE_SERVER_EXCEPTION: {
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD || r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const bool conn = r.reply.id == AMQP_CONNECTION_CLOSE_METHOD;
        const auto* m = static_cast<const amqp_channel_close_t*>(r.reply.decoded);
        const auto* cm = static_cast<const amqp_connection_close_t*>(r.reply.decoded);
        const int code = conn ? cm->reply_code : m->reply_code;
        const std::string reason = conn ? text(cm->reply_text) : text(m->reply_text);
        // 403 access refused, 404 not found, 406 precondition failed, 530 not allowed: fix the setup.
        const bool setup = code == 403 || code == 404 || code == 406 || code == 530;
        return {setup ? error_kind::config : error_kind::unavailable, fmt::format("{}: the broker said {} {}", what, code, reason)};
      }
      return {error_kind::unavailable, fmt::format("{}: unexpected broker method {:#x}", what, r.reply.id)};
    }
    default: return {error_kind::unavailable, fmt::format("{}: no reply from the broker", what)};
  }
}

amqp_table_entry_t utf8_entry(const char* key, const std::string& value) {
  amqp_table_entry_t e;
  e.key = amqp_cstring_bytes(key);
  e.value.kind = AMQP_FIELD_KIND_UTF8;
  e.value.value.bytes = amqp_bytes_t{value.size(), const_cast<char*>(value.data())};
  return e;
}

}  // namespace

struct amqp_consumer::state {
  amqp_connection_state_t conn = nullptr;
  bool open = false;
};

std::vector<std::string> bound_routing_keys() {
  std::vector<std::string> keys = {"org_unit", "engagement", "association", "ituser", "manager", "person"};
  for (const char* service : {"org_unit", "employee"})
    for (const char* object : {"org_unit", "engagement", "association", "it", "manager", "employee"})
      keys.push_back(fmt::format("{}.{}.*", service, object));
  return keys;
}

status parse_amqp_url(const std::string& url, amqp_settings& s) {
  std::string buffer = url;
  amqp_connection_info info{};
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK)
    return error{error_kind::config, "the AMQP URL is not amqp[s]://user:password@host:port/vhost"};
  s.host = info.host;
  s.port = info.port;
  s.username = info.user;
  s.password = info.password;
  // amqp://host:5672/ names the default vhost "/", as the Python integrations (aio-pika) read it.
  s.vhost = info.vhost && *info.vhost ? info.vhost : "/";
  s.tls = info.ssl != 0;
  return {};
}

amqp_consumer::amqp_consumer(amqp_settings settings) : settings_(std::move(settings)), state_(std::make_unique<state>()) {}

amqp_consumer::~amqp_consumer() { close(); }

bool amqp_consumer::connected() const { return state_->open; }

status amqp_consumer::connect() {
  close();
  const amqp_settings& s = settings_;
  state_->conn = amqp_new_connection();
  amqp_connection_state_t c = state_->conn;
  amqp_socket_t* socket = s.tls ? amqp_ssl_socket_new(c) : amqp_tcp_socket_new(c);
  if (!socket) return error{error_kind::unavailable, "cannot create a socket"};
  if (s.tls) {
    amqp_ssl_socket_set_verify_peer(socket, 1);
    amqp_ssl_socket_set_verify_hostname(socket, 1);
    if (!s.ca_file.empty() && amqp_ssl_socket_set_cacert(socket, s.ca_file.c_str()) != AMQP_STATUS_OK)
      return error{error_kind::config, fmt::format("{}: cannot read the CA file", s.ca_file)};
  }
  timeval timeout{5, 0};
  if (const int rc = amqp_socket_open_noblock(socket, s.host.c_str(), s.port, &timeout); rc != AMQP_STATUS_OK) {
    // A certificate that does not verify will not verify on the next attempt either.
    const bool trust = rc == AMQP_STATUS_SSL_PEER_VERIFY_FAILED || rc == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED;
    return error{trust ? error_kind::config : error_kind::unavailable,
                 fmt::format("AMQP broker {}:{}: {}{}", s.host, s.port, amqp_error_string2(rc), trust ? " (check --amqp-ca-file)" : "")};
  }
  amqp_rpc_reply_t r = amqp_login(c, s.vhost.c_str(), 0, 131072, s.heartbeat_s, AMQP_SASL_METHOD_PLAIN, s.username.c_str(),
                                  s.password.c_str());
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    error e = reply_error(r, fmt::format("AMQP login as {} to {}:{} vhost {}", s.username, s.host, s.port, s.vhost));
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_CONNECTION_CLOSED) e.kind = error_kind::config;
    return e;
  }
  state_->open = true;
  amqp_channel_open(c, channel);
  if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "opening the AMQP channel");

  const amqp_bytes_t queue = amqp_cstring_bytes(s.queue.c_str());
  if (s.declare) {
    const std::string dead = s.exchange + ".linemgr.dead";
    amqp_exchange_declare(c, channel, amqp_cstring_bytes(s.exchange.c_str()), amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
    if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "declaring exchange " + s.exchange);
    amqp_exchange_declare(c, channel, amqp_cstring_bytes(dead.c_str()), amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
    if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "declaring exchange " + dead);
    const std::string quorum = "quorum";
    const std::string dead_queue = s.queue + ".dead";
    amqp_table_entry_t dead_entries[] = {utf8_entry("x-queue-type", quorum)};
    amqp_queue_declare(c, channel, amqp_cstring_bytes(dead_queue.c_str()), 0, 1, 0, 0, amqp_table_t{1, dead_entries});
    if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "declaring queue " + dead_queue);
    amqp_queue_bind(c, channel, amqp_cstring_bytes(dead_queue.c_str()), amqp_cstring_bytes(dead.c_str()), amqp_cstring_bytes(""),
                    amqp_empty_table);
    if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "binding queue " + dead_queue);
    // Single active consumer: of several listen processes on the queue, one consumes at a time
    // and another takes over when it goes away, so no two apply changes at once.
    amqp_table_entry_t single;
    single.key = amqp_cstring_bytes("x-single-active-consumer");
    single.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    single.value.value.boolean = 1;
    amqp_table_entry_t entries[] = {utf8_entry("x-queue-type", quorum), utf8_entry("x-dead-letter-exchange", dead), single};
    amqp_queue_declare(c, channel, queue, 0, 1, 0, 0, amqp_table_t{3, entries});
    if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "declaring queue " + s.queue);
    for (const std::string& key : bound_routing_keys()) {
      amqp_queue_bind(c, channel, queue, amqp_cstring_bytes(s.exchange.c_str()), amqp_cstring_bytes(key.c_str()), amqp_empty_table);
      if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "binding " + key);
    }
    settings_.dead_letter_exchange = dead;
  } else {
    amqp_queue_declare(c, channel, queue, 1, 0, 0, 0, amqp_empty_table);  // passive: it must exist
    if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "queue " + s.queue);
  }
  amqp_basic_qos(c, channel, 0, static_cast<std::uint16_t>(s.prefetch), 0);
  if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "setting the prefetch");
  amqp_basic_consume(c, channel, queue, amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  if (r = amqp_get_rpc_reply(c); r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "consuming " + s.queue);
  return {};
}

result<std::optional<amqp_delivery>> amqp_consumer::next(std::chrono::milliseconds timeout) {
  if (!state_->open) return error{error_kind::unavailable, "not connected"};
  amqp_connection_state_t c = state_->conn;
  amqp_maybe_release_buffers(c);
  amqp_envelope_t envelope;
  const auto ms = std::max<long long>(0, timeout.count());
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  const amqp_rpc_reply_t r = amqp_consume_message(c, &envelope, &tv, 0);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) {
    amqp_delivery d{envelope.delivery_tag, text(envelope.routing_key), text(envelope.message.body), envelope.redelivered != 0};
    amqp_destroy_envelope(&envelope);
    return std::optional<amqp_delivery>{std::move(d)};
  }
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) return std::optional<amqp_delivery>{};
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
    // Another frame came: a returned message, a cancel, or the broker closing channel or connection.
    amqp_frame_t frame;
    if (amqp_simple_wait_frame(c, &frame) != AMQP_STATUS_OK) {
      state_->open = false;
      return error{error_kind::unavailable, "the AMQP connection was lost"};
    }
    if (frame.frame_type == AMQP_FRAME_METHOD) {
      switch (frame.payload.method.id) {
        case AMQP_CHANNEL_CLOSE_METHOD:
        case AMQP_CONNECTION_CLOSE_METHOD:
        case AMQP_BASIC_CANCEL_METHOD: state_->open = false; return error{error_kind::unavailable, "the broker closed the consumer"};
        default: break;
      }
    }
    return std::optional<amqp_delivery>{};
  }
  state_->open = false;
  return error{error_kind::unavailable, fmt::format("the AMQP connection was lost: {}",
                                                    r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION ? amqp_error_string2(r.library_error)
                                                                                                     : "server exception")};
}

status amqp_consumer::ack(std::uint64_t tag) {
  if (!state_->open || amqp_basic_ack(state_->conn, channel, tag, 0) != AMQP_STATUS_OK) {
    state_->open = false;
    return error{error_kind::unavailable, "cannot acknowledge: the AMQP connection was lost"};
  }
  return {};
}

status amqp_consumer::reject(std::uint64_t tag, bool requeue) {
  if (!state_->open || amqp_basic_reject(state_->conn, channel, tag, requeue ? 1 : 0) != AMQP_STATUS_OK) {
    state_->open = false;
    return error{error_kind::unavailable, "cannot reject: the AMQP connection was lost"};
  }
  return {};
}

void amqp_consumer::close() {
  if (!state_->conn) return;
  if (state_->open) {
    amqp_channel_close(state_->conn, channel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_->conn, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(state_->conn);
  state_->conn = nullptr;
  state_->open = false;
}

}  // namespace linemgr::amqp
