// libFuzzer harness: the OS2mo source reading a whole organisation when every GraphQL answer is the
// input (the page reader, the snapshot it builds, the response checks).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <linemgr/os2mo/http.hpp>
#include <linemgr/os2mo/os2mo.hpp>

namespace {

// Answers with the parts of the input between "\n---\n" lines, in turn (the first again after the last).
struct fuzzed_server final : linemgr::os2mo::http_transport {
  std::vector<std::string> parts;
  std::size_t answers = 0;
  linemgr::core::result<linemgr::os2mo::http_response> send(const linemgr::os2mo::http_request&) override {
    linemgr::os2mo::http_response r;
    r.status = answers >= 64 ? 503 : 200;  // a bounded conversation
    r.body = parts[answers++ % parts.size()];
    return r;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace linemgr;
  auto server = std::make_unique<fuzzed_server>();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::size_t at = 0;;) {
    const std::size_t end = input.find("\n---\n", at);
    server->parts.emplace_back(input.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    if (end == std::string_view::npos) break;
    at = end + 5;
  }
  os2mo::os2mo_settings settings;
  settings.url = "http://127.0.0.1:1";
  settings.auth.token = "t";
  settings.max_attempts = 1;
  settings.page_size = 2;
  os2mo::os2mo_connection mo(settings, std::move(server));
  (void)mo.load_all();
  return 0;
}
