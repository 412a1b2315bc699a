#pragma once
// Per-token request budget: a token bucket per key (the token's id) that
// refills at `per_second` up to `burst`. Pure: time is passed in (µs,
// monotonic). Memory is bounded: at most `max_keys` buckets; when full, the
// bucket idle the longest goes (a full bucket holds no state worth keeping).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace garita::daemon::api {

struct RateLimit {
  double per_second = 20.0;
  double burst = 40.0;
  std::size_t max_keys = 4096;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit = {}) : limit_(limit) {}

  struct Decision {
    bool allowed = true;
    std::int64_t retry_after_s = 0;  // when refused: whole seconds until one token is back
  };

  // Takes one token for `key` at `now_us`.
  Decision take(std::string_view key, std::int64_t now_us);

  std::size_t keys() const noexcept { return buckets_.size(); }
  const RateLimit& limit() const noexcept { return limit_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated_us = 0;
  };
  void evict_one();

  RateLimit limit_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace garita::daemon::api
