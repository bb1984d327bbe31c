#pragma once
// The one backoff policy: a wait that doubles per attempt up to a cap, with optional jitter.
#include <chrono>

namespace linemgr::core {

// Exponential backoff. Pure: the caller brings the randomness.
struct backoff_policy {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds cap{30000};
  // The wait before retry number `attempt` + 1 (`attempt` counts from 0): base·2^attempt, at most
  // `cap`, scaled by a jitter into [half, whole] with `unit_random` in [0, 1] (1: no jitter).
  std::chrono::milliseconds delay(int attempt, double unit_random = 1.0) const;
};

}  // namespace linemgr::core
