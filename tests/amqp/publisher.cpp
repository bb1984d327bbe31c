// Test helper: publishes lines "ROUTING_KEY<TAB>BODY" from stdin to an exchange, persistently.
// usage: amqp_publisher URL EXCHANGE
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s URL EXCHANGE\n", argv[0]);
    return 64;
  }
  std::string url = argv[1];
  amqp_connection_info info{};
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) return 64;
  amqp_connection_state_t c = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(c);
  if (amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) return 69;
  const char* vhost = info.vhost && *info.vhost ? info.vhost : "/";
  if (amqp_login(c, vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user, info.password).reply_type != AMQP_RESPONSE_NORMAL) return 69;
  amqp_channel_open(c, 1);
  amqp_confirm_select(c, 1);  // wait for the broker to confirm every message
  if (amqp_get_rpc_reply(c).reply_type != AMQP_RESPONSE_NORMAL) return 69;
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = 2;
  std::string line;
  long sent = 0;
  while (std::getline(std::cin, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string key = line.substr(0, tab), body = line.substr(tab + 1);
    if (amqp_basic_publish(c, 1, amqp_cstring_bytes(argv[2]), amqp_cstring_bytes(key.c_str()), 0, 0, &props,
                           amqp_bytes_t{body.size(), const_cast<char*>(body.data())}) != AMQP_STATUS_OK)
      return 69;
    ++sent;
  }
  // Publisher confirms: read acks until every message is confirmed.
  long confirmed = 0;
  while (confirmed < sent) {
    amqp_frame_t frame;
    if (amqp_simple_wait_frame(c, &frame) != AMQP_STATUS_OK) return 69;
    if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      const auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      confirmed = ack->multiple ? static_cast<long>(ack->delivery_tag) : confirmed + 1;
    }
  }
  amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(c, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(c);
  std::printf("%ld\n", sent);
  return 0;
}
