// libFuzzer harness: the rules and webhook parts of a configuration file (doc/formats.md §2).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <linemgr/io/config_file.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linemgr;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)io::parse_config(text, "fuzz.toml");
  (void)webhooks::parse_webhook_config(text, "fuzz.toml", [](const std::string&) -> std::optional<std::string> { return "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; });
  return 0;
}
