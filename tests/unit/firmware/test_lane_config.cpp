// garita-lane's configuration: a complete file, garitad's defaults, and one
// error per kind of mistake, each "FILE:LINE: key: what".
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <fstream>

#include "../store/StoreTestSupport.hpp"
#include "LaneControllerConfig.hpp"
#include "garita/common/config/SiteConfig.hpp"

using namespace garita;
using namespace garita::firmware;
using garita::store::test::TempDir;

namespace {

struct ConfigDir {
  TempDir dir;
  ConfigDir() {
    for (const char* name : {"ca.pem", "lane.pem", "lane.key"}) {
      std::ofstream(dir / name) << "x\n";
    }
    ::chmod((dir / "lane.key").c_str(), 0600);
  }
  std::filesystem::path source() const { return dir / "lane.toml"; }

  std::error_code parse(const std::string& text, LaneControllerConfig& out, std::string& error) {
    return parse_lane_controller_config(text, source(), out, error);
  }
  std::string error_of(const std::string& text) {
    LaneControllerConfig out;
    std::string error;
    const auto ec = parse(text, out, error);
    CHECK(ec);
    return error;
  }
};

const std::string kLane = R"([lane]
id = "L3"
port_code = "SYS"
time_zone = "America/Tijuana"
)";
const std::string kReader = R"([reader]
uri = "llrp://127.0.0.1:5084"
)";
const std::string kUplink = R"([uplink]
url = "https://10.0.0.5:8443"
ca_file = "ca.pem"
cert_file = "lane.pem"
key_file = "lane.key"
)";
const std::string kJournal = R"([journal]
path = "journal.db"
)";
const std::string kMinimal = kLane + kReader + kUplink + kJournal;

}  // namespace

TEST_CASE("lane config: a minimal file gets garitad's lane defaults") {
  ConfigDir d;
  LaneControllerConfig c;
  std::string error;
  REQUIRE_FALSE(d.parse(kMinimal, c, error));
  CHECK(c.lane_id == "L3");
  CHECK(c.port_code == "SYS");
  CHECK(c.reader.uri == "llrp://127.0.0.1:5084");
  CHECK(c.uplink.host == "10.0.0.5");
  CHECK(c.uplink.port == 8443);
  CHECK(c.uplink.key_file == d.dir / "lane.key");  // relative to the file
  CHECK(c.journal.path == d.dir / "journal.db");
  CHECK(c.journal.max_size_bytes == 2ull << 30);
  CHECK(c.light.kind == LightKind::none);
  const config::DebounceSettings garitad;
  CHECK(c.pipeline.gap_s == garitad.gap_s);
  CHECK(c.pipeline.min_reads == garitad.min_reads);
  CHECK(c.pipeline.min_rssi_dbm == garitad.min_rssi_dbm);
  CHECK(c.pipeline.rearm_s == garitad.rearm_s);
  CHECK(c.pipeline.max_open_sessions == garitad.max_open_sessions);
  const lane::PipelineConfig pc = make_pipeline_config(c, 41);
  std::string why;
  CHECK_FALSE(lane::validate(pc, why));
  REQUIRE(pc.lanes.size() == 1);
  CHECK(pc.lanes[0].last_sequence == 41);
  CHECK(pc.lanes[0].min_rssi_cdbm == -7000);
  REQUIRE(pc.lanes[0].antennas.size() == 1);
  CHECK(pc.lanes[0].antennas[0].antenna == 0);  // every antenna
}

TEST_CASE("lane config: every section filled in") {
  ConfigDir d;
  const std::string text = R"([lane]
id = "L3"
port_code = "SYS"
time_zone = "America/Tijuana"
[[lane.antenna]]
antenna = 1
role = "entry"
[[lane.antenna]]
antenna = 2
role = "exit"
[reader]
uri = "serial:///dev/ttyUSB0?baud=115200"
read_tid = false
[pipeline]
gap_s = 1.5
min_reads = 3
min_rssi_dbm = -65
rearm_s = 30
[uplink]
url = "https://[::1]:9443/"
ca_file = "ca.pem"
cert_file = "lane.pem"
key_file = "lane.key"
batch_size = 100
connect_timeout_s = 5
backoff_initial_s = 0.5
backoff_max_s = 30
[journal]
path = "/var/lib/garita-lane/journal.db"
max_size_mib = 512
[light]
kind = "gpio"
chip = "/dev/gpiochip1"
green_line = 17
red_line = 27
active_low = true
pulse_s = 1.2
)";
  LaneControllerConfig c;
  std::string error;
  REQUIRE_FALSE(d.parse(text, c, error));
  REQUIRE(c.antennas.size() == 2);
  CHECK(c.antennas[1].role == lane::AntennaRole::exit);
  CHECK_FALSE(c.reader.read_tid);
  CHECK(c.pipeline.min_reads == 3);
  CHECK(c.uplink.host == "::1");
  CHECK(c.uplink.port == 9443);
  CHECK(c.uplink.batch_size == 100);
  CHECK(c.uplink.backoff_initial == std::chrono::milliseconds(500));
  CHECK(c.journal.max_size_bytes == 512ull << 20);
  CHECK(c.light.kind == LightKind::gpio);
  CHECK(c.light.green_line == 17);
  CHECK(c.light.active_low);
  CHECK(c.light.pulse == std::chrono::milliseconds(1200));
  const lane::PipelineConfig pc = make_pipeline_config(c, 0);
  REQUIRE(pc.lanes[0].antennas.size() == 2);
  CHECK(pc.lanes[0].antennas[0].role == lane::AntennaRole::entry);
  CHECK(pc.lanes[0].gap_us == 1'500'000);
}

