#include <linemgr/io/environment.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace linemgr::io {

std::optional<std::string> process_env(const std::string& name) {
  if (const char* v = std::getenv(name.c_str()); v && *v) return std::string(v);
  return std::nullopt;
}

std::optional<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) value.pop_back();
  return value;
}

}  // namespace linemgr::io
