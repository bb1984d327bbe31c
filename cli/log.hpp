#pragma once
// Log lines on standard error: "linemgr: message" for people, or one JSON object per line
// (--log-format json) for collectors. Levels as LOG_LEVEL: DEBUG, INFO, WARN(ING), ERROR.
// Messages never carry secrets: settings are shown masked, and requests are logged by name.
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include <linemgr/io/log.hpp>

namespace linemgr::cli {


using linemgr::io::log_level;
using linemgr::io::log_sink;

// Sets the format ("text" or "json") and the level (empty: $LOG_LEVEL, else INFO). An unknown
// format or level is a usage failure.
void configure_logging(const std::string& format, const std::string& level);
// True when messages of this level are written.
bool log_enabled(log_level level);
// True with --log-format json.
bool logs_as_json();
// Writes one message at a level.
void log_message(log_level level, std::string_view message);
// A sink for the library's log lines: log_message.
inline log_sink stderr_log() { return [](log_level level, std::string_view message) { log_message(level, message); }; }

template <class... A>
void log_info(fmt::format_string<A...> f, A&&... args) {
  if (log_enabled(log_level::info)) log_message(log_level::info, fmt::format(f, std::forward<A>(args)...));
}
template <class... A>
void log_warn(fmt::format_string<A...> f, A&&... args) {
  if (log_enabled(log_level::warn)) log_message(log_level::warn, fmt::format(f, std::forward<A>(args)...));
}
template <class... A>
void log_error(fmt::format_string<A...> f, A&&... args) {
  log_message(log_level::error, fmt::format(f, std::forward<A>(args)...));
}

}  // namespace linemgr::cli
