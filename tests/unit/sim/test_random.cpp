#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <vector>

#include "garita/sim/Random.hpp"

using garita::sim::Rng;

TEST_CASE("mix64 is SplitMix64's finalizer") {
  // SplitMix64 seeded with 0 returns mix64(golden gamma) first.
  CHECK(garita::sim::mix64(0x9E3779B97F4A7C15ULL) == 0xE220A8397B1DCDAFULL);
  CHECK(garita::sim::mix64(0) == 0);
  CHECK(garita::sim::hash2(1, 2) != garita::sim::hash2(2, 1));
}

TEST_CASE("Rng is xoshiro256** and reproducible") {
  Rng ref;
  ref.set_state(1, 2, 3, 4);  // the reference implementation's known outputs
  CHECK(ref.next_u64() == 11520ULL);
  CHECK(ref.next_u64() == 0ULL);
  CHECK(ref.next_u64() == 1509978240ULL);
  CHECK(ref.next_u64() == 1215971899390074240ULL);

  Rng a(1);
  CHECK(a.next_u64() == 0xB3F2AF6D0FC710C5ULL);  // SplitMix64-seeded, pinned
  CHECK(a.next_u64() == 0x853B559647364CEAULL);
  Rng b(42), c(42), d(43);
  bool all_equal = true, any_equal = false;
  for (int i = 0; i < 1000; ++i) {
    const auto x = b.next_u64();
    all_equal = all_equal && x == c.next_u64();
    any_equal = any_equal || x == d.next_u64();
  }
  CHECK(all_equal);
  CHECK_FALSE(any_equal);
}

TEST_CASE("normal_quantile matches the normal distribution") {
  using garita::sim::normal_quantile;
  CHECK(normal_quantile(0.5) == Approx(0.0).margin(1e-12));
  CHECK(normal_quantile(0.975) == Approx(1.959963985).margin(1e-7));
  CHECK(normal_quantile(0.025) == Approx(-1.959963985).margin(1e-7));
  CHECK(normal_quantile(0.8413447461) == Approx(1.0).margin(1e-7));
  CHECK(normal_quantile(0.001) == Approx(-3.090232306).margin(1e-6));
  CHECK(std::isfinite(normal_quantile(garita::sim::unit_open(0))));
  CHECK(std::isfinite(normal_quantile(garita::sim::unit_open(~0ULL))));
}

TEST_CASE("Rng's distributions have the right moments") {
  Rng rng(7);
  constexpr int n = 200000;
  double sum = 0, sum2 = 0, esum = 0, usum = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal(2.0, 3.0);
    sum += x;
    sum2 += x * x;
    esum += rng.exponential(5.0);
    const double u = rng.uniform(-1.0, 1.0);
    REQUIRE(u > -1.0);
    REQUIRE(u < 1.0);
    usum += u;
  }
  const double mean = sum / n;
  const double sd = std::sqrt(sum2 / n - mean * mean);
  CHECK(mean == Approx(2.0).margin(0.03));
  CHECK(sd == Approx(3.0).margin(0.03));
  CHECK(esum / n == Approx(5.0).margin(0.05));
  CHECK(usum / n == Approx(0.0).margin(0.01));

  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[static_cast<std::size_t>(rng.below(7))];
  for (int c : counts) CHECK(std::abs(c - 10000) < 400);
}
