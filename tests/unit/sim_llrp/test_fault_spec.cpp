// The --fault syntax: KIND@TIME[+DURATION][:lane=N].
#include <catch2/catch.hpp>

#include "garita/common/Errc.hpp"
#include "garita/sim/llrp/FaultSpec.hpp"

using namespace garita::sim::llrp;

namespace {

FaultSpec parse_ok(std::string_view text) {
  FaultSpec f;
  std::string error;
  INFO(text);
  REQUIRE_FALSE(parse_fault_spec(text, f, error));
  return f;
}

std::string parse_error(std::string_view text) {
  FaultSpec f;
  std::string error;
  INFO(text);
  REQUIRE(parse_fault_spec(text, f, error) == garita::Errc::config_bad_value);
  return error;
}

}  // namespace

TEST_CASE("fault specs parse kind, time, duration and lane") {
  const FaultSpec drop = parse_ok("drop@30s");
  CHECK(drop.kind == FaultKind::drop);
  CHECK(drop.at_us == 30'000'000);
  CHECK(drop.duration_us == 0);
  CHECK(drop.lane == 0);

  const FaultSpec stall = parse_ok("stall@40s+5s:lane=2");
  CHECK(stall.kind == FaultKind::stall);
  CHECK(stall.at_us == 40'000'000);
  CHECK(stall.duration_us == 5'000'000);
  CHECK(stall.lane == 2);

  CHECK(parse_ok("garble@1500ms").at_us == 1'500'000);
  CHECK(parse_ok("nokeepalive@2.5").at_us == 2'500'000);
  CHECK(parse_ok("nokeepalive@1m+10s").duration_us == 10'000'000);
  CHECK(parse_ok("reboot@70s+3s").kind == FaultKind::reboot);
}

TEST_CASE("fault specs print back in canonical form") {
  for (const char* text : {"drop@30s", "stall@40s+5s:lane=2", "garble@1500ms", "nokeepalive@60s",
                           "reboot@70s+3s", "nokeepalive@1s+250ms"}) {
    CHECK(to_string(parse_ok(text)) == text);
  }
}

TEST_CASE("bad fault specs say what is wrong") {
  CHECK(parse_error("drop").find("KIND@TIME") != std::string::npos);
  CHECK(parse_error("explode@3s").find("unknown kind 'explode'") != std::string::npos);
  CHECK(parse_error("stall@40s").find("stall needs a duration") != std::string::npos);
  CHECK(parse_error("reboot@4s").find("reboot needs a duration") != std::string::npos);
  CHECK(parse_error("drop@3s+1s").find("takes no +DURATION") != std::string::npos);
  CHECK(parse_error("drop@soon").find("bad time") != std::string::npos);
  CHECK(parse_error("stall@1s+").find("bad duration") != std::string::npos);
  CHECK(parse_error("stall@1s+0s").find("bad duration") != std::string::npos);
  CHECK(parse_error("drop@-1s").find("bad time") != std::string::npos);
  CHECK(parse_error("drop@1s:lane=0").find("lane") != std::string::npos);
  CHECK(parse_error("drop@1s:port=3").find("unknown option") != std::string::npos);
}
