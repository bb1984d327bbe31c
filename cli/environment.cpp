#include "environment.hpp"

#include <cstdlib>
#include <ctime>
#include <unistd.h>

#include <sys/stat.h>

namespace linemgr::cli {

day today_in_copenhagen() {
  ::setenv("TZ", "Europe/Copenhagen", 1);
  ::tzset();
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  return days_from_civil(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1), static_cast<unsigned>(local.tm_mday));
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::optional<std::string> default_config_path() {
  auto exists = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
  };
  if (const char* explicit_path = std::getenv("LINEMGR_CONFIG"); explicit_path && *explicit_path)
    return std::string(explicit_path);  // named explicitly: a missing file is an error later
  std::string xdg;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
    xdg = x;
  else if (const char* home = std::getenv("HOME"); home && *home)
    xdg = std::string(home) + "/.config";
  if (!xdg.empty() && exists(xdg + "/linemgr/config.toml")) return xdg + "/linemgr/config.toml";
  if (exists("/etc/linemgr/config.toml")) return std::string("/etc/linemgr/config.toml");
  return std::nullopt;
}

}  // namespace linemgr::cli
