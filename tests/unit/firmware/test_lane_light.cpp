// The lane light: the pure policy (red while degraded, green pulse per
// crossing, off when idle), GpioLight against a fake line request, and
// GpoLight against a fake reader driver.
#include <catch2/catch.hpp>

#include <vector>

#include "light/GpioLight.hpp"
#include "light/GpoLight.hpp"
#include "light/LightPolicy.hpp"

using namespace garita;
using namespace garita::firmware;

TEST_CASE("light policy: red while anything is down, green pulse per crossing, else off") {
  LightPolicy p(800'000);
  const LaneHealth ok{true, true, false};
  CHECK(p.color(ok, 0) == LightColor::off);
  CHECK_FALSE(p.next_change_us(0).has_value());
  p.on_crossing(1'000'000);
  CHECK(p.color(ok, 1'000'000) == LightColor::green);
  CHECK(p.color(ok, 1'799'999) == LightColor::green);
  CHECK(p.next_change_us(1'500'000) == std::optional<std::int64_t>(1'800'000));
  CHECK(p.color(ok, 1'800'000) == LightColor::off);
  p.on_crossing(1'500'000);  // a second crossing extends the pulse
  p.on_crossing(2'000'000);
  CHECK(p.color(ok, 2'700'000) == LightColor::green);
  CHECK(p.color(ok, 2'800'000) == LightColor::off);
  // Steady red wins over a pulse.
  p.on_crossing(3'000'000);
  CHECK(p.color({false, true, false}, 3'100'000) == LightColor::red);
  CHECK(p.color({true, false, false}, 3'100'000) == LightColor::red);
  CHECK(p.color({true, true, true}, 3'100'000) == LightColor::red);
  CHECK(p.color({true, true, true}, 9'000'000) == LightColor::red);
  CHECK(p.color(ok, 3'100'000) == LightColor::green);
}

namespace {

struct FakeLines final : GpioLines {
  struct Call {
    std::uint64_t bits, mask;
  };
  std::vector<Call>* calls;
  bool* fail;
  FakeLines(std::vector<Call>* c, bool* f) : calls(c), fail(f) {}
  std::error_code set_values(std::uint64_t bits, std::uint64_t mask) override {
    if (*fail) return std::make_error_code(std::errc::io_error);
    calls->push_back({bits, mask});
    return {};
  }
};

struct FakeDriver final : hal::ReaderDriver {
  std::vector<std::pair<std::uint16_t, bool>> outputs;
  void start() override {}
  void stop(std::function<void()> done) override { done(); }
  hal::ReaderStatus status() const override { return {}; }
  void set_output(std::uint16_t port, bool on, std::function<void(std::error_code)> done) override {
    outputs.emplace_back(port, on);
    done({});
  }
};

}  // namespace

TEST_CASE("GpioLight: both lines in one write, only on change, retried after a failure") {
  std::vector<FakeLines::Call> calls;
  bool fail = false;
  GpioLight light(std::make_unique<FakeLines>(&calls, &fail));
  light.show(LightColor::green);
  light.show(LightColor::green);
  light.show(LightColor::red);
  light.show(LightColor::off);
  REQUIRE(calls.size() == 3);
  CHECK((calls[0].bits == 1 && calls[0].mask == 3));
  CHECK((calls[1].bits == 2 && calls[1].mask == 3));
  CHECK((calls[2].bits == 0 && calls[2].mask == 3));
  fail = true;
  light.show(LightColor::red);
  fail = false;
  light.show(LightColor::red);  // not shown yet: written now
  REQUIRE(calls.size() == 4);
  CHECK(calls[3].bits == 2);
}

TEST_CASE("GpoLight: off before on, only changes, everything again after a reconnect") {
  auto driver = std::make_shared<FakeDriver>();
  GpoLight light(driver, 1, 2);
  light.show(LightColor::green);
  CHECK(driver->outputs == std::vector<std::pair<std::uint16_t, bool>>{{2, false}, {1, true}});
  driver->outputs.clear();
  light.show(LightColor::green);
  CHECK(driver->outputs.empty());
  light.show(LightColor::red);
  CHECK(driver->outputs == std::vector<std::pair<std::uint16_t, bool>>{{1, false}, {2, true}});
  driver->outputs.clear();
  light.show(LightColor::off);
  CHECK(driver->outputs == std::vector<std::pair<std::uint16_t, bool>>{{1, false}, {2, false}});
  driver->outputs.clear();
  light.resend();
  CHECK(driver->outputs == std::vector<std::pair<std::uint16_t, bool>>{{1, false}, {2, false}});
}