TEST_CASE("lane config: errors name the file, the line and the key") {
  ConfigDir d;
  const std::string src = d.source().string();
  CHECK(d.error_of(kMinimal + "[light]\nkind = \"gpo\"\ngren_port = 3\n") ==
        src + ":16: light.gren_port: unknown key 'gren_port' (did you mean 'green_port'?)");
  CHECK(d.error_of(kLane + kReader + kJournal).find(": uplink: missing [uplink] table") !=
        std::string::npos);
  CHECK(d.error_of(kMinimal + "[light]\nkind = \"neon\"\n")
            .find("light.kind: unknown light 'neon' (expected gpo, gpio or none)") !=
        std::string::npos);
  CHECK(d.error_of(kMinimal + "[light]\nkind = \"gpo\"\nchip = \"/dev/gpiochip0\"\n")
            .find("light.chip: is only used with kind = \"gpio\"") != std::string::npos);
  CHECK(d.error_of(kMinimal + "[light]\nkind = \"gpo\"\ngreen_port = 2\nred_port = 2\n")
            .find("light.red_port: must differ from green_port") != std::string::npos);
  CHECK(d.error_of(kMinimal + "[pipeline]\ngap_s = 120\n").find(":15: pipeline.gap_s:") !=
        std::string::npos);
  std::string bad_url = kMinimal;
  bad_url.replace(bad_url.find("https://10.0.0.5:8443"), 21, "http://10.0.0.5:8443");
  CHECK(d.error_of(bad_url).find(":8: uplink.url: 'http://10.0.0.5:8443': must start with "
                                 "https://") != std::string::npos);
  std::string bad_port = kMinimal;
  bad_port.replace(bad_port.find("8443"), 4, "84430");
  CHECK(d.error_of(bad_port).find("port must be a number from 1 to 65535") != std::string::npos);
  std::string bad_id = kMinimal;
  bad_id.replace(bad_id.find("\"L3\""), 4, "\"L 3\"");
  CHECK(d.error_of(bad_id).find(":2: lane.id: 'L 3' must be 1 to 16 letters") != std::string::npos);
  std::string bad_uri = kMinimal;
  bad_uri.replace(bad_uri.find("llrp://"), 7, "llrpx://");
  INFO(d.error_of(bad_uri));
  CHECK(d.error_of(bad_uri).find(":6: reader.uri: unknown reader scheme 'llrpx'") !=
        std::string::npos);
  CHECK(d.error_of(kMinimal + "[journal2]\n").find("unknown key") != std::string::npos);
  CHECK(d.error_of("[lane\n").find(":1: not valid TOML") != std::string::npos);
  CHECK(d.error_of(kLane + "[[lane.antenna]]\nantenna = 1\nrole = \"sideways\"\n" + kReader +
                   kUplink + kJournal)
            .find("lane.antenna[1].role: unknown role 'sideways'") != std::string::npos);
}

TEST_CASE("lane config: a private key others can read is refused") {
  ConfigDir d;
  ::chmod((d.dir / "lane.key").c_str(), 0644);
  CHECK(d.error_of(kMinimal).find(":11: uplink.key_file: private key '" +
                                  (d.dir / "lane.key").string() +
                                  "' has mode 0644: group and others must have no access "
                                  "(chmod 600)") != std::string::npos);
  ::chmod((d.dir / "lane.key").c_str(), 0400);
  LaneControllerConfig c;
  std::string error;
  CHECK_FALSE(d.parse(kMinimal, c, error));
  std::filesystem::remove(d.dir / "lane.key");
  CHECK(d.error_of(kMinimal).find("cannot be read (missing") != std::string::npos);
}

TEST_CASE("lane config: the example file parses once its key exists") {
  ConfigDir d;
  std::ifstream in(GARITA_SOURCE_DIR "/config/garita-lane.example.toml");
  REQUIRE(in);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Point the absolute TLS paths at the test's files.
  for (const char* file : {"ca.pem", "L3.pem", "L3.key"}) {
    const std::string from = std::string("/etc/garita/lane/") + file;
    const std::string to = std::string(file) == "L3.pem"   ? "lane.pem"
                           : std::string(file) == "L3.key" ? "lane.key"
                                                           : "ca.pem";
    text.replace(text.find(from), from.size(), to);
  }
  LaneControllerConfig c;
  std::string error;
  INFO(error);
  REQUIRE_FALSE(d.parse(text, c, error));
  CHECK(c.lane_id == "L3");
  CHECK(c.antennas.size() == 2);
}
