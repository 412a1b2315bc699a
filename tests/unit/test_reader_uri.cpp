#include <catch2/catch.hpp>

#include "garita/common/Errc.hpp"
#include "garita/hal/ReaderUri.hpp"

using garita::hal::parse_reader_uri;
using garita::hal::ReaderScheme;
using garita::hal::ReaderUri;

namespace {
ReaderUri ok(std::string_view text) {
  ReaderUri u;
  std::string why;
  const auto ec = parse_reader_uri(text, u, why);
  INFO(text << " -> " << why);
  REQUIRE_FALSE(ec);
  CHECK(why.empty());
  return u;
}
std::string bad(std::string_view text) {
  ReaderUri u;
  std::string why;
  CHECK(parse_reader_uri(text, u, why) == garita::Errc::config_bad_value);
  CHECK_FALSE(why.empty());
  return why;
}
}  // namespace

TEST_CASE("LLRP URIs default to the IANA ports") {
  auto u = ok("llrp://10.0.4.21");
  CHECK(u.scheme == ReaderScheme::llrp);
  CHECK(u.host == "10.0.4.21");
  CHECK(u.port == 5084);
  CHECK(u.to_string() == "llrp://10.0.4.21:5084");
  u = ok("llrps://reader-3.lane.local");
  CHECK(u.port == 5085);
  u = ok("llrp://reader:15084/");
  CHECK(u.port == 15084);
  u = ok("llrp://[fe80::1]:5084");
  CHECK(u.host == "fe80::1");
  CHECK(u.to_string() == "llrp://[fe80::1]:5084");
}

TEST_CASE("LLRP listen mode: the reader dials garita") {
  auto u = ok("llrp://0.0.0.0?listen=1");
  CHECK(u.listen);
  CHECK(u.host == "0.0.0.0");
  CHECK(u.port == 5084);
  CHECK(u.to_string() == "llrp://0.0.0.0:5084?listen=1");
  u = ok("llrp://10.0.4.2:15084/?listen=0");
  CHECK_FALSE(u.listen);
  CHECK(u.to_string() == "llrp://10.0.4.2:15084");
  CHECK(ok(u.to_string()).port == 15084);  // the canonical form parses back
  CHECK(ok("llrp://[::]:5084?listen=1").to_string() == "llrp://[::]:5084?listen=1");
  CHECK_FALSE(ok("llrp://reader").listen);
}

TEST_CASE("serial and usb URIs") {
  auto u = ok("serial:///dev/ttyUSB0");
  CHECK(u.scheme == ReaderScheme::serial);
  CHECK(u.device == "/dev/ttyUSB0");
  CHECK(u.baud == 115200);
  u = ok("serial:///dev/ttyACM1?baud=921600");
  CHECK(u.baud == 921600);
  CHECK(u.to_string() == "serial:///dev/ttyACM1?baud=921600");
  u = ok("usb://1325:C029?serial=AB12");
  CHECK(u.scheme == ReaderScheme::usb);
  CHECK(u.vid == 0x1325);
  CHECK(u.pid == 0xC029);
  CHECK(u.usb_serial == "AB12");
  CHECK(u.to_string() == "usb://1325:c029?serial=AB12");
}

TEST_CASE("bad reader URIs name what is wrong") {
  CHECK(bad("10.0.4.21").find("no scheme") != std::string::npos);
  CHECK(bad("llrpx://r").find("unknown reader scheme 'llrpx'") != std::string::npos);
  CHECK(bad("llrp://").find("no reader host") != std::string::npos);
  CHECK(bad("llrp://r:0").find("port '0'") != std::string::npos);
  CHECK(bad("llrp://r:70000").find("port '70000'") != std::string::npos);
  CHECK(bad("llrp://r:").find("empty port") != std::string::npos);
  CHECK(bad("llrp://fe80::1").find("brackets") != std::string::npos);
  CHECK(bad("llrp://r/x").find("no path") != std::string::npos);
  CHECK(bad("llrp://r?x=1").find("no query") != std::string::npos);
  CHECK(bad("llrp://r r").find("not allowed") != std::string::npos);
  CHECK(bad("llrp://r?listen=yes").find("listen 'yes' must be 1") != std::string::npos);
  CHECK(bad("llrp://r?listen").find("no '='") != std::string::npos);
  CHECK(bad("llrp://r?").find("empty query") != std::string::npos);
  CHECK(bad("llrp://r?listen=1&x=2").find("unknown llrp option 'x'") != std::string::npos);
  CHECK(bad("serial://dev/ttyUSB0").find("absolute device path") != std::string::npos);
  CHECK(bad("serial:///dev/ttyUSB0?baud=12345").find("baud '12345'") != std::string::npos);
  CHECK(bad("serial:///dev/ttyUSB0?speed=9600").find("unknown serial option 'speed'") !=
        std::string::npos);
  CHECK(bad("serial:///dev/ttyUSB0?baud").find("no '='") != std::string::npos);
  CHECK(bad("usb://1325").find("VID:PID") != std::string::npos);
  CHECK(bad("usb://13G5:c029").find("not two 4-digit hex") != std::string::npos);
  CHECK(bad("usb://1325:c029?serial=").find("empty usb serial") != std::string::npos);
  CHECK(bad("usb://1325:c029?bus=1").find("unknown usb option 'bus'") != std::string::npos);
}
