#include "progress.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace linemgr::cli {


progress_bar::progress_bar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_ - std::chrono::seconds(1)) {}

progress_bar::~progress_bar() { finish(); }

std::string progress_bar::render(const std::string& label, std::size_t done, std::size_t total, double seconds, std::size_t width) {
  const double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(width));
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string eta = "ETA --";
  if (rate > 0 && done < total) {
    const auto left = static_cast<long>(static_cast<double>(total - done) / rate + 0.5);
    eta = left >= 120 ? fmt::format("ETA {} min", (left + 30) / 60) : fmt::format("ETA {} s", left);
  } else if (done >= total) {
    eta = "done";
  }
  return fmt::format("{} [{}{}] {}/{}  {:.1f}/s  {}", label, std::string(filled, '#'), std::string(width - filled, ' '), done, total,
                     rate, eta);
}

void progress_bar::update(std::size_t done, std::size_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const std::string line = render(label_, done, total, std::chrono::duration<double>(now - start_).count(), 30);
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void progress_bar::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace linemgr::cli
