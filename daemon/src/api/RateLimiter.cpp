#include "garita/daemon/api/RateLimiter.hpp"

#include <algorithm>
#include <cmath>

namespace garita::daemon::api {

RateLimiter::Decision RateLimiter::take(std::string_view key, std::int64_t now_us) {
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.max_keys) evict_one();
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now_us}).first;
  }
  Bucket& b = it->second;
  // A clock that went backwards (it is monotonic, but be safe) refills nothing.
  const double elapsed_s =
      static_cast<double>(std::max<std::int64_t>(0, now_us - b.updated_us)) / 1'000'000.0;
  b.tokens = std::min(limit_.burst, b.tokens + elapsed_s * limit_.per_second);
  b.updated_us = std::max(b.updated_us, now_us);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {true, 0};
  }
  const double wait_s = limit_.per_second > 0 ? (1.0 - b.tokens) / limit_.per_second : 3600.0;
  return {false, std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait_s)))};
}

void RateLimiter::evict_one() {
  auto oldest = buckets_.begin();
  for (auto it = buckets_.begin(); it != buckets_.end(); ++it) {
    if (it->second.updated_us < oldest->second.updated_us) oldest = it;
  }
  if (oldest != buckets_.end()) buckets_.erase(oldest);
}

}  // namespace garita::daemon::api
