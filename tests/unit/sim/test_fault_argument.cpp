// The shared --fault syntax (garita/sim/FaultArgument.hpp): the kind table's
// duration rules and the conversion into a simulator's own fault struct.
#include <catch2/catch.hpp>

#include "garita/common/Errc.hpp"
#include "garita/sim/FaultArgument.hpp"

using namespace garita::sim;

namespace {

enum class TestKind : std::uint8_t { blink, pause, wait };

struct TestFault {
  TestKind kind = TestKind::blink;
  std::int64_t at_us = 0;
  std::int64_t duration_us = 0;
  garita::sim::LaneId lane = 0;
};

constexpr FaultKindSyntax kKinds[] = {
    {"blink", FaultDuration::none, {}},
    {"pause", FaultDuration::required, ", e.g. pause@1s+2s"},
    {"wait", FaultDuration::optional, {}},
};

std::string parse_error(std::string_view text) {
  TestFault f;
  f.at_us = 42;
  std::string error;
  INFO(text);
  REQUIRE(parse_fault(text, kKinds, "pause@1s+2s", f, error) == garita::Errc::config_bad_value);
  CHECK(f.at_us == 42);  // left alone on failure
  return error;
}

}  // namespace

TEST_CASE("fault argument: parse_fault fills the simulator's struct") {
  TestFault f;
  std::string error;
  REQUIRE_FALSE(parse_fault("pause@1500ms+2s:lane=3", kKinds, "pause@1s+2s", f, error));
  CHECK(f.kind == TestKind::pause);
  CHECK(f.at_us == 1'500'000);
  CHECK(f.duration_us == 2'000'000);
  CHECK(f.lane == 3);

  REQUIRE_FALSE(parse_fault("wait@1m", kKinds, "pause@1s+2s", f, error));
  CHECK(f.kind == TestKind::wait);
  CHECK(f.at_us == 60'000'000);
  CHECK(f.duration_us == 0);
  CHECK(f.lane == 0);
  REQUIRE_FALSE(parse_fault("wait@1s+250ms", kKinds, "pause@1s+2s", f, error));
  CHECK(f.duration_us == 250'000);
  REQUIRE_FALSE(parse_fault("blink@0", kKinds, "pause@1s+2s", f, error));
  CHECK(f.kind == TestKind::blink);
}

TEST_CASE("fault argument: each kind's duration rule, worded like the parser's errors") {
  CHECK(parse_error("pause@1s") == "fault 'pause@1s': pause needs a duration, e.g. pause@1s+2s");
  CHECK(parse_error("blink@1s+1s") ==
        "fault 'blink@1s+1s': blink is instantaneous and takes no +DURATION");
  // The syntax errors come before the rule checks.
  CHECK(parse_error("pause@soon") ==
        "fault 'pause@soon': bad time 'soon' (a number of seconds, optionally with ms, s or m)");
  CHECK(parse_error("flash@1s") == "fault 'flash@1s': unknown kind 'flash' (blink, pause, wait)");
  CHECK(parse_error("pause") ==
        "fault 'pause': expected KIND@TIME[+DURATION][:lane=N], e.g. pause@1s+2s");
}

TEST_CASE("fault argument: kind names by index") {
  CHECK(fault_kind_name(kKinds, 0) == "blink");
  CHECK(fault_kind_name(kKinds, 2) == "wait");
  CHECK(fault_kind_name(kKinds, 3) == "unknown");
  CHECK(format_fault_argument(fault_kind_name(kKinds, 1), 1'500'000, 2'000'000, 3) ==
        "pause@1500ms+2s:lane=3");
}
