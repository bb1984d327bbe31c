#include "log.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "output.hpp"
#include <linemgr/io/environment.hpp>
#include <linemgr/webhooks/envelope.hpp>

namespace linemgr::cli {


namespace {

bool json_format = false;
log_level threshold = log_level::info;
std::mutex write_mutex;  // the background webhook delivery logs too

const char* name_of(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

// The message on one line: control characters from data (a newline that would forge a second log
// line, an escape sequence that would recolour a terminal) shown as \n, \r, \t or \xNN.
std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out += c;
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += fmt::format("\\x{:02x}", u);
  }
  return out;
}

}  // namespace

void configure_logging(const std::string& format, const std::string& level) {
  if (format == "json") json_format = true;
  else if (format.empty() || format == "text") json_format = false;
  else throw failure{{error_kind::usage, "--log-format: use text or json"}};
  std::string l = level.empty() ? process_env("LOG_LEVEL").value_or("INFO") : level;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (l == "DEBUG") threshold = log_level::debug;
  else if (l == "INFO") threshold = log_level::info;
  else if (l == "WARN" || l == "WARNING") threshold = log_level::warn;
  else if (l == "ERROR" || l == "CRITICAL") threshold = log_level::error;
  else
    throw failure{{level.empty() ? error_kind::config : error_kind::usage,
                   fmt::format("{}: \"{}\" is not a log level (DEBUG, INFO, WARN, ERROR)", level.empty() ? "environment LOG_LEVEL" : "--log-level", l)}};
}

bool log_enabled(log_level level) { return level >= threshold; }
bool logs_as_json() { return json_format; }

void log_message(log_level level, std::string_view message) {
  if (!log_enabled(level)) return;
  std::string line;
  if (json_format) {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    line = fmt::format("{{\"time\":\"{}\",\"level\":\"{}\",\"msg\":\"{}\"}}\n", when, name_of(level), json_escape(message));
  } else {
    line = fmt::format("linemgr: {}\n", one_line(message));
  }
  std::lock_guard<std::mutex> lock(write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace linemgr::cli
