#pragma once
// Seeded, portable randomness for the traffic model.
//
// Why not <random>: the engines are specified bit-for-bit, but the
// distributions (normal, exponential, uniform_real) are not, so the same
// seed gives different streams under libstdc++ and libc++. The model's
// promise is "same seed + config -> byte-identical stream", and tests score a
// pipeline against that stream, so every draw here is built from raw 64-bit
// words with formulas written out below. (The remaining platform dependence
// is libm's log/sqrt/log10, which differ by at most an ulp between C
// libraries; on one platform and build the stream is exact.)
#include <cmath>
#include <cstdint>

namespace garita::sim {

// SplitMix64's finalizer: a bijection on 64-bit words with good avalanche.
// Used to derive independent seeds and to hash (key, index) tuples.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

// Order-sensitive hash of two words (not symmetric: h(a,b) != h(b,a)).
constexpr std::uint64_t hash2(std::uint64_t a, std::uint64_t b) noexcept {
  return mix64(a ^ mix64(b + 0x9E3779B97F4A7C15ULL));
}

// A uniform double in the open interval (0, 1) from the top 52 bits of
// `bits`, centred in its cell: never exactly 0 or 1 (with 53 bits the top
// cell would round up to 1.0), so log() and the inverse normal CDF are
// always finite.
constexpr double unit_open(std::uint64_t bits) noexcept {
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
}

// Standard normal quantile (Acklam's rational approximation, relative error
// < 1.2e-9). One uniform in, one normal out: no hidden state (unlike the
// Box-Muller pair) and no trigonometry, so hash-derived fades can use it.
inline double normal_quantile(double p) noexcept {
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01, -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549671010250587e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  if (p < p_low) {
    const double q = std::sqrt(-2.0 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  if (p > 1.0 - p_low) {
    const double q = std::sqrt(-2.0 * std::log(1.0 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

// xoshiro256** (Blackman & Vigna): fast, 256-bit state, passes BigCrush.
// Seeded through SplitMix64 as its authors recommend, so nearby seeds give
// unrelated streams.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

  void reseed(std::uint64_t seed) noexcept {
    std::uint64_t x = seed;
    for (auto& word : s_) {
      x += 0x9E3779B97F4A7C15ULL;
      word = mix64(x);
    }
  }

  // Sets the raw state (for checking against the reference generator).
  void set_state(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2, std::uint64_t s3) noexcept {
    s_[0] = s0;
    s_[1] = s1;
    s_[2] = s2;
    s_[3] = s3;
  }

  std::uint64_t next_u64() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in (0, 1).
  double uniform() noexcept { return unit_open(next_u64()); }
  // Uniform in (lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  // True with probability p (p <= 0 never, p >= 1 always).
  bool chance(double p) noexcept { return uniform() < p; }
  // Standard normal.
  double normal() noexcept { return normal_quantile(uniform()); }
  double normal(double mean, double sd) noexcept { return mean + sd * normal(); }
  // Exponential with the given mean (inverse CDF).
  double exponential(double mean) noexcept { return -mean * std::log(uniform()); }
  // Uniform integer in [0, n) for n > 0 (rejection of the top partial
  // block, so it is exactly uniform).
  std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return x % n;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  std::uint64_t s_[4]{};
};

}  // namespace garita::sim
