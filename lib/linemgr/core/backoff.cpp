#include <linemgr/core/backoff.hpp>

#include <algorithm>
#include <cstdint>

namespace linemgr::core {

std::chrono::milliseconds backoff_policy::delay(int attempt, double unit_random) const {
  const int doublings = std::clamp(attempt, 0, 30);
  const std::int64_t whole = std::min<std::int64_t>(base.count() << std::min(doublings, 30), cap.count());
  const double scale = 0.5 + 0.5 * std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(whole) * scale));
}

}  // namespace linemgr::core
