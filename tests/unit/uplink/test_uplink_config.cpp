// [uplink], [api] and controller lanes in garitad's config (SiteConfig).
#include <catch2/catch.hpp>

#include "garita/common/Errc.hpp"
#include "garita/common/config/SiteConfig.hpp"

using garita::Errc;
using garita::config::parse_site_config;
using garita::config::SiteConfig;

namespace {

const std::filesystem::path kSource = "/etc/garita/garitad.toml";

const std::string kHead = R"(
[site]
port_code = "SYS"
time_zone = "UTC"

[database]
path = "crossings.db"
)";

const std::string kUplink = R"(
[uplink]
cert_file = "tls/server.pem"
key_file = "tls/server.key"
client_ca_file = "/etc/garita/tls/ca.pem"
)";

const std::string kControllerLanes = R"(
[[lane]]
id = "L1"
controller = true

[[lane]]
id = "L2"
controller = true
)";

std::string error_of(const std::string& text) {
  SiteConfig c;
  std::string error;
  const auto ec = parse_site_config(text, kSource, c, error);
  REQUIRE(ec);
  CHECK(error.find('\n') == std::string::npos);
  return error;
}

SiteConfig parsed(const std::string& text) {
  SiteConfig c;
  std::string error;
  const auto ec = parse_site_config(text, kSource, c, error);
  INFO(error);
  REQUIRE(!ec);
  return c;
}

}  // namespace

TEST_CASE("a site of controller lanes needs no readers; the uplink section gets its defaults") {
  const SiteConfig c = parsed(kHead + kUplink + kControllerLanes);
  REQUIRE(c.lanes.size() == 2);
  CHECK(c.lanes[0].controller);
  CHECK(c.lanes[0].antennas.empty());
  CHECK(c.readers.empty());
  CHECK(c.uplink.listener.enabled);
  CHECK(c.uplink.listener.address == "0.0.0.0");
  CHECK(c.uplink.listener.port == 8444);
  CHECK(c.uplink.listener.cert_file == "/etc/garita/tls/server.pem");
  CHECK(c.uplink.listener.key_file == "/etc/garita/tls/server.key");
  CHECK(c.uplink.listener.client_ca_file == "/etc/garita/tls/ca.pem");
  CHECK(c.uplink.max_batch == 500);
  CHECK(!c.api.enabled);
}

TEST_CASE("uplink and api sections are read; the api defaults to loopback:8443") {
  const SiteConfig c = parsed(kHead + R"(
[uplink]
address = "10.0.5.1"
port = 9000
cert_file = "s.pem"
key_file = "s.key"
client_ca_file = "ca.pem"
max_batch = 100

[api]
cert_file = "api.pem"
key_file = "api.key"
)" + kControllerLanes);
  CHECK(c.uplink.listener.address == "10.0.5.1");
  CHECK(c.uplink.listener.port == 9000);
  CHECK(c.uplink.max_batch == 100);
  CHECK(c.api.enabled);
  CHECK(c.api.address == "127.0.0.1");
  CHECK(c.api.port == 8443);
  CHECK(c.api.cert_file == "/etc/garita/api.pem");
  CHECK(c.api.client_ca_file.empty());
}

TEST_CASE("controller lanes and listeners are checked with file:line: key messages") {
  CHECK(error_of(kHead + kControllerLanes) ==
        "/etc/garita/garitad.toml:1: uplink: lane 'L1' has controller = true but there is no "
        "[uplink] section for lane controllers to connect to");
  CHECK(error_of(kHead + kUplink + R"(
[[lane]]
id = "L1"
controller = true
gap_s = 3
)") == "/etc/garita/garitad.toml:17: lane[1].gap_s: a controller lane (controller = true) has no "
       "antennas or debounce settings here: they belong in its garita-lane configuration");
  CHECK(error_of(kHead + kUplink + R"(
[[lane]]
id = "L1"
[[lane.antenna]]
reader = "r1"
antenna = 1
)")
            .find("no [[reader]] blocks: a lane with antennas needs at least one reader") !=
        std::string::npos);
  CHECK(error_of(kHead + R"(
[uplink]
cert_file = "s.pem"
key_file = "s.key"
)" + kControllerLanes)
            .find("uplink.client_ca_file") != std::string::npos);
  CHECK(error_of(kHead + R"(
[uplink]
address = "lanes.example"
cert_file = "s.pem"
key_file = "s.key"
client_ca_file = "ca.pem"
)" + kControllerLanes)
            .find("uplink.address: 'lanes.example' is not an IP address") != std::string::npos);
  CHECK(error_of(kHead + kUplink + R"(
[api]
port = 8444
cert_file = "a.pem"
key_file = "a.key"
)" + kControllerLanes)
            .find("api.port: [api] and [uplink] need different ports (both are 8444)") !=
        std::string::npos);
  CHECK(error_of(kHead + kUplink + "max_batch = 5000\n" + kControllerLanes)
            .find("uplink.max_batch") != std::string::npos);
  CHECK(error_of(kHead + kUplink + "listen = 1\n" + kControllerLanes).find("uplink.listen") !=
        std::string::npos);
}
