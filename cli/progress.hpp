#pragma once
// A progress bar with rate and ETA on standard error, for long runs on a terminal. Off when
// standard error is not a terminal, with --quiet, or with JSON logs.
#include <chrono>
#include <cstddef>
#include <string>

namespace linemgr::cli {


class progress_bar {
 public:
  // `label` says what is counted ("writing to OS2mo"); `enabled` false makes every call a no-op.
  progress_bar(std::string label, bool enabled);
  ~progress_bar();
  // Shows `done` of `total`; redraws at most ten times a second.
  void update(std::size_t done, std::size_t total);
  // Clears the bar's line.
  void finish();

  // The bar's text for a state: "label [####      ] 40/100  12.0/s  ETA 5 s" (pure, for tests).
  static std::string render(const std::string& label, std::size_t done, std::size_t total, double seconds, std::size_t width);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace linemgr::cli
