// libFuzzer harness: events as stdin lines and as AMQP bodies (doc/formats.md §4).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <linemgr/io/event_parse.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linemgr;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)io::parse_event_line(text);
  for (const char* key : {"org_unit", "engagement", "employee.engagement.update", "manager"}) (void)io::parse_event_body(key, text);
  return 0;
}
