#include <catch2/catch.hpp>

#include "garita/sim/serial/SerialFault.hpp"

using namespace garita::sim::serial;

TEST_CASE("serial fault: every kind parses and prints back") {
  const char* texts[] = {"junk@30s",       "badcrc@1500ms", "truncate@2s",
                         "hangup@40s+2s",  "reboot@10s",    "reboot@10s+1s",
                         "nocrc@5s+500ms", "nocrc@5s",      "hangup@1m+3s:lane=2"};
  for (const char* text : texts) {
    SerialFault f;
    std::string error;
    INFO(text);
    REQUIRE_FALSE(parse_serial_fault(text, f, error));
    CHECK(to_string(f) == (std::string(text) == "hangup@1m+3s:lane=2" ? "hangup@60s+3s:lane=2"
                                                                      : std::string(text)));
  }
  SerialFault f;
  std::string error;
  REQUIRE_FALSE(parse_serial_fault("hangup@40s+2s:lane=3", f, error));
  CHECK(f.kind == SerialFaultKind::hangup);
  CHECK(f.at_us == 40'000'000);
  CHECK(f.duration_us == 2'000'000);
  CHECK(f.lane == 3);
}

TEST_CASE("serial fault: bad specs give one clear line") {
  struct Bad {
    const char* text;
    const char* says;
  };
  const Bad cases[] = {
      {"hangup@40s", "hangup needs a duration"},
      {"junk@1s+2s", "junk is instantaneous"},
      {"badcrc@1s+2s", "badcrc is instantaneous"},
      {"drop@1s", "unknown kind 'drop' (junk, badcrc, truncate, hangup, reboot, nocrc)"},
      {"junk", "expected KIND@TIME"},
      {"junk@soon", "bad time 'soon'"},
      {"reboot@1s+0s", "bad duration '0s'"},
      {"reboot@1s:lane=0", "lane must be a lane number"},
      {"reboot@1s:port=2", "unknown option 'port=2'"},
  };
  for (const Bad& b : cases) {
    SerialFault f;
    std::string error;
    INFO(b.text);
    CHECK(parse_serial_fault(b.text, f, error));
    CHECK_THAT(error, Catch::Contains(b.says));
    CHECK(error.find('\n') == std::string::npos);
  }
}
